"""Issue #14: old links that Newsroom's own pages would shadow, and sticky posts.

* An old link whose path a Newsroom page answers (``/search/``, ``/feed/``,
  ``/category/x/``, ``/2024/``…) is reported at import, naming what answers
  it, and the Newsroom page keeps its address.
* An old permalink no Newsroom page answers still gets one 301, even where
  the post page would have guessed another article with the same slug.
* A WordPress sticky post is imported featured, pinned at the top of the home
  page; an editor features and unfeatures articles in the admin.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.forms import article_add_form
from tests.imported import import_posts, post_xml, reported_about, table_row, wp_article

pytestmark = pytest.mark.django_db


SHADOWED = [
    ("/search/", "articles:search"),
    ("/feed/", "articles:feed"),
    ("/category/news/", "articles:category"),
    ("/2024/", "articles:year"),
]


def test_old_links_a_newsroom_page_answers_are_reported_and_the_page_stays(tmp_path, client):
    posts = [
        post_xml(n, f"post-{n}", link=link, date="2024-08-01 09:00:00")
        for n, (link, _) in enumerate(SHADOWED, start=1)
    ]
    report = import_posts(tmp_path, *posts)
    for n, (link, view_name) in enumerate(SHADOWED, start=1):
        shadowed = f"old address {link} is answered by Newsroom's {view_name} page"
        assert any(shadowed in line for line in reported_about(report, f"Post {n}"))
    # Newsroom's pages keep their addresses.
    assert client.get("/search/").status_code == 200
    assert client.get("/feed/").status_code == 200
    assert client.get("/2024/").status_code == 200


def test_an_old_permalink_no_newsroom_page_answers_redirects_once_unreported(tmp_path, client):
    report = import_posts(
        tmp_path,
        post_xml(1, "hello", link="/2012/01/03/hello/", date="2024-08-01 09:00:00"),
        post_xml(2, "other", link="/archives/other/", date="2024-08-02 09:00:00"),
    )
    assert "is answered by" not in report
    for old, post_id in (("/2012/01/03/hello/", 1), ("/archives/other/", 2)):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == wp_article(post_id).get_absolute_url()
        assert client.get(response["Location"]).status_code == 200


def test_an_exact_old_permalink_wins_over_the_post_pages_guess(tmp_path, client, article_factory):
    """``/2012/01/03/hello/`` on the old site was post 1; here ``hello`` is
    another article's slug, at another date. The post page would redirect to
    that article; the old link, exact, is followed instead."""
    other = article_factory(title="Hello", slug="hello")
    report = import_posts(
        tmp_path, post_xml(1, "hello", link="/2012/01/03/hello/", date="2024-08-01 09:00:00")
    )
    imported = wp_article(1)
    assert imported.slug != "hello"
    assert "is answered by" not in report
    response = client.get("/2012/01/03/hello/")
    assert response.status_code == 301
    assert response["Location"] == imported.get_absolute_url()
    # The other article's own page, and its redirect from a wrong date, are untouched.
    assert client.get(other.get_absolute_url()).status_code == 200
    moved = client.get("/2013/05/06/hello/")
    assert moved.status_code == 301
    assert moved["Location"] == other.get_absolute_url()


def test_an_old_permalink_that_is_another_articles_address_is_reported(
    tmp_path, client, article_factory
):
    other = article_factory(title="Already here", slug="hello")
    link = other.get_absolute_url()
    report = import_posts(tmp_path, post_xml(1, "greeting", link=link, date="2024-08-01 09:00:00"))
    assert f"old address {link} is answered by the article 'Already here'" in report
    assert client.get(link).status_code == 200


# -- Sticky posts: featured articles ----------------------------------------------


def test_a_sticky_post_is_imported_featured_and_first_on_the_home_page(tmp_path, client):
    report = import_posts(
        tmp_path,
        post_xml(1, "pinned", link="/pinned/", date="2020-01-01 09:00:00", sticky=True),
        post_xml(2, "newer", link="/newer/", date="2024-08-01 09:00:00"),
        post_xml(3, "newest", link="/newest/", date="2024-08-02 09:00:00"),
    )
    assert "1 sticky post: imported as featured" in report
    assert wp_article(1).is_featured
    assert not wp_article(2).is_featured
    titles = [article.title for article in client.get("/").context["articles"]]
    assert titles == ["Post 1", "Post 3", "Post 2"]
    # A re-import changes nothing.
    again = import_posts(
        tmp_path,
        post_xml(1, "pinned", link="/pinned/", date="2020-01-01 09:00:00", sticky=True),
        post_xml(2, "newer", link="/newer/", date="2024-08-01 09:00:00"),
        post_xml(3, "newest", link="/newest/", date="2024-08-02 09:00:00"),
    )
    assert table_row(again, "total")[:2] == (0, 0)


def test_only_published_featured_articles_are_pinned(client, article_factory):
    now = timezone.now()
    article_factory(title="Latest", publish_at=now - timedelta(hours=1))
    article_factory(title="Pinned", is_featured=True, publish_at=now - timedelta(days=30))
    article_factory(title="Draft", is_featured=True, status=Article.Status.DRAFT)
    article_factory(title="Scheduled", is_featured=True, publish_at=now + timedelta(days=1))
    titles = [article.title for article in client.get("/").context["articles"]]
    assert titles == ["Pinned", "Latest"]


def test_an_editor_features_and_unfeatures_an_article_in_the_admin(client, editor, article_factory):
    article = article_factory(title="Worth pinning", author=editor)
    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    form = article_add_form(editor, title="Worth pinning", slug=article.slug)
    response = client.post(change, {**form, "is_featured": "on"})
    assert response.status_code == 302, response.content[:2000]
    article.refresh_from_db()
    assert article.is_featured
    changelist = client.get(reverse("admin:articles_article_changelist"), {"is_featured__exact": 1})
    assert [a.pk for a in changelist.context["cl"].result_list] == [article.pk]
    assert client.post(change, form).status_code == 302
    article.refresh_from_db()
    assert not article.is_featured
