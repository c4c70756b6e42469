from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments.services import comments_purge_spam


class Command(BaseCommand):
    help = "Delete comments marked as spam more than N days ago (default COMMENTS_SPAM_KEEP_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.COMMENTS_SPAM_KEEP_DAYS)

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = comments_purge_spam(older_than_days=days)
        self.stdout.write(f"Deleted {deleted} spam comment(s) older than {days} days.")
