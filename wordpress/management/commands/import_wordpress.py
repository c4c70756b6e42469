"""``manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--dry-run] [--atomic] [--check-spam]
[--train-classifier] [--timezone ZONE] [--report FILE]``

Imports a WordPress export (Tools → Export → All content; WXR 1.0–1.2): authors,
categories, tags, posts with their comments and featured images, and the old
links (see ``wordpress.importer``). Run it again with a newer export to bring
changes over: nothing is duplicated.

The whole file is read before anything is kept: a file that is not well-formed
XML (cut off, hand-edited) is refused with its line and how to fix it, and
nothing is imported. Every post goes in whole or not at all (posts are
committed in small groups), so a post that cannot be imported is reported and
skipped; ``--atomic`` imports all or nothing instead. A file with content from
which nothing could be imported ends in an error saying why.
``--dry-run`` imports in a transaction that is rolled back and prints the same
summary. ``--media-dir`` is a copy of the site's ``wp-content/uploads`` folder:
featured images and the images in post bodies that point at the old site's
uploads (a size variant, ``photo-300x200.jpg``, as its original) are copied
from it into the media storage, and the bodies rewritten (the import never
downloads anything); images it lacks are reported. Without it, the report
counts the in-body images that still point at the old site.
``--train-classifier`` teaches the local spam classifier the export's approved
comments as ham and its spam as spam, once the import is done.
``--timezone`` names the blog's time zone (``Asia/Shanghai``, ``+08:00``): the
dates the export gives only on the blog's clock (drafts) are read in it, and it
is checked against the export (see ``wordpress.importer.dates``).
The run ends with a table: per kind (authors … media), how many were created,
updated, unchanged and skipped; then every loss and warning, grouped by post
(its title and old address). ``--report FILE`` writes the same as Markdown,
for the site owner to keep (``wordpress.importer.report``).
"""

import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments.models import Comment
from comments.services import comments_teach_classifier
from wordpress.importer import ImportAborted, WordPressImporter
from wordpress.importer.dates import parse_zone
from wordpress.importer.report import markdown_report, text_report
from wordpress.models import ImportedItem
from wordpress.wxr import WXRSyntaxError


@contextmanager
def _without_query_log():
    """With DEBUG on, Django keeps the SQL of every query in memory, and on SQLite
    quotes every parameter again (one more query per 999) to write it out: a
    large import would grow without bound and take twice as long. The import
    never reads that log, so it runs without it."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


class DryRunRollback(Exception):
    """Raised to roll a dry run back."""


class Command(BaseCommand):
    help = "Import a WordPress export (WXR): authors, terms, posts, comments, images, links."

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="the WXR file (WordPress → Tools → Export)")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="a copy of wp-content/uploads, to take featured and in-body images from",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="import, report, then roll everything back"
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="all or nothing: one transaction for the whole file (by default each post "
            "goes in whole or not at all, and a post that fails is reported and skipped)",
        )
        parser.add_argument(
            "--check-spam",
            action="store_true",
            help="run the spam checks on imported comments that are pending moderation",
        )
        parser.add_argument(
            "--train-classifier",
            action="store_true",
            help="teach the local spam classifier the export's approved comments (as not "
            "spam) and spam comments (as spam)",
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE",
            help="also write the import table and every loss, by post, to FILE as Markdown",
        )
        parser.add_argument(
            "--timezone",
            help="the blog's time zone (Asia/Shanghai, +08:00): read drafts' dates in it "
            "and check it against the export; permalink dates follow TIME_ZONE",
        )

    def handle(
        self,
        *args,
        export,
        media_dir,
        dry_run,
        atomic,
        check_spam,
        train_classifier=False,
        timezone=None,
        report=None,
        **options,
    ):
        if not export.is_file():
            raise CommandError(f"{export}: no such file.")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such folder.")
        if report is not None and not report.parent.is_dir():
            raise CommandError(f"--report {report}: no such folder {report.parent}.")
        try:
            zone = parse_zone(timezone) if timezone else None
        except ValueError as error:
            raise CommandError(f"--timezone {error}.") from None
        importer = WordPressImporter(
            export,
            media_dir=media_dir,
            check_spam=check_spam,
            atomic=atomic,
            progress=self._progress_bar() if self.stdout.isatty() else None,
            timezone=zone,
        )
        error = None
        with _without_query_log():
            try:
                if dry_run or atomic:
                    with transaction.atomic():
                        error = self._run(importer)
                        if dry_run:
                            raise DryRunRollback
                else:
                    error = self._run(importer)
            except DryRunRollback:
                pass
        self._print_summary(importer, dry_run=dry_run, failed=error is not None, report=report)
        if train_classifier and not dry_run and not (atomic and error is not None):
            self._train_classifier()
        if error is not None:
            raise CommandError(
                f"{error}. Nothing was imported; run the import again once the file is fixed."
            ) from None
        nothing = importer.nothing_imported()
        if nothing is not None:
            raise CommandError(f"Nothing was imported from {export.name}: {nothing}.")
        if importer.failed:
            raise CommandError(
                f"{importer.failed} post{'s' if importer.failed != 1 else ''} could not be "
                "imported (listed above); everything else was."
            )

    def _run(self, importer: WordPressImporter) -> WXRSyntaxError | None:
        """Run the import; a syntax error is returned (after the summary is known)."""
        try:
            importer.run()
        except WXRSyntaxError as error:
            if importer.atomic:
                transaction.set_rollback(True)
            return error
        except ImportAborted as error:
            raise CommandError(f"{error}. Nothing was imported (--atomic).") from error
        except OSError as error:
            raise CommandError(f"{importer.path}: {error.strerror or error}") from error
        return None

    def _train_classifier(self) -> None:
        """Teach the classifier the imported comments (those of earlier runs too:
        a comment learnt before is not learnt twice)."""
        imported = ImportedItem.objects.filter(
            kind=ImportedItem.Kind.COMMENT, object_id__isnull=False
        ).values("object_id")
        learnt = comments_teach_classifier(comments=Comment.objects.filter(pk__in=imported))
        self.stdout.write(f"Classifier: learnt from {learnt} imported comments.")

    def _print_summary(
        self, importer: WordPressImporter, *, dry_run: bool, failed: bool, report: Path | None
    ):
        summary = importer.summary
        if importer.progress:
            self.stdout.write("")
        version = f" (WXR {summary.wxr_version})" if summary.wxr_version else ""
        heading = f"WordPress import of {importer.path.name}{version}"
        if dry_run:
            heading += " — dry run, nothing was saved"
        elif failed:
            heading += " — stopped early"
        for line in text_report(summary, f"{heading}, {summary.seconds:.1f}s:"):
            self.stdout.write(line)
        if report is not None:
            try:
                report.write_text(markdown_report(summary, heading), encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--report {report}: {error.strerror or error}") from error
            self.stdout.write(f"Report written to {report}.")

    def _progress_bar(self):
        last = [0.0]

        def show(done: int, total: int) -> None:
            now = time.monotonic()
            if done != total and now - last[0] < 0.2:
                return
            last[0] = now
            width = 30
            filled = int(width * done / total) if total else width
            self.stdout.write(
                f"\rPosts [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()

        return show
