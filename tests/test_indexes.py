"""Every filter and ordering on a hot path has an index (PostgreSQL plans).

With sequential scans priced out (``enable_seqscan = off``), a query that still
plans a Seq Scan on a big table has no index it can use. Small tables
(categories, sources, tags) are exempt: they stay small.
"""

import pytest
from django.db import connection

from articles.models import Article, Category, category_and_descendants
from articles.search import search
from comments.models import Comment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL query plans"),
]

BIG_TABLES = (
    "articles_article",
    "comments_comment",
    "taggit_taggeditem",
    "articles_article_categories",
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def seq_scans(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if "Seq Scan on" in line and any(t in line for t in BIG_TABLES)
    ]


@pytest.fixture
def site(article_factory, category_factory, comment_factory, source_factory):
    category = category_factory()
    article = article_factory(categories=[category], tags=["x"], source=source_factory())
    comment_factory(article=article)
    return article, category


def test_listing_queries_use_indexes(site):
    article, category = site
    published = Article.objects.published().for_listing()
    queries = {
        "home": published.featured_first()[:10],
        "category": published.in_category_tree(category)[:10],
        "tag": published.filter(tags__name="x")[:10],
        "source": published.filter(source=article.source)[:10],
        "author": published.filter(author=article.author)[:10],
        "month archive": published.filter(publish_at__year=2024, publish_at__month=8)[:10],
        "count": published.values("pk"),
    }
    for name, queryset in queries.items():
        assert seq_scans(plan(queryset)) == [], name


def test_comment_queries_use_indexes(site):
    article, _ = site
    approved = Comment.objects.approved().filter(article=article)
    queries = {
        "post page threads": approved.filter(parent__isnull=True).order_by("created_at", "pk")[:50],
        "replies": approved.filter(root__in=[1, 2, 3]),
        "moderation queue": Comment.objects.pending().order_by("-created_at")[:50],
        "returning author": Comment.objects.approved().filter(author_email="a@example.org"),
    }
    for name, queryset in queries.items():
        assert seq_scans(plan(queryset)) == [], name


def test_search_uses_the_gin_index(site):
    from django.contrib.postgres.search import SearchQuery

    assert seq_scans(plan(search(Article.objects.published(), "security"))) == []
    matching = Article.objects.filter(search_vector=SearchQuery("security", config="english"))
    assert "article_search_vector_gin" in plan(matching)


def test_category_tree_is_read_once(site, django_assert_num_queries):
    _, category = site
    with django_assert_num_queries(1):
        category_and_descendants(category.pk)
    assert Category.objects.count() >= 1


def test_the_already_reposted_lookups_use_the_source_url_index(site):
    link = "https://thecradle.co/articles/one"
    queries = {
        "articles reposted from a link": Article.objects.filter(source_url=link),
        "the wire page's links": Article.objects.filter(source_url__in=[link, link + "/two"]),
    }
    for name, queryset in queries.items():
        assert "article_source_url_idx" in plan(queryset), name
    # The first of them (on a table this small the planner may walk the primary key).
    assert seq_scans(plan(Article.objects.filter(source_url=link).order_by("pk")[:1])) == []
