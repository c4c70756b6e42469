"""What the comment parts of a page read (HackSoft-style selectors).

Readers see approved comments only (``CommentQuerySet.approved()``), plus
their own still awaiting moderation. A post page's thread is read a page of
threads at a time: ``comment_counts`` says how many pages there are,
``comment_thread_page`` reads one page and arranges it for rendering
(``ThreadEntry``). The comments template tag renders and caches them; the
admin index shows ``comments_pending_count``.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from articles.models import Article
from comments.models import Comment
from comments.threads import comment_thread_shape


@dataclass
class ThreadEntry:
    """One comment in the flat list a thread is rendered from (as django-mptt's
    ``tree_info`` or WordPress's Walker): its ``<li>`` either opens its replies'
    list (``opens_replies``) or closes at once, and then ``closes`` lists of
    replies end after it. A loop renders any depth without recursion."""

    comment: Comment
    opens_replies: bool = False
    closes: int = 0

    @property
    def closing(self) -> range:
        return range(self.closes)


@dataclass
class ThreadPage:
    """A page of threads: the approved comments read, and the entries to render
    (those comments and the reader's awaiting ones, in thread order)."""

    comments: list[Comment]
    entries: list[ThreadEntry]


def comment_counts(*, article: Article) -> dict[str, int]:
    """``total`` approved comments on ``article``, and the ``roots`` that start a thread."""
    approved = Comment.objects.approved().filter(article=article)
    return approved.aggregate(total=Count("pk"), roots=Count("pk", filter=Q(parent__isnull=True)))


def comment_thread_page(
    *, article: Article, page_number: int, awaiting: Sequence[Comment] = ()
) -> ThreadPage:
    """Page ``page_number`` (from 1) of ``article``'s threads, oldest first,
    ``COMMENTS_PER_PAGE`` threads with all their replies (one query), with
    ``awaiting`` placed among them."""
    per_page = settings.COMMENTS_PER_PAGE
    approved = Comment.objects.approved().filter(article=article)
    page_roots = (
        approved.filter(parent__isnull=True)
        .order_by("created_at", "pk")
        .values("pk")[(page_number - 1) * per_page : page_number * per_page]
    )
    comments = list(approved.filter(Q(pk__in=page_roots) | Q(root__in=page_roots)).for_display())
    return ThreadPage(comments=comments, entries=_thread(comments, list(awaiting)))


def comments_awaiting(*, article: Article, comment_ids: Collection[int]) -> list[Comment]:
    """Those of ``comment_ids`` (the reader's own) on ``article`` still awaiting moderation."""
    if not comment_ids:
        return []
    return list(Comment.objects.pending().filter(article=article, pk__in=comment_ids).for_display())


def comment_reply_target(
    *, article: Article, comment_id: int, among: Sequence[Comment] = ()
) -> Comment | None:
    """The approved comment ``comment_id`` on ``article``, if a reader may reply
    to it; looked for in ``among`` (comments already read) first."""
    found = next((c for c in among if c.pk == comment_id), None)
    return found or Comment.objects.approved().filter(article=article, pk=comment_id).first()


def comments_pending_count() -> int:
    """How many comments wait for a moderator."""
    return Comment.objects.pending().count()


def _thread(comments: list[Comment], awaiting: list[Comment]) -> list[ThreadEntry]:
    """The page's comments in thread order, each under the comment it answers.

    Stored threads may be deeper than ``COMMENTS_MAX_DEPTH`` allows (an older
    import) or even loop: ``comment_thread_shape`` places them by the rule every
    write uses, so whatever is stored, the page renders."""
    by_id = {}
    for comment in comments + awaiting:
        by_id[comment.pk] = comment
    for comment in awaiting:
        comment.awaiting_moderation = True
    replies_to: dict[int, int | None] = {}
    for comment in sorted(by_id.values(), key=lambda c: (c.created_at, c.pk)):
        if comment.parent_id in by_id:
            replies_to[comment.pk] = comment.parent_id
        elif comment.parent_id is None or getattr(comment, "awaiting_moderation", False):
            replies_to[comment.pk] = None
        elif comment.root_id in by_id:  # its parent was removed: keep it in its thread
            replies_to[comment.pk] = comment.root_id
    shape = comment_thread_shape(replies_to)
    replies: dict[int | None, list[Comment]] = defaultdict(list)
    for pk in replies_to:  # oldest first
        by_id[pk].thread_depth = shape.depth[pk]
        replies[shape.parent[pk]].append(by_id[pk])
    return _flatten(replies)


def _flatten(replies: dict[int | None, list[Comment]]) -> list[ThreadEntry]:
    """Walk the tree depth first with a stack of iterators, not recursion."""
    entries: list[ThreadEntry] = []
    levels = [iter(replies.get(None, ()))]
    while levels:
        comment = next(levels[-1], None)
        if comment is None:
            levels.pop()
            if levels:  # a list of replies ended: close it and the <li> holding it
                entries[-1].closes += 1
            continue
        entry = ThreadEntry(comment)
        entries.append(entry)
        if replies.get(comment.pk):
            entry.opens_replies = True
            levels.append(iter(replies[comment.pk]))
    return entries
