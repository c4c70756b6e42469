"""Full-page caching for anonymous readers: hits, exact invalidation, who is never cached."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_save
from comments.models import Comment
from comments.services import comment_moderate
from newsroom import pagecache
from newsroom.models import SiteSettings
from tests.faults import redis_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """On by default with a shared cache (Redis); tests use local memory."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def article(article_factory, category_factory, source_factory):
    return article_factory(
        title="Cached story",
        categories=[category_factory(name="World")],
        source=source_factory(name="Meridian Review"),
        tags=["energy"],
    )


def fetch(url, client=None, **headers):
    client = client or Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    response.query_count = len(queries)
    return response


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(article):
    first = fetch(article.get_absolute_url())
    second = fetch(article.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.query_count == 0
    assert second.content == first.content


def test_a_new_release_does_not_serve_pages_or_fragments_the_old_code_cached(article, settings):
    settings.NEWSROOM_RELEASE = "before-the-deploy"
    fetch(article.get_absolute_url())
    old = pagecache.fragment("greeting", pagecache.CONTENT, build=lambda: "old markup")
    settings.NEWSROOM_RELEASE = "after-the-deploy"
    assert fetch(article.get_absolute_url())["X-Cache"] == "MISS"
    assert pagecache.fragment("greeting", pagecache.CONTENT, build=lambda: "new markup") == (
        "new markup"
    )
    assert old == "old markup"


def test_a_change_saved_by_a_server_on_the_old_release_reaches_the_new_one(article, settings):
    settings.NEWSROOM_RELEASE = "after-the-deploy"
    fetch(article.get_absolute_url())
    settings.NEWSROOM_RELEASE = "before-the-deploy"
    article.title = "Edited on an old server"
    article_save(article=article)  # the generations it bumps are shared by every release
    settings.NEWSROOM_RELEASE = "after-the-deploy"
    assert "Edited on an old server" in fetch(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("url", ["/", "/category/world/", "/tag/energy/", "/feed/", "/sitemap.xml"])
def test_listings_and_feeds_are_cached(article, url):
    fetch(url)
    assert fetch(url)["X-Cache"] == "HIT"


def test_conditional_get_is_a_304_without_queries_or_templates(article):
    etag = fetch(article.get_absolute_url())["ETag"]
    rendered = []

    def listener(sender, **kwargs):
        rendered.append(kwargs["template"].name)

    template_rendered.connect(listener)
    try:
        response = fetch(article.get_absolute_url(), **{"If-None-Match": etag})
    finally:
        template_rendered.disconnect(listener)
    assert response.status_code == 304
    assert response.query_count <= 1
    assert rendered == []


def test_editing_an_article_refreshes_its_page_and_listings(article):
    fetch(article.get_absolute_url())
    fetch("/")
    article.title = "Edited story"
    article.save()
    assert b"Edited story" in fetch(article.get_absolute_url()).content
    assert b"Edited story" in fetch("/").content


def test_unpublishing_removes_the_article_at_once(article, django_capture_on_commit_callbacks):
    from articles.services import articles_unpublish

    fetch("/")
    with django_capture_on_commit_callbacks(execute=True):
        articles_unpublish(articles=Article.objects.filter(pk=article.pk))
    assert b"Cached story" not in fetch("/").content
    assert fetch(article.get_absolute_url()).status_code == 404


def test_approving_a_comment_refreshes_that_post_only(article, article_factory, comment_factory, moderator,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    other = article_factory()
    fetch(article.get_absolute_url())
    fetch(other.get_absolute_url())
    comment = comment_factory(article=article, status="pending", body="Fresh comment")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="approved", moderator=moderator)
    assert b"Fresh comment" in fetch(article.get_absolute_url()).content
    assert fetch(other.get_absolute_url())["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=Comment.objects.get(), status="trash", moderator=moderator)
    assert b"Fresh comment" not in fetch(article.get_absolute_url()).content


@pytest.mark.parametrize("model", ["category", "source", "tag"])
def test_renaming_a_category_tag_or_source_refreshes_pages(article, model):
    fetch(article.get_absolute_url())
    thing = {
        "category": article.categories.first,
        "source": lambda: article.source,
        "tag": article.tags.first,
    }[model]()
    thing.name = "Renamed thing"
    thing.save()
    assert b"Renamed thing" in fetch(article.get_absolute_url()).content


def test_changing_the_site_name_refreshes_pages(article):
    fetch("/")
    site = SiteSettings.load()
    site.name = "The New Name"
    site.save()
    assert b"The New Name" in fetch("/").content


def test_scheduled_article_appears_when_its_time_comes(article_factory):
    when = timezone.now() + timedelta(minutes=30)
    article_factory(title="Scheduled story", publish_at=when)
    assert b"Scheduled story" not in fetch("/").content
    assert fetch("/")["X-Cache"] == "HIT"
    with time_machine.travel(when + timedelta(seconds=5)):
        assert b"Scheduled story" in fetch("/").content


def test_logged_in_staff_are_never_served_from_the_cache(article, editor):
    fetch(article.get_absolute_url())
    client = Client()
    client.force_login(editor)
    assert "X-Cache" not in fetch(article.get_absolute_url(), client)


def test_a_commenter_awaiting_moderation_gets_their_own_page(article):
    fetch(article.get_absolute_url())
    commenter = Client()
    commenter.post(
        f"/comments/post/{article.pk}/",
        {"author_name": "Ann", "author_email": "ann@example.org", "body": "My words"},
    )
    response = fetch(article.get_absolute_url(), commenter)
    assert "X-Cache" not in response
    assert b"Your comment is awaiting moderation." in response.content
    assert b"My words" not in fetch(article.get_absolute_url()).content


def test_responses_that_set_cookies_are_not_cached(article, rf):
    from django.http import HttpResponse

    from newsroom.pagecache import AnonymousPageCacheMiddleware, depends_on

    def view(request):
        response = depends_on(HttpResponse("hello"), "content")
        response.set_cookie("tracking", "1")
        return response

    middleware = AnonymousPageCacheMiddleware(view)
    middleware(rf.get("/cookie/"))
    assert middleware(rf.get("/cookie/"))["X-Cache"] == "MISS"


def test_anonymous_post_page_carries_no_csrf_token_or_cookie(article):
    response = fetch(article.get_absolute_url())
    assert b"csrfmiddlewaretoken" not in response.content
    assert "csrftoken" not in response.cookies
    assert b'data-token-url="/comments/form-token/"' in response.content


def test_form_token_endpoint_gives_a_token_that_is_never_cached(article):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/comments/form-token/")
    token = response.json()["csrfToken"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    posted = client.post(
        f"/comments/post/{article.pk}/",
        {
            "author_name": "Ann",
            "author_email": "ann@example.org",
            "body": "Hi",
            "csrfmiddlewaretoken": token,
        },
    )
    assert posted.status_code == 302
    assert Comment.objects.count() == 1


def test_post_without_a_token_is_shown_again_with_one_and_stores_nothing(article):
    client = Client(enforce_csrf_checks=True)
    data = {"author_name": "Ann", "author_email": "ann@example.org", "body": "Kept words"}
    response = client.post(f"/comments/post/{article.pk}/", data)
    assert response.status_code == 403
    html = response.content.decode()
    assert "please press “Post Comment” once more" in html
    assert "Kept words" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert not Comment.objects.exists()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    again = client.post(f"/comments/post/{article.pk}/", {**data, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert Comment.objects.count() == 1


def test_page_cache_can_be_switched_off(article, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    fetch(article.get_absolute_url())
    assert "X-Cache" not in fetch(article.get_absolute_url())


# --- pagecache.fragment: one cached part of a page per generation of its names ---------------


class Builds:
    """A fragment's ``build``: counts its calls, returns which call it was."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return f"built {self.count}"


def test_a_fragment_is_built_once_while_its_names_are_unchanged():
    build = Builds()
    values = [
        pagecache.fragment("test:part", "content", "article:1", build=build) for _ in range(3)
    ]
    assert values == ["built 1"] * 3
    assert build.count == 1


@pytest.mark.parametrize("bumped", ["content", "article:1"])
def test_a_fragment_is_rebuilt_after_a_bump_of_any_of_its_names(bumped):
    build = Builds()
    pagecache.fragment("test:part", "content", "article:1", build=build)
    pagecache.bump(bumped)
    assert pagecache.fragment("test:part", "content", "article:1", build=build) == "built 2"
    assert pagecache.fragment("test:part", "content", "article:1", build=build) == "built 2"


def test_a_fragment_is_kept_when_other_names_are_bumped():
    build = Builds()
    pagecache.fragment("test:part", "article:1", build=build)
    pagecache.bump("article:2", "comments")
    assert pagecache.fragment("test:part", "article:1", build=build) == "built 1"


def test_a_fragment_may_be_none_and_is_still_built_once():
    calls = []
    for _ in range(2):
        assert pagecache.fragment("test:none", "content", build=lambda: calls.append(1)) is None
    assert calls == [1]


def test_a_fragment_is_built_every_time_when_the_cache_is_down():
    build = Builds()
    with redis_unreachable():
        values = [pagecache.fragment("test:part", "content", build=build) for _ in range(2)]
    assert values == ["built 1", "built 2"]
    # Nothing was stored behind the unreachable cache's back either.
    assert pagecache.fragment("test:part", "content", build=build) == "built 3"


def test_fragments_can_be_switched_off(settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    build = Builds()
    pagecache.fragment("test:part", "content", build=build)
    assert pagecache.fragment("test:part", "content", build=build) == "built 2"


def test_a_fragments_timeout_is_asked_only_when_it_is_stored_and_capped(settings, monkeypatch):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 30
    asked, stored_for = [], []

    class RecordingCache:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout):
            stored_for.append(timeout)
            cache.set(key, value, timeout)

    def timeout():
        asked.append(1)
        return 3600

    monkeypatch.setattr(pagecache, "cache", RecordingCache())
    for _ in range(3):
        pagecache.fragment("test:part", "content", build=Builds(), timeout=timeout)
    assert (asked, stored_for) == ([1], [30])


# --- Personal cookies: each app registers its own ---------------------------------------------


def test_the_apps_register_the_cookies_that_make_a_page_personal():
    assert {"comment_author", "pin_primary"} <= pagecache.personal_cookies


@pytest.mark.parametrize("cookie", ["comment_author", "pin_primary"])
def test_a_visitor_with_a_personal_cookie_is_never_served_from_the_cache(article, cookie):
    fetch(article.get_absolute_url())
    client = Client()
    client.cookies[cookie] = "1"
    assert "X-Cache" not in fetch(article.get_absolute_url(), client)
