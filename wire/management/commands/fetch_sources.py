"""``manage.py fetch_sources``: fetch every source's feed that is due (for cron).

Prints one line per feed that failed or lost entries, then a summary. Options:
``--source ID`` (repeatable) and ``--force`` fetch those sources now, due or
not; ``--queue`` instead queues the self-renewing ``wire.tasks.fetch_sources``
task for ``db_worker``. Exit status 0 even when feeds fail: a failing feed is
the wire's normal weather, recorded on its source.
"""

from django.core.management.base import BaseCommand, CommandError

from wire.services import sources_fetch
from wire.tasks import queue_next_fetch


class Command(BaseCommand):
    help = "Fetch the sources' feeds that are due and put new items on the wire."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, action="append", dest="source_ids")
        parser.add_argument("--force", action="store_true", help="Fetch even if not due.")
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument(
            "--queue", action="store_true", help="Queue the periodic task instead of fetching."
        )

    def handle(self, *args, source_ids=None, force=False, workers=None, queue=False, **options):
        if queue:
            if not queue_next_fetch(at_once=True):
                raise CommandError(
                    "The task backend cannot run tasks later (TASKS_BACKEND); "
                    "run this command from cron instead."
                )
            self.stdout.write("Queued the periodic feed fetch.")
            return
        report = sources_fetch(source_ids=source_ids, force=force, workers=workers)
        for problem in report.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"{report.sources} feeds in {report.seconds:.1f} s: {report.read} read, "
            f"{report.not_modified} not modified, {report.failed} failed, {report.gone} gone; "
            f"{report.new_items} new items."
        )
