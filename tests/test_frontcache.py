"""Frontend caches (Varnish, Cloudflare): what every public page tells them,
and the purges every kind of change sends, to a loopback stand-in."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from articles.models import Article
from articles.services import article_save, articles_publish, articles_unpublish
from comments.models import Comment
from comments.services import comment_moderate, comments_delete
from newsroom import frontcache, pagecache
from newsroom.checks import check_frontend_cache_urls
from newsroom.frontcache.backends import frontend_from_url
from newsroom.models import PendingPurge, SiteSettings
from tests.frontcache_servers import CLOUDFLARE_TOKEN, purge_server, purged_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def stand_in():
    with purge_server() as server:
        yield server


@pytest.fixture(autouse=True)
def _varnish_in_front(settings, stand_in):
    """The production shape: Redis page cache (local memory here) behind a Varnish."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.NEWSROOM_EDGE_CACHE_SECONDS = 600
    settings.NEWSROOM_FRONTEND_CACHE_URLS = [f"varnish://127.0.0.1:{stand_in.port}"]
    frontcache._down_until.clear()


@pytest.fixture
def article(article_factory, category_factory, source_factory, user_factory):
    return article_factory(
        title="Edge story",
        author=user_factory(username="reporter"),
        categories=[category_factory(name="World")],
        source=source_factory(name="Meridian Review"),
        tags=["energy"],
    )


def cache_control(response) -> dict[str, str]:
    directives = (part.strip().partition("=") for part in response["Cache-Control"].split(","))
    return {name: value for name, _, value in directives}


def public_pages(article) -> list[str]:
    day = timezone.localtime(article.publish_at)
    return [
        "/",
        article.get_absolute_url(),
        "/category/world/",
        "/tag/energy/",
        "/source/meridian-review/",
        "/author/reporter/",
        f"/{day:%Y}/",
        f"/{day:%Y/%m}/",
        f"/{day:%Y/%m/%d}/",
        "/search/?q=edge",
        "/feed/",
        "/feed/atom/",
        "/category/world/feed/",
        "/tag/energy/feed/",
        "/source/meridian-review/feed/",
        "/author/reporter/feed/",
        "/comments/feed/",
        article.get_absolute_url() + "feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/robots.txt",
    ]


PAGE_COUNT = 21


@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_every_public_page_tells_shared_caches_how_long_and_under_which_keys(article, index):
    url = public_pages(article)[index]
    for response in (Client().get(url), Client().get(url)):  # as rendered, and from the cache
        assert response.status_code == 200, url
        directives = cache_control(response)
        assert "public" in directives
        assert 0 < int(directives["s-maxage"]) <= 600
        assert directives["max-age"] == "0"
        assert {"stale-while-revalidate", "stale-if-error"} <= set(directives)
        assert "content" in response["xkey"].split()
        assert "Cookie" in response["Vary"]
    assert response["X-Cache"] == "HIT"


def test_a_post_page_is_tagged_with_its_article_and_its_comments(article):
    keys = Client().get(article.get_absolute_url())["xkey"].split()
    assert keys == ["content", f"article:{article.pk}"]


def test_the_comment_feed_is_tagged_with_the_comments(article):
    assert Client().get("/comments/feed/")["xkey"].split() == ["content", "comments"]


def test_a_page_is_shared_only_until_the_next_scheduled_article_goes_live(article_factory):
    article_factory(title="Later story", publish_at=timezone.now() + timedelta(minutes=5))
    assert int(cache_control(Client().get("/"))["s-maxage"]) <= 301


@pytest.mark.parametrize("cookie", ["sessionid", "comment_author", "pin_primary"])
def test_a_visitor_with_a_personal_cookie_gets_a_private_page_without_keys(article, cookie):
    client = Client()
    client.cookies[cookie] = "1"
    response = client.get(article.get_absolute_url())
    assert "private" in cache_control(response)
    assert "xkey" not in response


def test_staff_get_private_pages(article, editor):
    client = Client()
    client.force_login(editor)
    response = client.get("/")
    assert "private" in cache_control(response)
    assert "xkey" not in response


def test_a_response_that_sets_a_cookie_is_never_public(article):
    response = Client().get(f"/comments/form-token/?article={article.pk}")
    assert response.cookies
    assert "public" not in cache_control(response)
    assert "xkey" not in response


def test_a_query_string_no_page_reads_is_private(article):
    response = Client().get("/?nonsense=1")
    assert "private" in cache_control(response)


