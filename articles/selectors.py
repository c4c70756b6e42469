"""What the reader's pages read beyond a listing's queryset (HackSoft-style selectors).

Listings filter ``Article.objects.published()`` with ``ArticleQuerySet``
methods (``for_listing``, ``in_category_tree``…); the rest is here:

* ``article_filing_loaded`` — an article's categories and tags, read once;
* ``published_post``, ``published_page`` — the published post at a slug, the
  published page at a path, as their views read them, cached until content
  changes;
* ``listed_by_slug`` — the category, source or tag a listing page is about,
  cached until content changes;
* ``article_neighbours``, ``article_related`` — a post page's previous, next
  and related articles (the ``post_html`` tag caches them rendered);
* ``sidebar_data`` — what the sidebar shows (the ``render_sidebar`` tag caches
  it rendered);
* ``page_menu`` — the published pages in the header's navigation (the
  ``render_page_menu`` tag caches it rendered);
* ``next_scheduled_publish_at`` — when the next scheduled article goes live;
  ``ArticlesConfig.ready()`` registers it with the page cache, which expires
  pages of published content then.

Callers: ``articles.views``, ``articles.templatetags.articles_tags``,
``articles.apps``.
"""

import hashlib
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, Q, prefetch_related_objects

from articles.models import Article, Page
from newsroom import pagecache

RELATED_COUNT = 4
TAG_CLOUD_SIZE = 30
RECENT_COUNT = 5
# Fields the post page reads only when it builds the post's HTML.
POST_ROW_DEFERRED = ("body", "excerpt", "featured_image_renditions")


def _found_at(queryset, kind: str, **address):
    """The one row of ``queryset`` at ``address`` (a slug or a path, from the
    address a reader asked for), or None; kept until content changes. The key
    holds a digest of the address, so no length or character of the reader's
    reaches the cache backend; None is not kept, so unknown addresses cannot
    fill the cache."""
    [value] = address.values()
    digest = hashlib.sha256(value.encode("utf-8", "backslashreplace")).hexdigest()[:32]
    return pagecache.fragment(
        f"articles:{kind}:{digest}",
        pagecache.CONTENT,
        build=lambda: queryset.filter(**address).first(),
        keep_none=False,
    )


def published_page(*, path: str) -> Page | None:
    """The published page at ``path``, or None: ``Page.objects.published()``,
    kept until content changes, so a page whose fragments are warm runs no
    query. Every unknown address reaches this (the page URL is the catch-all)."""
    return _found_at(Page.objects.published(), "published-page", path=path)


def listed_by_slug[M: models.Model](model: type[M], *, slug: str) -> M | None:
    """The category, source or tag at ``slug`` (a listing page's subject), or
    None; kept until content changes (saving or deleting one bumps it)."""
    return _found_at(model.objects.all(), model._meta.label_lower, slug=slug)


def article_neighbours(*, article: Article) -> dict[str, Article | None]:
    """The published articles just before and after ``article`` (two queries)."""
    published = Article.objects.published().only("kind", "title", "slug", "publish_at")
    before = Q(publish_at__lt=article.publish_at) | Q(
        publish_at=article.publish_at, pk__lt=article.pk
    )
    after = Q(publish_at__gt=article.publish_at) | Q(
        publish_at=article.publish_at, pk__gt=article.pk
    )
    return {
        "previous_article": published.filter(before).order_by("-publish_at", "-pk").first(),
        "next_article": published.filter(after).order_by("publish_at", "pk").first(),
    }


def article_filing_loaded(article: Article) -> Article:
    """``article`` with its categories and tags read: what ``with_filing()``
    prefetches (two queries), for an article fetched without it. Reads nothing
    when they are already loaded. The post page fetches its article without
    them and reads them only when a fragment that shows them is built."""
    prefetch_related_objects([article], "categories", "tags")
    return article


