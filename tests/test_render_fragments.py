"""The post page's own HTML and its comment form are built once per content
change (``post_html``, ``render_comments``), and never shared where they
would be someone's own: what a reader sees stays the same."""

import pytest
from django.core.cache import cache

from articles.services import article_save
from newsroom.models import SiteSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """Page cache off: each request renders, so the fragments are what is tested."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def article(article_factory):
    return article_factory()


def templates_rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def test_a_second_render_of_a_post_reuses_its_html_and_comment_form(client, article):
    client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert article.title in again.content.decode()
    assert not templates_rendered(again) & {
        "includes/post_article.html",
        "includes/post_head.html",
        "comments/respond.html",
    }


def test_an_edited_post_shows_its_new_title_at_once(client, article):
    client.get(article.get_absolute_url())
    article.title = "A corrected headline"
    article_save(article=article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<h1 class="post__title">A corrected headline</h1>' in html
    assert '<meta property="og:title" content="A corrected headline">' in html


def test_a_reply_link_gets_its_own_form_after_the_shared_one_is_cached(
    client, article, comment_factory
):
    parent = comment_factory(article=article, author_name="Ann")
    client.get(article.get_absolute_url())
    html = client.get(article.get_absolute_url(), {"replytocom": parent.pk}).content.decode()
    assert '<h2 class="comments__leave">Reply to Ann</h2>' in html
    shared = client.get(article.get_absolute_url()).content.decode()
    assert '<h2 class="comments__leave">Leave a comment</h2>' in shared


def test_a_visitor_with_a_session_gets_a_csrf_token_in_the_form(client, article):
    client.get(article.get_absolute_url())  # the shared form, without a token, is cached
    client.cookies["sessionid"] = "someone"
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_post_on_another_host_carries_that_hosts_absolute_urls(client, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    client.get(article.get_absolute_url())
    html = client.get(article.get_absolute_url(), HTTP_HOST="mirror.example").content.decode()
    assert f'"mainEntityOfPage": "http://mirror.example{article.get_absolute_url()}"' in html


def test_a_second_render_of_a_post_reuses_the_site_header_and_footer(client, article):
    client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert not templates_rendered(again) & {
        "includes/header.html",
        "includes/footer.html",
        "includes/head_links.html",
        "includes/post_navigation.html",
    }


def test_a_renamed_site_shows_its_new_name_in_the_header_and_footer_at_once(client, article):
    client.get(article.get_absolute_url())
    site = SiteSettings.load()
    site.name = "The Harbour Gazette"
    site.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="site-header__name" href="/">The Harbour Gazette</a>' in html
    assert "The Harbour Gazette</p>" in html.split('<footer class="site-footer"')[1]


def test_the_search_page_keeps_the_query_in_the_header_search_box(client, article):
    client.get("/")  # the shared header, with an empty box, is cached
    html = client.get("/search/", {"q": "harbour cranes"}).content.decode()
    assert 'id="search-q" type="search" name="q" value="harbour cranes"' in html


def test_a_new_post_appears_as_the_next_link_of_the_one_before(client, article, article_factory):
    client.get(article.get_absolute_url())
    newer = article_factory(title="The story after")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'rel="next" href="{newer.get_absolute_url()}"' in html


def cache_keys_containing(text: str) -> list[str]:
    backend = cache._cache
    if isinstance(backend, dict):  # local memory
        return [key for key in backend if text in key]
    return backend.get_client().keys(f"*{text}*")


def test_an_unknown_post_address_is_a_404_and_is_not_kept_in_the_cache(client, article):
    client.get(article.get_absolute_url())
    kept = cache_keys_containing("published-post:")
    assert len(kept) == 1
    missing = article.get_absolute_url().replace(article.slug, "no-such-story")
    assert client.get(missing).status_code == 404
    assert client.get(missing).status_code == 404
    assert cache_keys_containing("published-post:") == kept


def test_a_new_article_appears_on_the_home_page_and_its_category_at_once(
    client, article_factory, category_factory
):
    world = category_factory(name="World")
    article_factory(title="Yesterdays story", categories=[world])
    client.get("/"), client.get(world.get_absolute_url())
    article_factory(title="Todays story", categories=[world])
    assert "Todays story" in client.get("/").content.decode()
    assert "Todays story" in client.get(world.get_absolute_url()).content.decode()


def test_a_listing_grows_a_second_page_when_enough_is_published(client, article_factory, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    article_factory.create_batch(2)
    assert "Page 1 of" not in client.get("/").content.decode()
    article_factory()
    assert "Page 1 of 2" in client.get("/").content.decode()
    assert client.get("/", {"page": 2}).status_code == 200


def test_an_address_with_no_page_is_a_404_and_is_not_kept_in_the_cache(client, page_factory):
    page_factory(slug="about")
    client.get("/about/")
    kept = cache_keys_containing("published-page:")
    assert len(kept) == 1
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/" + "very-long-" * 100 + "/").status_code == 404
    assert cache_keys_containing("published-page:") == kept


def test_an_unknown_category_tag_or_source_is_a_404_and_is_not_kept(client, category_factory):
    world = category_factory(name="World")
    client.get(world.get_absolute_url())
    kept = cache_keys_containing("articles:articles.category:")
    for url in ("/category/no-such-section/", "/tag/no-such-tag/", "/source/no-such-source/"):
        assert client.get(url).status_code == 404, url
    assert cache_keys_containing("articles:articles.category:") == kept
    assert cache_keys_containing("articles:taggit.tag:") == []
    assert cache_keys_containing("articles:articles.source:") == []