def test_cloudflare_gets_its_cache_tag_header(article, settings, stand_in):
    settings.NEWSROOM_FRONTEND_CACHE_URLS = [f"cloudflare://zone123?token={CLOUDFLARE_TOKEN}"]
    response = Client().get(article.get_absolute_url())
    assert response["Cache-Tag"] == f"content,article:{article.pk}"
    assert "xkey" not in response


def test_extra_surrogate_key_headers_can_be_asked_for(article, settings):
    settings.NEWSROOM_SURROGATE_KEY_HEADERS = ["Surrogate-Key"]
    assert Client().get("/")["Surrogate-Key"] == "content"


def test_without_edge_caching_pages_are_not_public(article, settings):
    settings.NEWSROOM_EDGE_CACHE_SECONDS = 0
    settings.NEWSROOM_FRONTEND_CACHE_URLS = []
    response = Client().get("/")
    assert "s-maxage" not in response["Cache-Control"]
    assert "xkey" not in response


# --- Purges: every kind of change ---------------------------------------------------------------


def test_editing_an_article_purges_content(article, stand_in, django_capture_on_commit_callbacks):
    stand_in.purges.clear()
    article.title = "Edited"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)
    assert "content" in purged_keys(stand_in)


def test_publishing_purges_content(article_factory, stand_in, django_capture_on_commit_callbacks):
    draft = article_factory(status=Article.Status.DRAFT)
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        articles_publish(articles=Article.objects.filter(pk=draft.pk))
    assert "content" in purged_keys(stand_in)


def test_unpublishing_purges_content(article, stand_in, django_capture_on_commit_callbacks):
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        articles_unpublish(articles=Article.objects.filter(pk=article.pk))
    assert "content" in purged_keys(stand_in)


def test_a_scheduled_article_going_live_purges_content(
    article_factory, stand_in, django_capture_on_commit_callbacks
):
    # Within MAX_AGE: what the site knows of the next change is still cached.
    when = timezone.now() + timedelta(minutes=5)
    article_factory(title="Scheduled story", publish_at=when)
    Client().get("/")
    stand_in.purges.clear()
    with (
        time_machine.travel(when + timedelta(seconds=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert b"Scheduled story" in Client().get("/").content
    assert "content" in purged_keys(stand_in)


def test_approving_a_comment_purges_its_article_and_the_comment_feed(
    article, comment_factory, moderator, stand_in, django_capture_on_commit_callbacks
):
    comment = comment_factory(article=article, status="pending")
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="approved", moderator=moderator)
    assert purged_keys(stand_in) == {f"article:{article.pk}", "comments"}


def test_trashing_a_comment_purges_its_article(
    article, comment_factory, moderator, stand_in, django_capture_on_commit_callbacks
):
    comment = comment_factory(article=article)
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="trash", moderator=moderator)
    assert f"article:{article.pk}" in purged_keys(stand_in)


def test_deleting_a_comment_purges_its_article(
    article, comment_factory, stand_in, django_capture_on_commit_callbacks
):
    comment_factory(article=article)
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comments_delete(comments=Comment.objects.all())
    assert f"article:{article.pk}" in purged_keys(stand_in)


@pytest.mark.parametrize("thing", ["category", "source", "tag", "site"])
def test_renaming_a_category_source_tag_or_the_site_purges_content(
    article, thing, stand_in, django_capture_on_commit_callbacks
):
    renamed = {
        "category": article.categories.first,
        "source": lambda: article.source,
        "tag": article.tags.first,
        "site": SiteSettings.load,
    }[thing]()
    stand_in.purges.clear()
    renamed.name = "Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        renamed.save()
    assert purged_keys(stand_in) == {"content"}


def test_one_transaction_sends_one_purge(article, stand_in, django_capture_on_commit_callbacks):
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("One", "Two", "Three"):
            category = article.categories.first()
            category.name = name
            category.save()
    assert len(stand_in.purges) == 1


def test_nothing_is_purged_before_the_change_commits(
    article, stand_in, django_capture_on_commit_callbacks
):
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=False):
        article.title = "Not yet"
        article_save(article=article)
        assert stand_in.purges == []


