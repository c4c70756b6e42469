"""Template tags of the reader's site: the sidebar, the header's page menu, a
listing's cards, a post's own HTML, and an article's JSON-LD.

The parts of a page that only change with published content are rendered once
per ``content`` generation through ``pagecache.fragment`` (the one freshness
API): the sidebar, the page menu, a listing page's cards (``render_cards``),
and a post's head tags, article element and navigation (``post_html``). So a
page the page cache missed — a comment approved, a visitor with a session —
renders little more than its comment thread.
"""

import json

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.selectors import (
    article_filing_loaded,
    article_neighbours,
    article_related,
    page_menu,
    sidebar_data,
)
from newsroom import pagecache
from newsroom.links import safe_url

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def render_sidebar() -> str:
    """The sidebar's HTML, rendered once per content change (``sidebar_data``)."""
    html = pagecache.fragment(
        "articles:sidebar",
        pagecache.CONTENT,
        build=lambda: render_to_string(
            "includes/sidebar_widgets.html", {"sidebar": sidebar_data()}
        ),
    )
    return mark_safe(html)


@register.simple_tag
def render_page_menu() -> str:
    """The header's navigation of published pages, rendered once per content
    change (``page_menu``); nothing when there are no pages."""
    html = pagecache.fragment(
        "articles:page-menu",
        pagecache.CONTENT,
        build=lambda: render_to_string("includes/page_menu.html", {"pages": page_menu()}),
    )
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def render_cards(context, articles, empty: str = "") -> str:
    """A listing page's article cards (``empty`` when there are none), rendered
    once per content change for each listing page. ``articles`` is the page's
    lazy queryset: a page whose cards are cached does not run it."""
    page = context.get("page_obj")
    number = page.number if page is not None else 1
    html = pagecache.fragment(
        f"articles:cards:{context['request'].path}:{number}",
        pagecache.CONTENT,
        build=lambda: render_to_string(
            "includes/article_cards.html", {"articles": articles, "empty": empty}
        ),
    )
    return mark_safe(html)


POST_PARTS = {
    "head": "includes/post_head.html",
    "article": "includes/post_article.html",
    "navigation": "includes/post_navigation.html",
}


@register.simple_tag(takes_context=True)
def post_html(context, article, part: str) -> str:
    """One part of a post page's own HTML: ``"head"`` (meta tags, JSON-LD),
    ``"article"`` (title, source, image, body, filing) or ``"navigation"``
    (previous, next and related articles).

    The parts are built together, once per content change (an edit, a
    category renamed, the site renamed all bump ``content``), and kept for the
    rest of this render in ``render_context``, so a page reads the cache once.
    The absolute URLs they carry follow the request's host, so it is part of
    the key; a preview of an unpublished article is never cached."""
    memo_key = ("post_html", article.pk)
    parts = context.render_context.get(memo_key)
    if parts is None:
        parts = context.render_context[memo_key] = _post_parts(context, article)
    return mark_safe(parts[part])


def _post_parts(context, article) -> dict[str, str]:
    request = context["request"]
    values = {
        "article": article,
        "request": request,
        "site": context["site"],
        "canonical_url": context.get("canonical_url"),
    }

    def build() -> dict[str, str]:
        article_filing_loaded(article)
        values.update(article_neighbours(article=article))
        values["related_articles"] = article_related(article=article)
        return {part: render_to_string(name, values) for part, name in POST_PARTS.items()}

    if not article.is_published:
        return build()
    origin = f"{request.scheme}://{request.get_host()}"
    return pagecache.fragment(
        f"articles:post:{article.pk}:{article.updated_at.timestamp()}:{origin}",
        pagecache.CONTENT,
        build=build,
    )


@register.simple_tag(takes_context=True)
def article_jsonld(context, article) -> str:
    """A ``NewsArticle`` JSON-LD block, crediting the source as ``isBasedOn``."""
    request = context["request"]
    site = context["site"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "author": {
            "@type": "Person",
            "name": article.author.get_display_name(),
            "url": request.build_absolute_uri(article.author.get_absolute_url()),
        },
        "publisher": {"@type": "Organization", "name": site.name},
        "keywords": [tag.name for tag in article.tags.all()],
        "articleSection": [category.name for category in article.categories.all()],
    }
    if article.featured_image:
        data["image"] = [request.build_absolute_uri(article.featured_image.url)]
    if article.source_id:
        homepage = safe_url(article.source.homepage_url)  # the one URL rule (newsroom.links)
        based_on = {
            "@type": "NewsArticle",
            "publisher": {
                "@type": "Organization",
                "name": article.source.name,
                **({"url": homepage} if homepage else {}),
            },
        }
        if original := safe_url(article.source_url):
            based_on["url"] = original
        if article.source_published_on:
            based_on["datePublished"] = article.source_published_on.isoformat()
        data["isBasedOn"] = based_on
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
