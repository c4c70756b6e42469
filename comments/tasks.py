"""Background work on comments (``django.tasks``): spam checks and learning.

With the default immediate backend these run at once, after the comment's
transaction commits; with ``django_tasks_db.DatabaseBackend`` a
``manage.py db_worker`` process runs them, and failed checks are retried later.
Whatever is left unjudged (a worker or database that failed, a check cut short
in a request) is judged by ``manage.py recheck_comments`` from cron.
"""

from django.tasks import task

from comments.models import Comment


@task
def check_comment(
    comment_id: int, request_info: dict, attempt: int = 1, network_budget: float | None = None
) -> str:
    """Run the spam checks on a comment; return the verdict.

    ``network_budget`` is set when the checks run in the reader's request (the
    immediate backend): see ``comments.spam``. A run that fails outright (the
    database went away) leaves the comment unjudged for recheck_comments."""
    from comments.services import RequestInfo, comment_run_checks

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
    from comments.services import comment_teach_checks

    comment = Comment.objects.filter(pk=comment_id).select_related("article").first()
    if comment is not None:
        comment_teach_checks(comment=comment, is_spam=is_spam)