def test_cloudflare_is_purged_by_tag_through_its_api(
    article, settings, stand_in, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_CLOUDFLARE_API_URL = f"http://127.0.0.1:{stand_in.port}/client/v4"
    settings.NEWSROOM_FRONTEND_CACHE_URLS = [f"cloudflare://zone123?token={CLOUDFLARE_TOKEN}"]
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings.load().save()
    assert stand_in.purges == [("POST", "/client/v4/zones/zone123/purge_cache", ["content"])]


def test_a_cloudflare_purge_with_a_wrong_token_is_kept_for_later(
    article, settings, stand_in, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_CLOUDFLARE_API_URL = f"http://127.0.0.1:{stand_in.port}/client/v4"
    settings.NEWSROOM_FRONTEND_CACHE_URLS = ["cloudflare://zone123?token=wrong"]
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings.load().save()
    assert list(PendingPurge.objects.values_list("frontend", "name")) == [
        ("cloudflare://zone123", "content")
    ]


# --- A purge that cannot be delivered is retried --------------------------------------------------


def test_a_purge_the_cache_refuses_is_recorded_and_sent_later(
    article, stand_in, django_capture_on_commit_callbacks
):
    stand_in.failures = 1
    stand_in.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings.load().save()
    assert list(PendingPurge.objects.values_list("name", flat=True)) == ["content"]
    assert frontcache.pending_purges_apply() == 0
    assert purged_keys(stand_in) == {"content"}
    assert not PendingPurge.objects.exists()


def test_a_connection_the_cache_drops_is_tried_again_at_once(article, stand_in):
    stand_in.purges.clear()
    stand_in.drops = 1
    assert frontcache.purge(["content"]) is True
    assert purged_keys(stand_in) == {"content"}
    assert not PendingPurge.objects.exists()


def test_a_cache_that_drops_every_connection_gets_the_purge_later(article, stand_in):
    stand_in.purges.clear()
    stand_in.drops = 2
    assert frontcache.purge(["content"]) is False
    assert list(PendingPurge.objects.values_list("name", flat=True)) == ["content"]
    assert frontcache.pending_purges_apply() == 0
    assert purged_keys(stand_in) == {"content"}


def test_a_cache_that_just_failed_is_not_waited_on_by_readers(article, stand_in):
    stand_in.purges.clear()
    stand_in.failures = 1
    assert frontcache.purge(["content"]) is False
    assert frontcache.purge(["article:1"]) is False  # not even tried: recorded at once
    assert stand_in.purges == []
    assert PendingPurge.objects.count() == 2
    assert frontcache.pending_purges_apply(in_request=True) == 2
    assert frontcache.pending_purges_apply() == 0
    assert purged_keys(stand_in) == {"content", "article:1"}


def test_pending_purges_are_sent_by_the_command(article, stand_in):
    stand_in.purges.clear()
    stand_in.failures = 1
    frontcache.purge(["content"])
    call_command("apply_pending_invalidations")
    assert purged_keys(stand_in) == {"content"}


def test_the_command_fails_while_a_cache_is_still_unreachable(article, stand_in):
    stand_in.failures = 10
    frontcache.purge(["content"])
    with pytest.raises(Exception, match="1 purge"):
        call_command("apply_pending_invalidations")


def test_purges_for_a_cache_no_longer_configured_are_dropped(article, settings, stand_in):
    stand_in.failures = 1
    frontcache.purge(["content"])
    settings.NEWSROOM_FRONTEND_CACHE_URLS = []
    assert frontcache.pending_purges_apply() == 0
    assert not PendingPurge.objects.exists()


def test_an_unknown_frontend_cache_url_is_a_clear_configuration_error():
    with pytest.raises(ValueError, match="varnish://"):
        frontend_from_url("memcached://127.0.0.1:11211")


def test_a_backends_label_never_shows_its_token():
    frontend = frontend_from_url("cloudflare://zone123?token=secret")
    assert "secret" not in frontend.label
    assert re.fullmatch(r"cloudflare://zone123", frontend.label)


def test_a_page_rendered_while_something_changed_is_not_shared(article):
    def change_meanwhile(**kwargs):
        template_rendered.disconnect(change_meanwhile)
        pagecache.bump("comments")

    template_rendered.connect(change_meanwhile)
    try:
        response = Client().get(article.get_absolute_url())
    finally:
        template_rendered.disconnect(change_meanwhile)
    assert "private" in cache_control(response)
    assert "xkey" not in response


def test_a_frontend_cache_url_no_backend_reads_fails_the_system_check(settings):
    settings.NEWSROOM_FRONTEND_CACHE_URLS = ["squid://127.0.0.1:3128"]
    (error,) = check_frontend_cache_urls()
    assert error.id == "newsroom.E001"
