"""Template tags that show an article's comments; the post page and the page
view (``articles/page_detail.html``, given the page's row) use them.

Usage::

    {% load comments %}
    {% render_comments article %}

This keeps the dependency one way: the articles app's template asks for
comments; the articles app itself knows nothing about them. The tags only
render: what they show is read by ``comments.selectors``, and a page of
threads is cached per article until its comments change (``pagecache.fragment``
on the ``article:<pk>`` generation).
"""

import json
import math
import re

from django import template
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from comments.conf import AUTHOR_COOKIE, AUTHOR_COOKIE_SALT, AWAITING_SESSION_KEY
from comments.forms import CommentForm
from comments.html import comment_html
from comments.models import Comment
from comments.selectors import (
    comment_counts,
    comment_reply_target,
    comment_thread_page,
    comments_awaiting,
    comments_pending_count,
)
from comments.services import comments_open
from comments.threads import max_reply_depth
from newsroom import pagecache

register = template.Library()


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


def _awaiting(request, article) -> list[Comment]:
    """The reader's own comments on ``article`` still awaiting moderation."""
    # Only readers who already have a session (they commented) touch it, so
    # everyone else's page does not vary on cookies.
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return []
    ids = request.session.get(AWAITING_SESSION_KEY)
    return comments_awaiting(article=article, comment_ids=ids or ())


def _per_article(article, key: str, awaiting: list[Comment], build):
    """``build()``, cached until the article's comments change; never cached
    for a reader whose own comments awaiting moderation are on the page."""
    if awaiting:
        return build()
    return pagecache.fragment(key, f"article:{article.pk}", build=build)


def _thread_html(request, article, awaiting: list[Comment], open_: bool) -> tuple[str, dict, list]:
    """The heading, threaded comments and page links, as HTML, with the counts
    and the comments read (none when the HTML came from the cache)."""
    counts = _per_article(
        article,
        f"comments:counts:{article.pk}",
        awaiting,
        lambda: comment_counts(article=article),
    )
    num_pages = max(1, math.ceil(counts["roots"] / settings.COMMENTS_PER_PAGE))
    number = _page_number(request, num_pages)
    comments = []

    def render() -> str:
        page = comment_thread_page(article=article, page_number=number, awaiting=awaiting)
        comments.extend(page.comments)
        context = {
            "article": article,
            "thread": page.entries,
            "comment_count": counts["total"],
            "page_number": number,
            "num_pages": num_pages,
            "comments_open": open_,
            "max_reply_depth": max_reply_depth(),
        }
        return render_to_string("comments/thread.html", context)

    html = _per_article(
        article, f"comments:thread:{article.pk}:{number}:{int(open_)}", awaiting, render
    )
    return mark_safe(html), {**counts, "page_number": number, "num_pages": num_pages}, comments


def _reply_target(article, comments: list[Comment], value) -> Comment | None:
    if not re.fullmatch(r"[0-9]{1,18}", str(value or "")):
        return None
    return comment_reply_target(article=article, comment_id=int(value), among=comments)


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

    respond = {
        "article": article,
        "form": form,
        "reply_to": reply_to,
        "comments_open": open_,
        "comment_error": context.get("comment_error"),
    }
    return {
        "request": request,
        "article": article,
        "thread_html": thread_html,
        "respond_html": _respond_html(request, respond),
        "comment_count": counts["total"],
    }


def _respond_html(request, respond: dict) -> str:
    """The form under the post. Every anonymous reader gets the same one (no
    token: ``comments.js`` fetches it; nothing filled in), so that one is
    rendered once per content change; a form with the reader's own values,
    errors, a reply target or a CSRF token is rendered for them alone."""

    def build() -> str:
        return render_to_string("comments/respond.html", respond, request=request)

    form = respond["form"]
    personal = (
        form.is_bound
        or form.initial != {"remember": False}
        or respond["reply_to"] is not None
        or respond["comment_error"]
        or not getattr(request, "page_cacheable", False)
    )
    if personal:
        return mark_safe(build())
    article = respond["article"]
    key = f"comments:respond:{article.pk}:{int(respond['comments_open'])}"
    return mark_safe(pagecache.fragment(key, pagecache.CONTENT, build=build))


register.filter("comment_html", comment_html)


@register.simple_tag
def pending_comment_count() -> int:
    """How many comments wait for a moderator (the admin index shows it)."""
    return comments_pending_count()
