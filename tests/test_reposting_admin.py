"""The article admin's "Repost from a URL" (issue 16): who may use it, where it
lands, and how a refusal is shown. Pages come from a loopback server."""

from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import Article
from tests.web_server import WebServer

pytestmark = pytest.mark.django_db

PAGE = (Path(__file__).parent / "data" / "articles" / "opengraph_only.html").read_bytes()
REPOST = reverse("reposting:from_url")


@pytest.fixture
def site(settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        server.add("/story", body=PAGE)
        yield server


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_article_form_offers_repost_from_a_url_beside_the_source_fields(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()

    source_fields = page.index('id="id_source_url"')
    link = page.index(f'href="{REPOST}"')
    assert link > source_fields
    assert link < page.index('id="id_categories"')


def test_the_articles_list_offers_repost_from_a_url(editor_client):
    page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()

    assert f'href="{REPOST}"' in page


def test_an_editor_sees_the_url_field_and_the_image_choice(editor_client):
    page = editor_client.get(REPOST).content.decode()

    assert 'name="url"' in page
    assert 'value="download"' in page
    assert 'value="drop"' in page


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_admin_login(client):
    response = client.get(REPOST)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_moderator_may_not_repost(client, moderator, site):
    client.force_login(moderator)

    response = client.post(REPOST, {"url": site.url("/story"), "images": "drop"})

    assert response.status_code == 403
    assert Article.objects.posts().count() == 0
    assert site.requests == []


def test_reposting_lands_the_editor_on_the_new_drafts_form_with_a_message(editor_client, site):
    response = editor_client.post(
        REPOST, {"url": site.url("/story"), "images": "download"}, follow=True
    )

    article = Article.objects.posts().get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    page = response.content.decode()
    assert "New reservoir fills a year early after wet spring" in page
    assert "Review it, then publish." in page
    assert "A new source “Valley Courier”" in page
    assert article.status == Article.Status.DRAFT


def test_reposting_a_url_already_reposted_opens_the_existing_article(editor_client, site):
    editor_client.post(REPOST, {"url": site.url("/story"), "images": "drop"})

    response = editor_client.post(
        REPOST, {"url": site.url("/story"), "images": "drop"}, follow=True
    )

    assert Article.objects.posts().count() == 1
    assert "already reposted" in response.content.decode()


def test_a_refused_url_shows_the_form_again_with_the_reason(editor_client, site, settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = False

    response = editor_client.post(REPOST, {"url": site.url("/story"), "images": "drop"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "127.0.0.1" in page
    assert site.url("/story") in page  # the editor's URL is kept in the field
    assert Article.objects.posts().count() == 0


def test_a_url_that_is_not_a_web_address_is_a_form_error(editor_client):
    response = editor_client.post(REPOST, {"url": "javascript:alert(1)", "images": "drop"})

    assert response.status_code == 200
    assert "Only web addresses" in response.content.decode()
