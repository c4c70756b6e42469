"""``manage.py recheck_comments``: run from cron (every few minutes) so that every
stored comment reaches a verdict and its moderators hear of it.

It judges pending comments whose checks failed (Akismet down, a check cut short
by the request's time budget) or never ran at all (the database or the task
worker failed after the comment was stored), with each check's full timeout and
the form's signals stored with the comment; and it sends the moderators' email
for held comments it never reached.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from comments.services import comments_recheck_waiting


class Command(BaseCommand):
    help = (
        "Judge pending comments whose spam checks failed or never ran, and email the "
        "moderators about held comments they were not told of (run it from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=settings.COMMENTS_RECHECK_GRACE_SECONDS,
            help="Seconds a comment whose checks never ran is left to the task worker "
            "(default: COMMENTS_RECHECK_GRACE_SECONDS).",
        )

    def handle(self, *args, **options):
        verdicts, announced = comments_recheck_waiting(
            unchecked_grace=timedelta(seconds=max(options["grace"], 0))
        )
        summary = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())) or "nothing to do"
        self.stdout.write(f"Re-checked pending comments: {summary}.")
        if announced:
            self.stdout.write(f"Emailed the moderators about {announced} held comment(s).")
