from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_published_article_is_visible(article_factory):
    article = article_factory()
    assert list(Article.objects.published()) == [article]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.PENDING])
def test_unpublished_statuses_are_hidden(article_factory, status):
    article_factory(status=status)
    assert not Article.objects.published().exists()


def test_scheduled_article_is_hidden_until_its_time(article_factory):
    publish_at = timezone.now() + timedelta(days=1)
    article = article_factory(publish_at=publish_at)

    assert not Article.objects.published().exists()
    assert article.is_scheduled
    assert list(Article.objects.scheduled()) == [article]

    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert list(Article.objects.published()) == [article]


def test_published_lists_newest_first(article_factory):
    older = article_factory(publish_at=timezone.now() - timedelta(days=2))
    newer = article_factory(publish_at=timezone.now() - timedelta(days=1))
    assert list(Article.objects.published()) == [newer, older]


def test_blank_excerpt_is_derived_from_the_body(article_factory):
    article = article_factory(body="<p>" + " ".join(f"word{i}" for i in range(80)) + "</p>")
    assert article.summary.startswith("word0 word1")
    assert article.summary.endswith("…")
    assert len(article.summary.split()) == 55


def test_written_excerpt_is_kept(article_factory):
    article = article_factory(excerpt="In short: it happened.")
    assert article.summary == "In short: it happened."


def test_slug_is_made_from_the_title_and_kept_unique(article_factory):
    first = article_factory(title="Same headline")
    second = article_factory(title="Same headline")
    assert first.slug == "same-headline"
    assert second.slug == "same-headline-2"


def test_permalink_uses_the_publication_date(article_factory):
    article = article_factory(
        title="Dated",
        publish_at=timezone.make_aware(timezone.datetime(2024, 8, 1, 12, 0)),
    )
    assert article.get_absolute_url() == "/2024/08/01/dated/"
