"""Template tags that show an article's comments; the post page uses them.

Usage::

    {% load comments %}
    {% render_comments article %}

This keeps the dependency one way: the articles app's template asks for
comments; the articles app itself knows nothing about them.
"""

import json
import math

from django import template
from django.conf import settings
from django.core import signing
from django.db.models import Count, Q
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import comments_open

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


@register.inclusion_tag("comments/comments.html", takes_context=True)
def render_comments(context, article):
    request = context["request"]
    approved = Comment.objects.approved().filter(article=article)
    counts = approved.aggregate(total=Count("pk"), roots=Count("pk", filter=Q(parent__isnull=True)))
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, math.ceil(counts["roots"] / per_page))
    number = _page_number(request, num_pages)
    page_roots = (
        approved.filter(parent__isnull=True)
        .order_by("created_at", "pk")
        .values("pk")[(number - 1) * per_page : number * per_page]
    )
    comments = list(approved.filter(Q(pk__in=page_roots) | Q(root__in=page_roots)).for_display())

    awaiting = []
    awaiting_ids = None
    # Only readers who already have a session (they commented) touch it, so
    # everyone else's page does not vary on cookies.
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        awaiting_ids = request.session.get(AWAITING_SESSION_KEY)
    if awaiting_ids:
        awaiting = list(
            Comment.objects.pending().filter(article=article, pk__in=awaiting_ids).for_display()
        )

    form = context.get("comment_form")
    reply_to = None
    if form is None:
        initial = remembered_author(request)
        initial["remember"] = bool(initial)
        reply_to_id = request.GET.get("replytocom", "")
        if reply_to_id.isdigit():
            reply_to = next((c for c in comments if c.pk == int(reply_to_id)), None)
            if reply_to is not None:
                initial["parent"] = reply_to.pk
        form = CommentForm(article=article, initial=initial)
    elif form.is_bound and form.data.get("parent", "").isdigit():
        reply_to = next((c for c in comments if c.pk == int(form.data["parent"])), None)

    return {
        "request": request,
        "article": article,
        "site": context.get("site"),
        "comments": _thread(comments, awaiting),
        "comment_count": counts["total"],
        "page_number": number,
        "num_pages": num_pages,
        "form": form,
        "reply_to": reply_to,
        "comments_open": comments_open(article),
        "max_depth": settings.COMMENTS_MAX_DEPTH,
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
