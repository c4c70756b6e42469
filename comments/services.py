"""Every write to comments: submitting, moderating, replying as the site.

Views, admin actions, commands and tests call these functions; each runs in a
transaction and leaves side effects (emails, signals, spam checks) to
``transaction.on_commit``, so a comment is stored before anything that might
fail looks at it.

Work for the task queue is asked for with a signal (``comment_checks_wanted``,
``comment_checks_failed``, ``comment_was_moderated``) that ``comments.tasks``
receives: the tasks call these services, never the reverse.

Once a reader's comment is committed it is theirs: the work after the commit
(signals, the spam checks, the moderators' email) is logged when it fails and
never turns the reader's success into an error. A comment it left unjudged or
unannounced is picked up by ``manage.py recheck_comments``
(``comments_recheck_waiting``).
"""

import logging
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from articles.models import Article
from comments.models import CheckRecord, Comment
from comments.notifications import notify_moderators
from comments.signals import (
    comment_checks_failed,
    comment_checks_wanted,
    comment_was_moderated,
    comment_was_posted,
)
from comments.spam import TIMESTAMP_FIELD, get_checks, run_pipeline
from comments.spam.tokens import commenter_key_hash, form_token_nonce
from comments.threads import ThreadShape, comment_reply_anchor, comment_thread_shape
from comments.verdicts import Verdict
from newsroom import pagecache

# The one rule for who a visitor is: comments, rate limit, axes.
from newsroom.client_ip import client_ip, visitor_network

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
    #: Checks run again, later, from what was stored (``for_rerun``), not from a
    #: live request: what was not stored (the posting rate) is no evidence.
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
        """What was stored about the request, for running the checks again
        (the form's spam signals included, when they were stored)."""
        return cls(
            ip_address=comment.ip_address,
            user_agent=comment.user_agent,
            referrer=comment.referrer,
            extra=dict(comment.spam_signals or {}),
            rerun=True,
        )


def comments_open(article: Article) -> bool:
    """Whether readers may comment on ``article`` now."""
    if not article.comments_enabled or not article.is_published:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return not days or article.publish_at >= timezone.now() - timedelta(days=days)


def check_reply(*, article: Article, parent: Comment | None) -> None:
    """Raise ``ValidationError`` unless ``parent`` may be replied to on ``article``.

    Depth is no reason to refuse: ``comment_reply_anchor`` attaches a reply to a
    thread already as deep as allowed further up, as WordPress shows it."""
    if parent is None:
        return
    if parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
        raise ValidationError("The comment you are replying to is not on this article.")


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
    commenter_key: str = "",
) -> Comment:
    """Store a reader's comment as pending and tell the moderators.

    ``commenter_key``: the key the reader's browser carries
    (``comments.spam.tokens``); only its hash is stored, with the form's time
    token's nonce and the visitor's network, for the spam checks.

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
    parent = comment_reply_anchor(parent)

    now = timezone.now()
    duplicate = (
        Comment.objects.filter(
            article=article, parent=parent, author_email=author_email, author_name=author_name
        )
        .filter(body=body, created_at__gte=now - DUPLICATE_WINDOW)
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
        created_at=now,
        status=Comment.Status.PENDING,
        **_what_the_request_told(request_info, commenter_key),
    )
    transaction.on_commit(lambda: _after_submit(comment, request_info), robust=True)
    return comment


def _what_the_request_told(request_info: RequestInfo, commenter_key: str) -> dict:
    """The comment's fields from the request: for moderators and the spam checks."""
    return {
        "ip_address": request_info.ip_address,
        "user_agent": request_info.user_agent,
        "referrer": request_info.referrer,
        "spam_signals": {k: str(v)[:200] for k, v in request_info.extra.items()},
        "form_nonce": form_token_nonce(request_info.extra.get(TIMESTAMP_FIELD, "")),
        "commenter_key_hash": commenter_key_hash(commenter_key),
        "ip_network": visitor_network(request_info.ip_address),
    }


def _after_submit(comment: Comment, request_info: RequestInfo) -> None:
    """Runs after the comment is committed (``robust``: nothing raised here
    reaches the reader, who keeps their stored comment). Each step is on its
    own: one that fails (a database that went away) is logged and the next still
    runs; a comment left without a verdict or an email is finished by
    recheck_comments."""
    steps = [
        lambda: _send_robust(comment_was_posted, comment=comment, request_info=request_info),
        lambda: comment_request_checks(
            comment=comment,
            request_info=request_info,
            network_budget=settings.COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS,
        ),
    ]
    for step in steps:
        reset_broken_connection()
        try:
            step()
        except Exception:
            logger.exception("After storing comment %s: a step failed", comment.pk)


