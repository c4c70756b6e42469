"""The sidebar every public page shows, built once and cached.

Categories and sources with counts, a tag cloud, recent articles and monthly
archives cost several queries; pages share one cached copy. It is rebuilt
when anything it shows changes (``articles.signals`` bumps the generation) and
at the latest when a scheduled article goes live.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Category, Source
from newsroom import pagecache

MAX_AGE = timedelta(minutes=10)
TAG_CLOUD_SIZE = 30
RECENT_COUNT = 5


def bump_content_generation() -> None:
    """Published content changed: rebuild sidebars, and drop cached pages."""
    pagecache.bump("content")


def sidebar_html() -> str:
    """The rendered sidebar, cached until what it shows changes."""
    use_cache = settings.NEWSROOM_FRAGMENT_CACHE
    key = f"articles:sidebar:{pagecache.generation('content')}"
    html = cache.get(key) if use_cache else None
    if html is None:
        html = render_to_string("includes/sidebar_widgets.html", {"sidebar": build_sidebar()})
        if use_cache:
            cache.set(
                key, html, timeout=min(seconds_until_stale(), settings.FRAGMENT_CACHE_SECONDS)
            )
    return html


def seconds_until_stale() -> int:
    """How long what readers see stays right: until the next scheduled article
    goes live, at most ``MAX_AGE``. One query per content change."""
    key = f"articles:next-scheduled:{pagecache.generation('content')}"
    next_scheduled = cache.get(key)
    if next_scheduled is None:
        next_scheduled = (
            Article.objects.scheduled()
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        ) or False
        cache.set(key, next_scheduled, timeout=int(MAX_AGE.total_seconds()))
    now = timezone.now()
    if next_scheduled and next_scheduled <= now:
        # A scheduled article has just gone live: what readers see changed.
        pagecache.bump("content")
        return seconds_until_stale()
    expiry = min(now + MAX_AGE, next_scheduled or now + MAX_AGE)
    return max(1, int((expiry - now).total_seconds()) + 1)


def build_sidebar() -> dict:
    published = Article.objects.published()
    live = Q(articles__in=published)
    categories = list(
        Category.objects.annotate(count=Count("articles", filter=live, distinct=True))
        .filter(count__gt=0)
        .values("name", "slug", "count")
    )
    sources = list(
        Source.objects.annotate(count=Count("articles", filter=live, distinct=True))
        .filter(count__gt=0)
        .values("name", "slug", "count")
    )
    tags = list(
        Tag.objects.filter(article__in=published)
        .annotate(count=Count("article", distinct=True))
        .order_by("-count", "name")
        .values("name", "slug", "count")[:TAG_CLOUD_SIZE]
    )
    _size_tags(tags)
    tags.sort(key=lambda tag: tag["name"].lower())
    recent = list(published.values("title", "slug", "publish_at")[:RECENT_COUNT])
    for article in recent:
        article["url"] = Article(
            slug=article["slug"], publish_at=article["publish_at"]
        ).get_absolute_url()
    months = list(published.datetimes("publish_at", "month", order="DESC"))
    return {
        "categories": categories,
        "sources": sources,
        "tags": tags,
        "recent": recent,
        "months": months,
    }


def _size_tags(tags: list[dict]) -> None:
    """Give each tag a ``size`` from 1 to 5 by how often it is used."""
    if not tags:
        return
    low, high = min(t["count"] for t in tags), max(t["count"] for t in tags)
    for tag in tags:
        tag["size"] = 1 + round(4 * (tag["count"] - low) / (high - low)) if high > low else 3
