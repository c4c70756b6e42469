"""Template tags of the reader's site: the sidebar, and an article's JSON-LD."""

import json

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.selectors import sidebar_data
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
        timeout=pagecache.seconds_until_stale,
    )
    return mark_safe(html)


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
