"""Pages (issue 14): About, Contact, /about/team/ — articles of kind page at
their own path, with comments, outside every listing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Page
from articles.services import article_save
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(page_factory):
    return page_factory(title="About us", slug="about")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- The model: paths, slugs, parents ---------------------------------------------


def test_a_top_level_page_is_at_its_slug(about):
    assert (about.kind, about.path, about.get_absolute_url()) == ("page", "about", "/about/")


def test_a_subpage_is_under_its_parent(page_factory, about):
    team = page_factory(title="Team", slug="team", parent=about)
    assert team.get_absolute_url() == "/about/team/"


def test_renaming_a_parent_moves_every_subpage(page_factory, about):
    team = page_factory(title="Team", slug="team", parent=about)
    eleni = page_factory(title="Eleni", slug="eleni", parent=team)
    about.slug = "who-we-are"
    article_save(article=about)
    assert Page.objects.get(pk=eleni.pk).path == "who-we-are/team/eleni"


def test_moving_a_page_under_another_moves_its_subpages(page_factory, about):
    team = page_factory(title="Team", slug="team")
    page_factory(title="Eleni", slug="eleni", parent=team)
    team.parent = about
    article_save(article=team)
    assert Page.objects.filter(path="about/team/eleni").exists()


def test_a_page_cannot_be_put_inside_its_own_subpage(page_factory, about):
    team = page_factory(title="Team", slug="team", parent=about)
    about.parent = team
    with pytest.raises(ValidationError):
        article_save(article=about)


def test_the_database_refuses_a_page_that_is_its_own_parent(about):
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=about.pk).update(parent=about.pk)


def test_two_pages_cannot_share_an_address(page_factory, about):
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(title="Other", slug="about", path="about")


def test_a_page_may_share_a_posts_slug(article_factory, page_factory):
    post = article_factory(title="About", slug="about")
    page = page_factory(title="About", slug="about")
    assert (post.slug, page.slug) == ("about", "about")


def test_a_blank_slug_is_made_free_among_siblings_only(page_factory, about):
    page_factory(title="Team", slug="team")
    team = page_factory(title="Team", slug="", parent=about)
    assert team.slug == "team"


def test_clean_refuses_an_address_the_site_answers_itself(page_factory):
    page = Page(title="Search", slug="search", status="published")
    with pytest.raises(ValidationError, match="articles:search"):
        page.full_clean(exclude=["author"])


def test_a_post_cannot_have_a_parent(article_factory, about):
    post = article_factory()
    post.parent = about
    with pytest.raises(ValidationError, match="Only pages"):
        post.clean()


# --- What readers see ----------------------------------------------------------


def test_a_published_page_is_shown_at_its_path(client, page_factory, about):
    page_factory(title="Our team", slug="team", parent=about, body="<p>Eleni and Nikos.</p>")
    response = client.get("/about/team/")
    assert response.status_code == 200
    assert "Eleni and Nikos." in response.content.decode()
    assert "Our team" in response.content.decode()


def test_a_page_shows_no_byline_source_or_filing(client, about):
    html = client.get("/about/").content.decode()
    assert "Posted by" not in html
    assert "post__source" not in html


@pytest.mark.parametrize(
    ("status", "delay"),
    [("draft", timedelta(0)), ("pending", timedelta(0)), ("published", timedelta(days=1))],
)
def test_a_draft_pending_or_scheduled_page_is_a_404(client, page_factory, status, delay):
    page_factory(slug="soon", status=status, publish_at=timezone.now() + delay)
    assert client.get("/soon/").status_code == 404


def test_staff_preview_a_draft_page(editor_client, page_factory):
    page_factory(slug="soon", status="draft")
    response = editor_client.get("/soon/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"


def test_an_edited_page_is_shown_at_once_though_it_was_cached(client, settings, about):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    assert client.get("/about/").status_code == 200
    assert client.get("/about/")["X-Cache"] == "HIT"
    about.body = "<p>Now with a new text.</p>"
    with TestCase.captureOnCommitCallbacks(execute=True):
        article_save(article=about)
    assert "Now with a new text." in client.get("/about/").content.decode()


def test_an_address_with_no_page_is_a_404(client):
    assert client.get("/no-such-page/").status_code == 404


def test_pages_stay_out_of_the_home_pages_listing_and_feeds(client, article_factory, page_factory):
    article_factory(title="A real post")
    page_factory(title="Quiet page")
    home = client.get("/").content.decode()
    listing = home[home.index('<main id="content"') : home.index("</main>")]
    assert "A real post" in listing
    assert "Quiet page" not in listing  # only in the header's page menu
    for url in ("/feed/", "/sitemap-articles.xml"):
        assert "Quiet page" not in client.get(url).content.decode(), url


def test_the_privacy_page_moved_from_flatpages_is_a_page(client):
    privacy = Page.objects.get(path="privacy")
    assert privacy.is_published
    assert client.get("/privacy/").status_code == 200


def test_the_old_flatpage_urls_are_gone(client):
    assert client.get("/pages/privacy/").status_code == 404


def test_the_page_sitemap_lists_published_pages_only(client, page_factory, about):
    page_factory(slug="draft-page", status="draft")
    xml = client.get("/sitemap-pages.xml").content.decode()
    assert "http://testserver/about/" in xml
    assert "draft-page" not in xml


# --- Comments on pages ----------------------------------------------------------


def test_a_page_shows_its_approved_comments(client, comment_factory, about):
    comment_factory(article=about, body="Lovely team.")
    assert "Lovely team." in client.get("/about/").content.decode()


def test_the_comment_form_on_a_page_stores_a_comment_for_it(client, about):
    form = client.get("/about/").content.decode()
    action = reverse("comments:post", args=[about.pk])
    assert f'action="{action}"' in form
    response = client.post(
        action,
        {"author_name": "Zoë", "author_email": "zoe@example.org", "body": "Hello team."},
    )
    comment = Comment.objects.get()
    assert (comment.article_id, comment.body) == (about.pk, "Hello team.")
    assert response["Location"] == f"/about/#comment-{comment.pk}"


def test_a_comment_with_errors_shows_the_page_again(client, about):
    response = client.post(reverse("comments:post", args=[about.pk]), {"body": "Hi"})
    assert response.status_code == 400
    assert "articles/page_detail.html" in [t.name for t in response.templates]


def test_a_draft_page_takes_no_comments(client, page_factory):
    draft = page_factory(status="draft")
    response = client.post(
        reverse("comments:post", args=[draft.pk]),
        {"author_name": "Zoë", "author_email": "zoe@example.org", "body": "Hello."},
    )
    assert response.status_code == 404


# --- The admin --------------------------------------------------------------------


def page_form(**fields) -> dict:
    return {
        "title": "Contact",
        "slug": "contact",
        "parent": "",
        "menu_order": "2",
        "body": "<p>Write to us.</p>",
        "status": "published",
        "publish_at_0": "2024-08-01",
        "publish_at_1": "12:00:00",
        "comments_enabled": "on",
        **fields,
    }


def test_an_editor_adds_a_page_in_the_admin(editor_client, about):
    response = editor_client.post(
        reverse("admin:articles_page_add"), page_form(parent=str(about.pk))
    )
    assert response.status_code == 302
    page = Page.objects.get(slug="contact")
    assert (page.path, page.menu_order, page.body) == ("about/contact", 2, "<p>Write to us.</p>")


def test_an_editor_edits_a_page_in_the_admin(editor_client, about):
    url = reverse("admin:articles_page_change", args=[about.pk])
    editor_client.post(url, page_form(title="About", slug="who-we-are"))
    assert Page.objects.get(pk=about.pk).get_absolute_url() == "/who-we-are/"


def test_the_admin_refuses_a_taken_page_address(editor_client, about):
    response = editor_client.post(reverse("admin:articles_page_add"), page_form(slug="about"))
    assert response.status_code == 200
    assert "Another page has the address /about/." in response.content.decode()


def test_the_admin_refuses_an_address_the_site_answers(editor_client):
    response = editor_client.post(reverse("admin:articles_page_add"), page_form(slug="feed"))
    assert response.status_code == 200
    assert not Page.objects.filter(slug="feed").exists()


def test_the_page_list_shows_addresses_and_status(editor_client, about, page_factory):
    page_factory(slug="later", status="draft")
    html = editor_client.get(reverse("admin:articles_page_changelist")).content.decode()
    assert "/about/" in html
    assert "Draft" in html


def test_the_article_list_shows_posts_only(editor_client, article_factory, about):
    article_factory(title="A real post")
    html = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "A real post" in html
    assert "About us" not in html


def test_a_post_to_a_page_is_not_allowed(client, about):
    assert client.post("/about/", {"x": "1"}).status_code == 405


def test_a_post_to_an_address_with_no_page_is_a_404(client):
    assert client.post("/no-such-page/", {"x": "1"}).status_code == 404
