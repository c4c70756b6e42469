"""The page cache on a real Redis: a hit is one round trip, the page is kept as
bytes, a warm render reads its generations and fragments in one round trip.

Runs when the suite runs with ``REDIS_URL`` (``.ci/run``'s PostgreSQL + Redis pass)."""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from articles.selectors import sidebar_data
from articles.templatetags import articles_tags
from newsroom import pagecache
from newsroom.generations import ANY_CHANGE, GENERATION_PREFIX, generations, read_once
from newsroom.models import SiteSettings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis)"),
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    # Not the moment this process looks for other processes' pending invalidations.
    monkeypatch.setattr(pagecache, "pending_checked_at", time.monotonic())


@pytest.fixture
def redis_commands(monkeypatch):
    """Every command this process sends to Redis, as it sends it."""
    sent = []
    send = redis.Redis.execute_command

    def counted(client, *args, **options):
        sent.append(args[0])
        return send(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


def test_a_cached_post_page_is_served_in_one_round_trip(article_factory, redis_commands):
    url = article_factory().get_absolute_url()
    Client().get(url)
    redis_commands.clear()
    response = Client().get(url)
    assert response["X-Cache"] == "HIT"
    assert redis_commands == ["MGET"]


def test_a_conditional_request_is_a_304_in_one_round_trip(article_factory, redis_commands):
    url = article_factory().get_absolute_url()
    etag = Client().get(url)["ETag"]
    redis_commands.clear()
    assert Client().get(url, headers={"If-None-Match": etag}).status_code == 304
    assert redis_commands == ["MGET"]


def test_a_page_is_stored_as_bytes_not_a_pickled_response(article_factory, rf):
    url = article_factory(title="Kept as bytes").get_absolute_url()
    Client().get(url)
    stored = cache.get(pagecache.page_key(rf.get(url)))
    assert isinstance(stored, bytes)
    assert b"Kept as bytes" in stored


def test_a_process_that_has_not_seen_a_page_needs_a_second_round_trip_once(
    article_factory, redis_commands
):
    url = article_factory().get_absolute_url()
    Client().get(url)
    pagecache._names_seen.clear()  # another process stored it
    redis_commands.clear()
    Client().get(url)
    Client().get(url)
    assert redis_commands == ["MGET", "MGET", "MGET"]


# A render with the fragments warm: the generations are read once, before it,
# with the fragments this page asked for last time — the site settings and the
# post's row among them — in one MGET.
WARM_RENDER = ["MGET"]


def warm_post_url(article_factory, comment_factory) -> str:
    article = article_factory()
    for _ in range(3):
        comment_factory(article=article)
    url = article.get_absolute_url()
    Client().get(url)  # builds the fragments
    Client().get(url)  # this process now knows which fragments the page asks for
    return url


def test_a_warm_post_render_reads_redis_in_one_round_trip(
    settings, article_factory, comment_factory, redis_commands
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    url = warm_post_url(article_factory, comment_factory)
    redis_commands.clear()
    response = Client().get(url)
    assert response.status_code == 200
    assert redis_commands == WARM_RENDER


def test_a_post_page_the_page_cache_misses_is_rendered_checked_and_stored_in_four_commands(
    article_factory, comment_factory, redis_commands, rf
):
    url = warm_post_url(article_factory, comment_factory)
    cache.delete(pagecache.page_key(rf.get(url)))
    redis_commands.clear()
    assert Client().get(url)["X-Cache"] == "MISS"
    # The page lookup, the render's reads, the any-change check after it, the store.
    assert redis_commands == ["MGET", *WARM_RENDER, "MGET", "SET"]


def test_a_site_renamed_between_two_renders_shows_in_the_second(
    settings, article_factory, comment_factory
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    url = warm_post_url(article_factory, comment_factory)
    site = SiteSettings.load()
    site.name = "The Renamed Gazette"
    site.save()
    html = Client().get(url).content.decode()
    assert '<meta property="og:site_name" content="The Renamed Gazette">' in html


def bump_from_another_process(*names: str) -> None:
    """A bump this request's memo knows nothing about (the keys exist: bumped once)."""
    for name in (ANY_CHANGE, *names):
        cache.incr(GENERATION_PREFIX + name)


def test_a_page_whose_content_changed_while_it_rendered_is_not_stored(
    article_factory, monkeypatch, rf
):
    url = article_factory().get_absolute_url()
    pagecache.bump(pagecache.CONTENT)

    def sidebar_while_an_editor_saves():
        data = sidebar_data()
        bump_from_another_process(pagecache.CONTENT)
        return data

    monkeypatch.setattr(articles_tags, "sidebar_data", sidebar_while_an_editor_saves)
    response = Client().get(url)
    assert response["X-Cache"] == "MISS"
    assert "private" in response["Cache-Control"]
    assert cache.get(pagecache.page_key(rf.get(url))) is None


def test_a_fragment_built_after_a_bump_is_stored_under_the_generation_read_before_it():
    pagecache.bump(pagecache.CONTENT)
    with read_once():
        generations([pagecache.CONTENT])  # the request reads its generations
        bump_from_another_process(pagecache.CONTENT)
        built = pagecache.fragment("test:bumped", pagecache.CONTENT, build=lambda: "read before")
    assert built == "read before"
    after = pagecache.fragment("test:bumped", pagecache.CONTENT, build=lambda: "read after")
    assert after == "read after"


def test_a_fragment_is_served_from_the_generations_a_request_read_first():
    pagecache.bump(pagecache.CONTENT)
    pagecache.fragment("test:kept", pagecache.CONTENT, build=lambda: "current")
    with read_once():
        generations([pagecache.CONTENT])
        bump_from_another_process(pagecache.CONTENT)
        # The page under way stays consistent with what it read; the next one is fresh.
        kept = pagecache.fragment("test:kept", pagecache.CONTENT, build=lambda: "rebuilt")
    assert kept == "current"
    assert pagecache.fragment("test:kept", pagecache.CONTENT, build=lambda: "new") == "new"


def test_after_a_content_change_a_render_asks_for_the_next_scheduled_change_once(
    settings, article_factory, comment_factory, monkeypatch
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    url = warm_post_url(article_factory, comment_factory)
    asked = []
    monkeypatch.setattr(pagecache, "scheduled_change_providers", [lambda: asked.append(1)])
    pagecache.bump(pagecache.CONTENT)
    Client().get(url)  # the view and every fragment it stores ask seconds_until_stale()
    assert len(asked) == 1
