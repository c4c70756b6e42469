"""``manage.py apply_pending_invalidations``: clear from the page cache what
could not be cleared while Redis was unreachable, and send the frontend-cache
purges a cache did not confirm. Safe to run from cron every minute; exits
non-zero while something is still pending."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.frontcache import pending_purges_apply
from newsroom.pagecache import pending_invalidations_apply


class Command(BaseCommand):
    help = (
        "Apply page-cache invalidations recorded while the cache was unreachable, "
        "and frontend-cache purges not yet confirmed."
    )

    def handle(self, *args, **options):
        still_pending = pending_invalidations_apply()
        if still_pending:
            raise CommandError(
                f"The cache is unreachable: {still_pending} invalidation(s) still pending."
            )
        purges_pending = pending_purges_apply()
        if purges_pending:
            raise CommandError(
                f"A frontend cache is unreachable: {purges_pending} purge(s) still pending."
            )
        self.stdout.write("No page-cache invalidations or frontend purges pending.")
