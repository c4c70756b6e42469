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
from comments.services import comments_open
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


def _thread(comments: list[Comment], awaiting: list[Comment]) -> list[Comment]:
    """Arrange comments into trees: each gets ``children``; return the roots in order."""
    by_id = {}
    for comment in comments + awaiting:
        comment.children = []
        by_id[comment.pk] = comment
    for comment in awaiting:
        comment.awaiting_moderation = True
    roots = []
    for comment in sorted(by_id.values(), key=lambda c: (c.created_at, c.pk)):
        parent = by_id.get(comment.parent_id)
        if parent is not None:
            parent.children.append(comment)
        elif comment.parent_id is None or getattr(comment, "awaiting_moderation", False):
            roots.append(comment)
        elif (root := by_id.get(comment.root_id)) is not None:
            root.children.append(comment)  # its parent was removed: keep it in its thread
    return roots


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
                "comments": _thread(comments, awaiting),
                "comment_count": counts["total"],
                "page_number": number,
                "num_pages": num_pages,
                "comments_open": open_,
                "max_depth": settings.COMMENTS_MAX_DEPTH,
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
