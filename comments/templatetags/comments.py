"""Template tags that show an article's comments; the post page uses them.

Usage::

    {% load comments %}
    {% render_comments article %}

This keeps the dependency one way: the articles app's template asks for
comments; the articles app itself knows nothing about them.
"""

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import comment_thread_shape, comments_open, max_reply_depth
from newsroom import pagecache

register = template.Library()

AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_SALT = "comments.author"
AWAITING_SESSION_KEY = "comments_awaiting_moderation"


def remembered_author(request) -> dict:
    """Name, email and website the reader asked us to remember, if any."""
    try:
        value = request.get_signed_cookie(AUTHOR_COOKIE, salt=AUTHOR_COOKIE_SALT)
        data = json.loads(value)
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    return {k: str(data[k]) for k in ("author_name", "author_email", "author_url") if k in data}


def _page_number(request, num_pages: int) -> int:
    try:
        number = int(request.GET.get("cpage", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


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


def _awaiting(request, article) -> list[Comment]:
    """The reader's own comments on ``article`` still awaiting moderation."""
    # Only readers who already have a session (they commented) touch it, so
    # everyone else's page does not vary on cookies.
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return []
    ids = request.session.get(AWAITING_SESSION_KEY)
    if not ids:
        return []
    return list(Comment.objects.pending().filter(article=article, pk__in=ids).for_display())


def _counts(approved) -> dict:
    return approved.aggregate(total=Count("pk"), roots=Count("pk", filter=Q(parent__isnull=True)))


def _thread_html(request, article, awaiting: list[Comment], open_: bool) -> tuple[str, dict, list]:
    """The heading, threaded comments and page links, as HTML, with the counts
    and the comments shown. Cached per article until its comments change
    (``article:<pk>`` generation), unless the reader has comments awaiting."""
    approved = Comment.objects.approved().filter(article=article)
    use_cache = settings.NEWSROOM_FRAGMENT_CACHE and not awaiting
    generation = pagecache.generation(f"article:{article.pk}") if use_cache else None
    counts_key = f"comments:counts:{article.pk}:{generation}"
    counts = cache.get(counts_key) if use_cache else None
    if counts is None:
        counts = _counts(approved)
        if use_cache:
            cache.set(counts_key, counts, timeout=settings.FRAGMENT_CACHE_SECONDS)
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, math.ceil(counts["roots"] / per_page))
    number = _page_number(request, num_pages)
    html_key = f"comments:thread:{article.pk}:{generation}:{number}:{int(open_)}"
    html = cache.get(html_key) if use_cache else None
    comments = []
    if html is None:
        page_roots = (
            approved.filter(parent__isnull=True)
            .order_by("created_at", "pk")
            .values("pk")[(number - 1) * per_page : number * per_page]
        )
        comments = list(
            approved.filter(Q(pk__in=page_roots) | Q(root__in=page_roots)).for_display()
        )
        html = render_to_string(
            "comments/thread.html",
            {
                "article": article,
                "thread": _thread(comments, awaiting),
                "comment_count": counts["total"],
                "page_number": number,
                "num_pages": num_pages,
                "comments_open": open_,
                "max_reply_depth": max_reply_depth(),
            },
        )
        if use_cache:
            cache.set(html_key, html, timeout=settings.FRAGMENT_CACHE_SECONDS)
    return mark_safe(html), {**counts, "page_number": number, "num_pages": num_pages}, comments


def _reply_target(article, comments: list[Comment], value) -> Comment | None:
    if not re.fullmatch(r"[0-9]{1,18}", str(value or "")):
        return None
    found = next((c for c in comments if c.pk == int(value)), None)
    return found or Comment.objects.approved().filter(article=article, pk=int(value)).first()


@register.inclusion_tag("comments/comments.html", takes_context=True)
def render_comments(context, article):
    request = context["request"]
    open_ = comments_open(article)
    awaiting = _awaiting(request, article)
    thread_html, counts, comments = _thread_html(request, article, awaiting, open_)

    form = context.get("comment_form")
    reply_to = None
    if form is None:
        initial = remembered_author(request)
        initial["remember"] = bool(initial)
        reply_to = _reply_target(article, comments, request.GET.get("replytocom"))
        if reply_to is not None:
            initial["parent"] = reply_to.pk
        form = CommentForm(article=article, initial=initial)
    elif form.is_bound:
        reply_to = _reply_target(article, comments, form.data.get("parent"))

    return {
        "request": request,
        "article": article,
        "thread_html": thread_html,
        "comment_count": counts["total"],
        "form": form,
        "reply_to": reply_to,
        "comments_open": open_,
        "comment_error": context.get("comment_error"),
    }


@register.filter(needs_autoescape=False)
def comment_html(body: str) -> str:
    """A comment's plain text as safe HTML: escaped, paragraphs, links marked ``ugc``."""
    linked = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return mark_safe(linebreaks(linked, autoescape=False))


@register.simple_tag
def pending_comment_count() -> int:
    """How many comments wait for a moderator (the admin index shows it)."""
    return Comment.objects.pending().count()
