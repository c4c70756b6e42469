"""Every write to comments: submitting, moderating, replying as the site.

Views, admin actions, commands and tests call these functions; each runs in a
transaction and leaves side effects (emails, signals, spam checks) to
``transaction.on_commit``, so a comment is stored before anything that might
fail looks at it.
"""

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from articles.models import Article
from comments import spam
from comments.models import CheckRecord, Comment
from comments.notifications import notify_moderators
from comments.signals import comment_was_moderated, comment_was_posted
from newsroom import pagecache

logger = logging.getLogger(__name__)

# The same comment posted again within this window is the same comment (a
# double-click, a reload), not a new one.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class RequestInfo:
    """What the request told about a comment, for moderators and spam checks."""

    ip_address: str | None = None
    user_agent: str = ""
    referrer: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    #: A moderator re-running the checks: the form's traps were judged the first time.
    rerun: bool = False

    @classmethod
    def from_request(cls, request, extra: Mapping[str, str] | None = None) -> "RequestInfo":
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            referrer=request.META.get("HTTP_REFERER", "")[:1000],
            extra=dict(extra or {}),
        )

    @classmethod
    def for_rerun(cls, comment) -> "RequestInfo":
        """What was stored about the request, for running the checks again."""
        return cls(
            ip_address=comment.ip_address,
            user_agent=comment.user_agent,
            referrer=comment.referrer,
            rerun=True,
        )


def client_ip(request) -> str | None:
    """The reader's IP: REMOTE_ADDR, or the address the trusted proxies saw."""
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def comments_open(article: Article) -> bool:
    """Whether readers may comment on ``article`` now."""
    if not article.comments_enabled or not article.is_published:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return not days or article.publish_at >= timezone.now() - timedelta(days=days)


def check_reply(*, article: Article, parent: Comment | None) -> None:
    """Raise ``ValidationError`` unless ``parent`` may be replied to on ``article``."""
    if parent is None:
        return
    if parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
        raise ValidationError("The comment you are replying to is not on this article.")
    if parent.depth + 1 >= settings.COMMENTS_MAX_DEPTH:
        raise ValidationError("This conversation is too deep to reply to; reply further up.")


@transaction.atomic
def comment_submit(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    body: str,
    author_url: str = "",
    parent: Comment | None = None,
    user=None,
    request_info: RequestInfo = RequestInfo(),
) -> Comment:
    """Store a reader's comment as pending and tell the moderators.

    Raises ``ValidationError`` when comments are closed or the reply is not
    allowed. Posting the same text on the same article again within
    ``DUPLICATE_WINDOW`` returns the first comment instead of storing another.
    """
    # One submission per article at a time, so the duplicate check holds
    # under a double-click (a row lock on PostgreSQL; SQLite locks on write).
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not comments_open(article):
        raise ValidationError("Comments are closed on this article.")
    check_reply(article=article, parent=parent)

    now = timezone.now()
    duplicate = (
        Comment.objects.filter(
            article=article,
            parent=parent,
            author_email=author_email,
            author_name=author_name,
            body=body,
            created_at__gte=now - DUPLICATE_WINDOW,
        )
        .exclude(status=Comment.Status.TRASH)
        .first()
    )
    if duplicate is not None:
        return duplicate

    comment = Comment.objects.create(
        article=article,
        parent=parent,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        user=user if user is not None and user.is_authenticated else None,
        ip_address=request_info.ip_address,
        user_agent=request_info.user_agent,
        referrer=request_info.referrer,
        created_at=now,
        status=Comment.Status.PENDING,
    )
    transaction.on_commit(lambda: _after_submit(comment, request_info))
    return comment


def _after_submit(comment: Comment, request_info: RequestInfo) -> None:
    """Runs after the comment is committed: nothing here can lose it."""
    _send_robust(comment_was_posted, comment=comment, request_info=request_info)
    comment_enqueue_checks(comment=comment, request_info=request_info)


def comment_enqueue_checks(
    *, comment: Comment, request_info: RequestInfo, attempt: int = 1, delay: int = 0
) -> None:
    """Queue the spam checks; if the task backend is down, hold the comment and
    tell the moderators (they can re-run the checks from the admin)."""
    from comments.tasks import check_comment

    task = check_comment
    if delay:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        task.enqueue(comment.pk, asdict(request_info), attempt)
    except Exception as error:
        logger.exception("Could not queue the spam checks for comment %s", comment.pk)
        Comment.objects.filter(pk=comment.pk).update(check_verdict=spam.Verdict.FAILED)
        CheckRecord.objects.create(
            comment=comment,
            check_name="task queue",
            verdict=spam.Verdict.FAILED,
            reason=f"Check failed: the task queue is unavailable ({type(error).__name__})",
        )
        _notify(comment)


def _notify(comment: Comment) -> None:
    try:
        notify_moderators(comment)
    except Exception:
        logger.exception("Could not email the moderators about comment %s", comment.pk)


