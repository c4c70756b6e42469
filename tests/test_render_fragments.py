"""The post page's own HTML and its comment form are built once per content
change (``post_html``, ``render_comments``), and never shared where they
would be someone's own: what a reader sees stays the same."""

import pytest

from articles.services import article_save

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
