"""``manage.py load_seeds [PATH ...]``: load seed documents (see ``articles.seeds``).

PATH is a seed file or a folder of ``*.txt`` seed files; the default is the
project's ``seeds/`` folder. Each file loads in its own transaction: a
malformed file is reported by name and skipped, the others still load, and
the command exits non-zero at the end.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.seeds import Outcome, SeedError, load_seed, parse_seed


class Command(BaseCommand):
    help = "Load seed documents (default: the project's seeds/ folder)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)

    def handle(self, *args, paths, **options):
        files = self._files(paths or [settings.BASE_DIR / "seeds"])
        counts = dict.fromkeys(Outcome, 0)
        failures = []
        for path in files:
            try:
                document = parse_seed(path.read_text(encoding="utf-8"))
                outcome = load_seed(document)
            except UnicodeDecodeError:
                failures.append(f"{path}: not UTF-8 text")
            except SeedError as error:
                failures.append(f"{path}: {error}")
            else:
                counts[outcome] += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{outcome}: {document.title} ({path.name})")

        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        self.stdout.write(f"Seed files: {len(files)} read; articles {summary}.")
        for failure in failures:
            self.stderr.write(self.style.ERROR(f"Not loaded: {failure}"))
        if failures:
            raise CommandError(f"{len(failures)} of {len(files)} seed files could not be loaded.")

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
