"""Background work for the site itself (``django.tasks``).

``apply_pending_invalidations`` retries the page-cache invalidations that could
not be made when Redis was unreachable (``newsroom.pagecache``). It is queued
only with a backend that can defer a task (``django_tasks_db``), and re-queues
itself with a growing delay until they are all applied; app processes and
``manage.py apply_pending_invalidations`` apply them too.
"""

from django.tasks import task


@task
def apply_pending_invalidations(attempt: int = 1) -> int:
    """Apply pending invalidations; return how many are still pending."""
    from newsroom.pagecache import pending_invalidations_apply, schedule_invalidation_retry

    still_pending = pending_invalidations_apply()
    if still_pending:
        schedule_invalidation_retry(attempt=attempt + 1)
    return still_pending
