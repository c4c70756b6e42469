"""Background work for the wire (``django.tasks``): the periodic feed fetch.

``fetch_sources`` runs ``wire.services.sources_fetch`` and, with a backend that
can defer tasks (``django_tasks_db``, run by ``manage.py db_worker``), queues
itself again ``WIRE_FETCH_INTERVAL_SECONDS`` later. ``manage.py fetch_sources
--queue`` starts the chain; cron running ``manage.py fetch_sources`` is the
alternative (or the safety net: sources are claimed per run, so the two never
fetch a feed twice).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from wire.services import sources_fetch

logger = logging.getLogger(__name__)


@task
def fetch_sources(repeat: bool = True) -> dict:
    """Fetch the feeds that are due; queue the next run when ``repeat``."""
    try:
        report = sources_fetch()
    finally:
        if repeat:
            queue_next_fetch()
    logger.info(
        "Fetched %s feeds: %s new items, %s failed", report.sources, report.new_items, report.failed
    )
    return {"sources": report.sources, "new_items": report.new_items, "failed": report.failed}


def queue_next_fetch(*, at_once: bool = False) -> bool:
    """Queue ``fetch_sources`` one interval from now (``at_once``: now); False when
    the backend cannot defer tasks, so could not keep the chain going."""
    if not default_task_backend.supports_defer:
        return False
    delay = 0 if at_once else settings.WIRE_FETCH_INTERVAL_SECONDS
    run_after = timezone.now() + timedelta(seconds=delay)
    try:
        fetch_sources.using(run_after=run_after).enqueue()
    except Exception:
        logger.exception("Could not queue the next feed fetch")
        return False
    return True