def article_related(*, article: Article) -> list[Article]:
    """The latest articles sharing a tag or a category with ``article`` (one
    query, after ``article_filing_loaded``)."""
    article_filing_loaded(article)
    tag_ids = [tag.pk for tag in article.tags.all()]
    category_ids = [category.pk for category in article.categories.all()]
    if not tag_ids and not category_ids:
        return []
    # Two semi-joins, not a DISTINCT over a join with both: the newest rows
    # are read by the publish_at index until four match (22 ms → 2 ms at
    # 10,000 articles).
    shared = Q(pk__in=_article_taggings().filter(tag_id__in=tag_ids).values("object_id")) | Q(
        pk__in=Article.categories.through.objects.filter(category_id__in=category_ids).values(
            "article_id"
        )
    )
    return list(
        Article.objects.published()
        .filter(shared)
        .exclude(pk=article.pk)
        .only("kind", "title", "slug", "publish_at")
        .order_by("-publish_at", "-pk")[:RELATED_COUNT]
    )


def published_post(*, slug: str) -> Article | None:
    """The published post at ``slug``, or None: what ``Article.objects.published()``
    gives, kept until content changes, so a post page whose fragments are warm
    runs no query. Without its body and excerpt (the post's HTML is a fragment
    of its own; they are read when it is built)."""
    published = Article.objects.published().defer(*POST_ROW_DEFERRED)
    return _found_at(published, "published-post", slug=slug)


def sidebar_data() -> dict:
    """Categories and sources with their counts of published articles, a tag
    cloud, the latest articles and the months with articles."""
    published = Article.objects.published()
    # Counted over the filing rows of published articles (each row once: no
    # DISTINCT), not per category through a filtered join: a third of the time.
    categories = list(
        Article.categories.through.objects.filter(article__in=published)
        .values(name=F("category__name"), slug=F("category__slug"))
        .annotate(count=Count("article_id"))
        .order_by("name")
    )
    sources = [
        {"name": row["source__name"], "slug": row["source__slug"], "count": row["count"]}
        for row in published.filter(source__isnull=False)
        .values("source__name", "source__slug")
        .annotate(count=Count("pk"))
        .order_by("source__name")
    ]
    tags = _tag_cloud(published)
    recent = list(published.values("title", "slug", "publish_at")[:RECENT_COUNT])
    for article in recent:
        article["url"] = Article(
            slug=article["slug"], publish_at=article["publish_at"]
        ).get_absolute_url()
    return {
        "categories": categories,
        "sources": sources,
        "tags": tags,
        "recent": recent,
        "months": list(published.datetimes("publish_at", "month", order="DESC")),
    }


def page_menu() -> list[dict]:
    """The published top-level pages, by ``menu_order`` then title, each with
    its published subpages (``children``, in the same order): one query.

    A subpage of a page readers cannot open is left out with it; drafts and
    scheduled pages never appear (``Page.objects.published()``)."""
    pages = list(
        Page.objects.published()
        .filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        .order_by("menu_order", "title", "pk")
        .values("pk", "parent_id", "title", "path")
    )
    for page in pages:
        page["url"] = Page(path=page["path"]).get_absolute_url()
    top = {page["pk"]: {**page, "children": []} for page in pages if page["parent_id"] is None}
    for page in pages:
        if page["parent_id"] in top:
            top[page["parent_id"]]["children"].append(page)
    return list(top.values())


def next_scheduled_publish_at() -> datetime | None:
    """When the next scheduled article goes live (None: none is scheduled)."""
    return (
        Article.objects.scheduled()
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def _article_taggings():
    """The rows that tag articles (taggit's generic ``TaggedItem``)."""
    return Article.tags.through.objects.filter(
        content_type=ContentType.objects.get_for_model(Article)
    )


def _tag_cloud(published) -> list[dict]:
    """The most used tags, by name, each with a ``size`` from 1 to 5 by use."""
    # Counted over the tagging rows of published articles (an article has a tag
    # once), then joined to the few tag names: half the time of a count per tag.
    tags = [
        {"name": row["tag__name"], "slug": row["tag__slug"], "count": row["count"]}
        for row in _article_taggings()
        .filter(object_id__in=published.values("pk"))
        .values("tag__name", "tag__slug")
        .annotate(count=Count("pk"))
        .order_by("-count", "tag__name")[:TAG_CLOUD_SIZE]
    ]
    if tags:
        low, high = min(t["count"] for t in tags), max(t["count"] for t in tags)
        for tag in tags:
            tag["size"] = 1 + round(4 * (tag["count"] - low) / (high - low)) if high > low else 3
    tags.sort(key=lambda tag: tag["name"].lower())
    return tags
