"""``manage.py apply_pending_invalidations``: clear from the page cache what
could not be cleared while Redis was unreachable. Safe to run from cron every
minute; exits non-zero while the cache is still unreachable."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.pagecache import pending_invalidations_apply


class Command(BaseCommand):
    help = "Apply page-cache invalidations recorded while the cache was unreachable."

    def handle(self, *args, **options):
        still_pending = pending_invalidations_apply()
        if still_pending:
            raise CommandError(
                f"The cache is unreachable: {still_pending} invalidation(s) still pending."
            )
        self.stdout.write("No page-cache invalidations pending.")
