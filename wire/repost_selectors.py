"""Reads for reposting: which source a URL belongs to and how a source's
articles are usually filed. Called by ``wire.reposting`` (what was reposted
already is ``wire.selectors.article_reposted_from``, shared with the wire)."""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from articles.models import Article, Category, Source

# How many of the source's newest articles the filing suggestions look at, and
# what share of them must carry a category or tag for it to be suggested.
SUGGESTION_SAMPLE = 50
SUGGESTION_SHARE = 0.2
MAX_SUGGESTED_CATEGORIES = 3
MAX_SUGGESTED_TAGS = 5


@dataclass(frozen=True)
class FilingSuggestion:
    categories: list[Category]
    tags: list[str]


def bare_host(url: str) -> str:
    """The host of ``url`` in lower case, without ``www.`` and without a port."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def source_for_url(url: str) -> Source | None:
    """The source whose homepage or feed is on ``url``'s site (its host, or a
    domain the host is under: ``news.example.org`` belongs to ``example.org``)."""
    host = bare_host(url)
    if not host:
        return None
    # The longest (most specific) matching site wins; a query per domain level.
    parts = host.split(".")
    for start in range(len(parts) - 1):
        domain = ".".join(parts[start:])
        candidates = Source.objects.filter(
            Q(homepage_url__icontains=domain) | Q(feed_url__icontains=domain)
        ).order_by("pk")
        for source in candidates:
            if domain in {bare_host(source.homepage_url), bare_host(source.feed_url)}:
                return source
    return None


def filing_suggestion(source: Source) -> FilingSuggestion:
    """The categories and tags most used by ``source``'s newest articles: what an
    editor would most likely choose for one more article from it."""
    recent = list(
        Article.objects.filter(source=source)
        .order_by("-publish_at", "-pk")
        .values_list("pk", flat=True)[:SUGGESTION_SAMPLE]
    )
    if not recent:
        return FilingSuggestion(categories=[], tags=[])
    enough = max(1, round(len(recent) * SUGGESTION_SHARE))
    category_counts = Counter(
        Article.categories.through.objects.filter(article_id__in=recent).values_list(
            "category_id", flat=True
        )
    )
    tag_counts = Counter(
        Article.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(Article), object_id__in=recent
        ).values_list("tag__name", flat=True)
    )
    category_ids = [pk for pk, n in category_counts.most_common() if n >= enough]
    categories = Category.objects.in_bulk(category_ids[:MAX_SUGGESTED_CATEGORIES])
    return FilingSuggestion(
        categories=[categories[pk] for pk in category_ids if pk in categories],
        tags=[name for name, n in tag_counts.most_common(MAX_SUGGESTED_TAGS) if n >= enough],
    )