def comment_run_checks(*, comment: Comment, request_info: RequestInfo, attempt: int = 1) -> str:
    """Run the spam pipeline on a comment and record every check's result.

    A comment still pending (no moderator has decided) takes the verdict:
    spam → spam, approve → approved, hold → stays pending and the moderators
    are told. A comment a moderator already decided keeps its status.
    """
    verdict, outcomes = spam.run_pipeline(comment, request_info)
    failed = any(o.result.verdict == spam.Verdict.FAILED for o in outcomes)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        CheckRecord.objects.filter(comment=locked).delete()
        CheckRecord.objects.bulk_create(
            CheckRecord(
                comment=locked,
                check_name=o.name,
                verdict=o.result.verdict,
                score=o.result.score,
                reason=o.result.reason[:500],
            )
            for o in outcomes
        )
        locked.checked_at = timezone.now()
        locked.check_verdict = spam.Verdict.FAILED if failed else verdict
        locked.save(update_fields=["checked_at", "check_verdict"])
        decided = locked.status != Comment.Status.PENDING or locked.moderated_by_id is not None
    if not decided:
        if verdict == spam.Verdict.SPAM:
            comment_moderate(comment=locked, status=Comment.Status.SPAM)
        elif verdict == spam.Verdict.APPROVE:
            comment_moderate(comment=locked, status=Comment.Status.APPROVED)
        elif attempt == 1:
            transaction.on_commit(lambda: _notify(locked))
    if failed and not decided and attempt < settings.COMMENTS_CHECK_RETRIES and _can_defer():
        comment_enqueue_checks(
            comment=locked,
            request_info=request_info,
            attempt=attempt + 1,
            delay=settings.COMMENTS_CHECK_RETRY_DELAY * attempt,
        )
    return verdict


def _can_defer() -> bool:
    from django.tasks import default_task_backend

    return default_task_backend.supports_defer


def comment_teach_checks(*, comment: Comment, is_spam: bool) -> None:
    """Tell every check that learns (classifier, Akismet) a moderator's decision."""
    for check in spam.get_checks():
        try:
            check.learn(comment, is_spam=is_spam)
        except Exception:
            logger.exception(
                "Spam check %s could not learn from comment %s", check.name, comment.pk
            )


def comments_purge_spam(*, older_than_days: int) -> int:
    """Delete spam older than ``older_than_days``; return how many were deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    old_spam = Comment.objects.filter(status=Comment.Status.SPAM, created_at__lt=cutoff)
    # Replies to spam go with it (CASCADE); count what the database removed.
    deleted, per_model = old_spam.delete()
    return per_model.get("comments.Comment", 0)


def _send_robust(signal, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=Comment, **kwargs):
        if isinstance(result, Exception):
            logger.error(
                "Receiver %r of %s failed for comment %s",
                receiver,
                signal,
                kwargs["comment"].pk,
                exc_info=(type(result), result, result.__traceback__),
            )


@transaction.atomic
def comment_moderate(*, comment: Comment, status: str, moderator=None) -> Comment:
    """Set a comment's status (approve, spam, trash, back to pending).

    The row is locked first, so two moderators acting at once leave it in the
    state of whoever acted last, with that moderator recorded.
    """
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}")
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    previous = locked.status
    if previous == status:
        return locked
    locked.status = status
    locked.moderated_by = moderator
    locked.moderated_at = timezone.now()
    locked.save(update_fields=["status", "moderated_by", "moderated_at"])
    if Comment.Status.APPROVED in (previous, status):
        transaction.on_commit(lambda: _comments_changed(locked))
    transaction.on_commit(
        lambda: _send_robust(
            comment_was_moderated, comment=locked, previous_status=previous, moderator=moderator
        )
    )
    if moderator is not None and status in (Comment.Status.APPROVED, Comment.Status.SPAM):
        transaction.on_commit(
            lambda: _enqueue_learning(locked, is_spam=status == Comment.Status.SPAM)
        )
    return locked


def _comments_changed(comment: Comment) -> None:
    """What readers see of this article's comments changed: drop its cached pages."""
    pagecache.bump(f"article:{comment.article_id}", "comments")


def _enqueue_learning(comment: Comment, *, is_spam: bool) -> None:
    from comments.tasks import learn_from_moderator

    try:
        learn_from_moderator.enqueue(comment.pk, is_spam)
    except Exception:
        logger.exception("Could not queue learning from comment %s", comment.pk)


def comments_moderate(*, comments: QuerySet[Comment], status: str, moderator=None) -> int:
    """Moderate several comments; return how many changed status."""
    changed = 0
    with transaction.atomic():
        for comment in comments.order_by("pk"):
            previous = comment.status
            if (
                comment_moderate(comment=comment, status=status, moderator=moderator).status
                != previous
            ):
                changed += 1
    return changed


@transaction.atomic
def comment_reply_as_site(*, parent: Comment, body: str, moderator) -> Comment:
    """A moderator's reply, published at once under the moderator's name."""
    check_reply(article=parent.article, parent=parent)
    now = timezone.now()
    reply = Comment.objects.create(
        article=parent.article,
        parent=parent,
        root=parent.root or parent,
        depth=parent.depth + 1,
        author_name=moderator.get_display_name(),
        author_email=moderator.email,
        body=body,
        user=moderator,
        created_at=now,
        status=Comment.Status.APPROVED,
        moderated_by=moderator,
        moderated_at=now,
    )
    transaction.on_commit(lambda: _comments_changed(reply))
    return reply