def reset_broken_connection() -> None:
    """Drop the database connection if an error left it unusable (a backend
    terminated, a network cut), so the next query connects afresh, as Django
    does between requests. Never inside a transaction, whose work would go."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if connection.errors_occurred and not connection.is_usable():
        connection.close()


def comment_request_checks(
    *, comment: Comment, request_info: RequestInfo, network_budget: float | None = None
) -> None:
    """Ask for the spam checks to run on ``comment`` (``comments.tasks`` queues
    them, and holds the comment for the moderators if the queue is down).

    ``network_budget``: the seconds the network checks may spend if the task
    backend runs them at once, in the caller's request (the immediate backend);
    a queued task gets the checks' full timeouts."""
    comment_checks_wanted.send(
        sender=Comment, comment=comment, request_info=request_info, network_budget=network_budget
    )


def comment_hold_for_failed_check(*, comment: Comment, check_name: str, reason: str) -> None:
    """Record that the checks could not judge ``comment`` (``check_name`` failed,
    for ``reason``) and tell the moderators it waits for them."""
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(check_verdict=Verdict.FAILED)
        CheckRecord.objects.create(
            comment=comment, check_name=check_name, verdict=Verdict.FAILED, reason=reason
        )
    _notify(comment)


def _notify(comment: Comment) -> bool:
    """Email the moderators about a comment waiting for them, once per comment;
    return whether this call sent it.

    The comment is marked before sending (so two runs at once send one email)
    and unmarked when sending fails, so recheck_comments sends it later."""
    try:
        claimed = Comment.objects.filter(pk=comment.pk, moderators_notified_at__isnull=True).update(
            moderators_notified_at=timezone.now()
        )
        if not claimed:
            return False
        try:
            notify_moderators(comment)
        except Exception:
            Comment.objects.filter(pk=comment.pk).update(moderators_notified_at=None)
            raise
    except Exception:
        logger.exception("Could not email the moderators about comment %s", comment.pk)
        return False
    return True


def comment_run_checks(
    *,
    comment: Comment,
    request_info: RequestInfo,
    attempt: int = 1,
    network_budget: float | None = None,
) -> str:
    """Run the spam pipeline on a comment and record every check's result.

    A comment still pending (no moderator has decided) takes the verdict:
    spam → spam, approve → approved, hold → stays pending and the moderators
    are told (once). A comment a moderator already decided keeps its status.
    A run that failed on a comment no moderator decided sends
    ``comment_checks_failed`` (``comments.tasks`` retries it later).
    ``network_budget``: see ``comments.spam.run_pipeline`` (checks run in a request).
    """
    verdict, outcomes = run_pipeline(comment, request_info, network_budget=network_budget)
    failed = any(o.result.verdict == Verdict.FAILED for o in outcomes)
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
        locked.check_verdict = Verdict.FAILED if failed else verdict
        locked.save(update_fields=["checked_at", "check_verdict"])
        decided = locked.status != Comment.Status.PENDING or locked.moderated_by_id is not None
    if not decided:
        if verdict == Verdict.SPAM:
            comment_moderate(comment=locked, status=Comment.Status.SPAM)
        elif verdict == Verdict.APPROVE:
            comment_moderate(comment=locked, status=Comment.Status.APPROVED)
        else:
            transaction.on_commit(lambda: _notify(locked))
    if failed and not decided:
        comment_checks_failed.send(
            sender=Comment, comment=locked, request_info=request_info, attempt=attempt
        )
    return verdict


def comments_recheck_waiting(*, unchecked_grace: timedelta) -> tuple[dict[str, int], int]:
    """Judge every pending comment whose checks failed or never ran (stored more
    than ``unchecked_grace`` ago), with the full timeouts and what was stored for
    it; then email the moderators about held comments they were never told of.

    Returns the count of each verdict and how many comments were announced. A
    comment that cannot be judged now (the database or a check still down) is
    logged and left for the next run."""
    waiting = Comment.objects.awaiting_checks(unchecked_before=timezone.now() - unchecked_grace)
    verdicts: dict[str, int] = {}
    for comment in waiting.select_related("article").order_by("pk").iterator():
        try:
            verdict = comment_run_checks(
                comment=comment, request_info=RequestInfo.for_rerun(comment)
            )
        except Exception:
            logger.exception("Could not re-check comment %s; the next run will", comment.pk)
            continue
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    announced = 0
    for comment in Comment.objects.owed_moderator_email().select_related("article").order_by("pk"):
        announced += _notify(comment)
    return verdicts, announced


def comment_teach_checks(*, comment: Comment, is_spam: bool) -> None:
    """Tell every check that learns (classifier, Akismet) a moderator's decision
    (``comments.tasks.learn_from_moderator`` calls it)."""
    for check in get_checks():
        try:
            check.learn(comment, is_spam=is_spam)
        except Exception:
            logger.exception(
                "Spam check %s could not learn from comment %s", check.name, comment.pk
            )


