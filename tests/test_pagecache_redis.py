"""The page cache on a real Redis: a hit is one round trip, the page is kept as bytes.

Runs when the suite runs with ``REDIS_URL`` (``.ci/run``'s PostgreSQL + Redis pass)."""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from newsroom import pagecache

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
