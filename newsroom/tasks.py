"""Background work for the site itself (``django.tasks``).

``apply_pending_invalidations`` retries the page-cache invalidations that could
not be made when Redis was unreachable (``newsroom.pagecache``) and the
frontend-cache purges a cache did not confirm (``newsroom.frontcache``). It is queued
only with a backend that can defer a task (``django_tasks_db``), and re-queues
itself with a growing delay until they are all applied; app processes and
``manage.py apply_pending_invalidations`` apply them too.

The first retry is queued by ``retry_deferred_invalidations``, which
``NewsroomConfig.ready()`` connects to ``pagecache.invalidation_deferred`` and
``frontcache.purge_deferred``:
the page cache does not know about tasks, so the two modules do not import
each other.
"""

import logging
from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone

from newsroom.frontcache import pending_purges_apply
from newsroom.pagecache import pending_invalidations_apply

logger = logging.getLogger(__name__)

# Deferred retries (task backends that support run_after): 5 s doubling to 5 min.
RETRY_ATTEMPTS = 12
RETRY_FIRST_DELAY_SECONDS = 5
RETRY_MAX_DELAY_SECONDS = 300


@task
def apply_pending_invalidations(attempt: int = 1) -> int:
    """Apply pending invalidations and purges; return how many are still pending."""
    still_pending = pending_invalidations_apply() + pending_purges_apply()
    if still_pending:
        schedule_invalidation_retry(attempt=attempt + 1)
    return still_pending


def schedule_invalidation_retry(*, attempt: int) -> None:
    """Queue ``apply_pending_invalidations`` to run later, when the task backend
    can defer (an immediate retry would meet the same unreachable cache)."""
    if attempt > RETRY_ATTEMPTS or not default_task_backend.supports_defer:
        return
    delay = min(RETRY_FIRST_DELAY_SECONDS * 2 ** (attempt - 1), RETRY_MAX_DELAY_SECONDS)
    try:
        apply_pending_invalidations.using(
            run_after=timezone.now() + timedelta(seconds=delay)
        ).enqueue(attempt)
    except Exception:
        logger.exception("Could not queue a retry of pending cache invalidations")


def retry_deferred_invalidations(**kwargs) -> None:
    """Receiver of ``pagecache.invalidation_deferred`` and
    ``frontcache.purge_deferred``: queue the first retry."""
    schedule_invalidation_retry(attempt=1)
