"""Background work on comments (``django.tasks``): spam checks and learning,
and getting them onto the queue.

``comments.services`` asks for this work with signals (``comments.signals``);
the receivers here, connected by ``CommentsConfig.ready()``, queue the tasks:
the checks a stored comment needs, a later retry of checks that failed, and
the lesson in a moderator's decision. The tasks call the services; the services
never import this module.

With the default immediate backend the tasks run at once, after the comment's
transaction commits; with ``django_tasks_db.DatabaseBackend`` a
``manage.py db_worker`` process runs them, and failed checks are retried later.
Whatever is left unjudged (a worker or database that failed, a check cut short
in a request, a queue that was down) is judged by ``manage.py
recheck_comments`` from cron.
"""

import logging
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.dispatch import receiver
from django.tasks import default_task_backend, task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from comments.models import Comment
from comments.services import (
    RequestInfo,
    comment_hold_for_failed_check,
    comment_run_checks,
    comment_teach_checks,
)
from comments.signals import comment_checks_failed, comment_checks_wanted, comment_was_moderated

logger = logging.getLogger(__name__)


@task
def check_comment(
    comment_id: int, request_info: dict, attempt: int = 1, network_budget: float | None = None
) -> str:
    """Run the spam checks on a comment; return the verdict.

    ``network_budget`` is set when the checks run in the reader's request (the
    immediate backend): see ``comments.spam``. A run that fails outright (the
    database went away) leaves the comment unjudged for recheck_comments."""
    comment = Comment.objects.filter(pk=comment_id).select_related("article").first()
    if comment is None:
        return "deleted"
    return comment_run_checks(
        comment=comment,
        request_info=RequestInfo(**request_info),
        attempt=attempt,
        network_budget=network_budget,
    )


@task
def learn_from_moderator(comment_id: int, is_spam: bool) -> None:
    """Teach the checks that learn (classifier, Akismet) a moderator's decision."""
    comment = Comment.objects.filter(pk=comment_id).select_related("article").first()
    if comment is not None:
        comment_teach_checks(comment=comment, is_spam=is_spam)


# -- Queueing -----------------------------------------------------------------------


def enqueue_checks(
    *,
    comment: Comment,
    request_info: RequestInfo,
    attempt: int = 1,
    delay: int = 0,
    network_budget: float | None = None,
) -> None:
    """Queue ``check_comment``; if the task backend is down, hold the comment and
    tell the moderators (they can re-run the checks from the admin).

    ``network_budget`` is passed on only when the backend runs the task at once,
    in the caller's request; a queued task gets the checks' full timeouts."""
    queued = check_comment
    if delay:
        queued = queued.using(run_after=timezone.now() + timedelta(seconds=delay))
    budget = {}
    if network_budget is not None and isinstance(queued.get_backend(), ImmediateBackend):
        budget = {"network_budget": network_budget}
    try:
        queued.enqueue(comment.pk, asdict(request_info), attempt, **budget)
    except Exception as error:
        logger.exception("Could not queue the spam checks for comment %s", comment.pk)
        comment_hold_for_failed_check(
            comment=comment,
            check_name="task queue",
            reason=f"Check failed: the task queue is unavailable ({type(error).__name__})",
        )


@receiver(comment_checks_wanted, sender=Comment, dispatch_uid="comments.tasks.checks_wanted")
def queue_checks(sender, *, comment, request_info, network_budget=None, **kwargs) -> None:
    enqueue_checks(comment=comment, request_info=request_info, network_budget=network_budget)


@receiver(comment_checks_failed, sender=Comment, dispatch_uid="comments.tasks.checks_failed")
def queue_retry(sender, *, comment, request_info, attempt, **kwargs) -> None:
    """Run failed checks again later, ``COMMENTS_CHECK_RETRY_DELAY`` × attempt
    seconds on, up to ``COMMENTS_CHECK_RETRIES`` runs, when the backend can defer
    a task (the immediate backend cannot: recheck_comments finishes those)."""
    if attempt < settings.COMMENTS_CHECK_RETRIES and default_task_backend.supports_defer:
        enqueue_checks(
            comment=comment,
            request_info=request_info,
            attempt=attempt + 1,
            delay=settings.COMMENTS_CHECK_RETRY_DELAY * attempt,
        )


@receiver(comment_was_moderated, sender=Comment, dispatch_uid="comments.tasks.learning")
def queue_learning(sender, *, comment, moderator, **kwargs) -> None:
    """A moderator's approve or spam teaches the learning checks (automatic
    verdicts teach nothing)."""
    if moderator is None or comment.status not in (Comment.Status.APPROVED, Comment.Status.SPAM):
        return
    try:
        learn_from_moderator.enqueue(comment.pk, comment.status == Comment.Status.SPAM)
    except Exception:
        logger.exception("Could not queue learning from comment %s", comment.pk)