def check_record_update(*, record: CheckRecord, verdict: str, reason: str) -> CheckRecord:
    """Replace what a check said about a comment (Akismet, once a moderator's
    decision is reported to it)."""
    record.verdict = verdict
    record.reason = reason[:500]
    record.save(update_fields=["verdict", "reason"])
    return record


def comments_mark_trained(*, lessons: Sequence[tuple[Comment, str, float]]) -> None:
    """Remember what the classifier learnt each comment as (``"spam"`` or
    ``"ham"``) and the score it gave it before learning it: ``(comment, label,
    score)``. One UPDATE per distinct ``(label, score)``: the classifier keeps
    scores to its calibration bins, so a thousand lessons are a few dozen
    queries (``bulk_update``'s CASE per row took 0.6 s a thousand)."""
    groups: dict[tuple[str, float], list[int]] = {}
    for comment, label, score in lessons:
        comment.trained_as, comment.trained_score = label, score
        groups.setdefault((label, score), []).append(comment.pk)
    for (label, score), pks in groups.items():
        Comment.objects.filter(pk__in=pks).update(trained_as=label, trained_score=score)


def comments_purge_spam(*, older_than_days: int) -> int:
    """Delete spam older than ``older_than_days``; return how many were deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    old_spam = Comment.objects.filter(status=Comment.Status.SPAM, created_at__lt=cutoff)
    return comments_delete(comments=old_spam)


@transaction.atomic
def comments_delete(*, comments: QuerySet[Comment]) -> int:
    """Delete ``comments`` (and the replies to them, which go with them);
    return how many comments the database removed. Pages showing them are
    refreshed after commit: a comment taken down is gone for readers at once."""
    article_ids = set(comments.values_list("article_id", flat=True).distinct())
    _deleted, per_model = comments.delete()
    names = [f"article:{pk}" for pk in sorted(article_ids)]
    if names:
        transaction.on_commit(lambda: pagecache.bump(*names, "comments"))
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
    return locked


def _comments_changed(comment: Comment) -> None:
    """What readers see of this article's comments changed: drop its cached pages."""
    pagecache.bump(f"article:{comment.article_id}", "comments")


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
    article = parent.article
    check_reply(article=article, parent=parent)
    parent = comment_reply_anchor(parent)  # None when threads are one level deep
    now = timezone.now()
    reply = Comment.objects.create(
        article=article,
        parent=parent,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
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


# -- Bulk import: comments brought over from elsewhere -------------------------


@dataclass(slots=True)
class ImportedComment:
    """One comment for ``comments_import``, as the site it comes from had it
    (the WordPress importer; the demo data). Where it sits in its thread (parent,
    top-level comment, depth) is worked out by ``comments_import``."""

    key: Hashable  # the caller's ID for it, unique among one article's rows
    replies_to: Hashable | None  # the key of the comment it answers; None: top level
    author_name: str
    body: str
    created_at: datetime
    status: str
    kind: str = Comment.Kind.COMMENT
    author_email: str = ""
    author_url: str = ""
    user_id: int | None = None
    ip_address: str | None = None
    pk: int | None = None  # the stored comment it updates; None: a new comment
    # False: the stored comment ``pk`` is left as it is (edits and moderation
    # made here since are kept); the row only gives its replies their place.
    write: bool = True


# What comments_import writes (and rewrites for a row with a pk).
IMPORTED_COMMENT_FIELDS = [
    "parent_id", "root_id", "depth", "kind", "author_name", "author_email", "author_url",
    "body", "user_id", "ip_address", "created_at", "status",
]  # fmt: skip


def comments_import(
    *, article: Article, rows: Sequence[ImportedComment], check_spam: bool = False
) -> dict[Hashable, int]:
    """Store ``article``'s imported comments in bulk; return each row's comment
    pk by key. See ``comments_import_threads``."""
    return comments_import_threads(threads={article: rows}, check_spam=check_spam)[article.pk]


@transaction.atomic
def comments_import_threads(
    *, threads: Mapping[Article, Sequence[ImportedComment]], check_spam: bool = False
) -> dict[int, dict[Hashable, int]]:
    """Store the imported comments of several articles in bulk; return each
    row's comment pk, by article pk and key.

    Each thread is arranged by ``comment_thread_shape`` (the rule every comment
    write follows: a reply to a key not among the rows is top-level, a loop is
    cut, the depth limit holds) and written a level at a time, so a reply always
    finds its parent. No email, no signal, no spam check unless ``check_spam``
    (then the new pending comments are checked after commit, as if run again
    from what was stored). After commit, the pages and comment threads of the
    articles whose comments changed are invalidated."""
    shapes = {
        article.pk: comment_thread_shape({row.key: row.replies_to for row in rows})
        for article, rows in threads.items()
    }
    pks: dict[int, dict[Hashable, int]] = {article.pk: {} for article in threads}
    created, changed = [], set()
    new_comment = _PositionalComment()
    for level in _imported_levels(threads, shapes):
        to_create, to_update = [], []
        for article_id, row in level:
            if not row.write:
                pks[article_id][row.key] = row.pk
                continue
            comment = _imported_comment(
                new_comment, row, article_id, shapes[article_id], pks[article_id]
            )
            (to_update if row.pk is not None else to_create).append((article_id, row, comment))
            changed.add(article_id)
        Comment.objects.bulk_create([c for _, _, c in to_create], batch_size=1000)
        Comment.objects.bulk_update(
            [c for _, _, c in to_update], IMPORTED_COMMENT_FIELDS, batch_size=500
        )
        for article_id, row, comment in to_create + to_update:
            pks[article_id][row.key] = comment.pk
        created += [comment for _, _, comment in to_create]
    if changed:
        names = ["comments", *(f"article:{pk}" for pk in sorted(changed))]
        transaction.on_commit(lambda: pagecache.bump(*names))
    if check_spam:
        for comment in created:
            if comment.status == Comment.Status.PENDING:
                transaction.on_commit(lambda c=comment: _check_imported(c))
    return pks


def _imported_levels(threads, shapes) -> list[list[tuple[int, ImportedComment]]]:
    """The rows by depth (top-level comments first), in the order given."""
    levels: list[list[tuple[int, ImportedComment]]] = []
    for article, rows in threads.items():
        depth = shapes[article.pk].depth
        for row in rows:
            while len(levels) <= depth[row.key]:
                levels.append([])
            levels[depth[row.key]].append((article.pk, row))
    return levels


def _imported_comment(
    new_comment: "_PositionalComment",
    row: ImportedComment,
    article_id: int,
    shape: ThreadShape,
    pks: dict[Hashable, int],
) -> Comment:
    """An unsaved comment for ``row``, its parent and root already stored."""
    parent, root = shape.parent[row.key], shape.root[row.key]
    return new_comment(
        id=row.pk,
        article_id=article_id,
        parent_id=pks[parent] if parent is not None else None,
        root_id=pks[root] if root is not None else None,
        depth=shape.depth[row.key],
        kind=row.kind,
        author_name=row.author_name,
        author_email=row.author_email,
        author_url=row.author_url,
        body=row.body,
        user_id=row.user_id,
        ip_address=row.ip_address,
        created_at=row.created_at,
        status=row.status,
    )


class _PositionalComment:
    """Makes unsaved comments from keyword values, but passes them to the model
    positionally, in field order, as Django does for rows it reads: three times
    quicker, which counts for 100,000 comments."""

    def __init__(self):
        # Made per import: callable defaults are called once, here.
        fields = Comment._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.defaults = {field.attname: field.get_default() for field in fields}

    def __call__(self, **values) -> Comment:
        row = self.defaults | values
        return Comment(*[row[name] for name in self.names])


def _check_imported(comment: Comment) -> None:
    # No live request judged it (no honeypot, no timestamp, no rate): rerun=True.
    comment_request_checks(
        comment=comment, request_info=RequestInfo(ip_address=comment.ip_address, rerun=True)
    )


# -- Teaching the classifier a site's history ---------------------------------------


def comments_teach_classifier(*, comments: QuerySet[Comment]) -> int:
    """Teach the checks that learn in bulk (the local classifier's
    ``learn_bulk``) the approved comments of ``comments`` as ham and the spam as
    spam, in the order they were written (``import_wordpress
    --train-classifier``). Comments learnt the same way before are left alone.
    Returns how many lessons were new. Akismet is not told: a site's history is
    no news to it, and thousands of calls would be."""
    decided = comments.filter(
        status__in=[Comment.Status.APPROVED, Comment.Status.SPAM], kind=Comment.Kind.COMMENT
    ).order_by("created_at", "pk")
    learners = [check for check in get_checks() if hasattr(check, "learn_bulk")]
    learnt = 0
    batch: list[tuple[Comment, bool]] = []
    for comment in decided.iterator(chunk_size=1000):
        batch.append((comment, comment.status == Comment.Status.SPAM))
        if len(batch) == 1000:
            learnt += _teach_batch(learners, batch)
            batch = []
    return learnt + _teach_batch(learners, batch)


def _teach_batch(learners, batch: list[tuple[Comment, bool]]) -> int:
    if not batch:
        return 0
    return max((check.learn_bulk(batch) for check in learners), default=0)
