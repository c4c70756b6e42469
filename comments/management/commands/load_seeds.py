"""``manage.py load_seeds [PATH ...]``: load seed documents (see ``articles.seeds``).

PATH is a seed file or a folder of ``*.txt`` seed files; the default is the
project's ``seeds/`` folder. Each file loads in its own transaction — its
article (``articles.seeds.load_seed``) and the responses under it, as approved
comments (``comments.seeds``) — so a malformed file is reported by name and
line and skipped, the others still load, and the command exits non-zero at
the end. Loading the same files again changes and duplicates nothing.

The command lives in the comments app because it stores both: ``articles``
may not know comments (the dependency rule), so ``articles.seeds`` returns the
responses as plain data and this command hands them to ``comments.seeds``.
"""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.seeds import Outcome, SeedError, load_seed, parse_seed
from comments.seeds import seed_responses_store


class Command(BaseCommand):
    help = "Load seed documents (default: the project's seeds/ folder)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)

    def handle(self, *args, paths, **options):
        files = self._files(paths or [settings.BASE_DIR / "seeds"])
        counts = dict.fromkeys(Outcome, 0)
        comments = Counter(created=0, unchanged=0)
        failures = []
        for path in files:
            try:
                title, outcome, stored = self._load(path)
            except UnicodeDecodeError:
                failures.append(f"{path}: not UTF-8 text")
            except SeedError as error:
                where = f"{path}:{error.line}" if error.line else f"{path}"
                failures.append(f"{where}: {error}")
            else:
                counts[outcome] += 1
                comments.update(stored)
                if options["verbosity"] > 1:
                    self.stdout.write(f"{outcome}: {title} ({path.name})")

        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        self.stdout.write(
            f"Seed files: {len(files)} read; articles {summary}; "
            f"comments {comments['created']} created, {comments['unchanged']} unchanged."
        )
        for failure in failures:
            self.stderr.write(self.style.ERROR(f"Not loaded: {failure}"))
        if failures:
            raise CommandError(f"{len(failures)} of {len(files)} seed files could not be loaded.")

    @transaction.atomic
    def _load(self, path: Path) -> tuple[str, Outcome, Counter]:
        document = parse_seed(path.read_text(encoding="utf-8"))
        outcome, article = load_seed(document)
        stored = seed_responses_store(article=article, responses=document.responses)
        return document.title, outcome, stored

    def _files(self, paths: list[Path]) -> list[Path]:
        files = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(path.glob("*.txt")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder.")
        return files
