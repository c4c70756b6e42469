"""Per-visitor comment counters: the flood limit (``comments.views``, HTTP 429)
and the posting rate (``RateLimitCheck``).

A visitor is ``newsroom.client_ip.visitor_network``: an IPv4 address, or the
/64 an IPv6 address is in (one home network may use any address in it).

The counters live in the cache (Redis in production, shared by every app
server); ``hit`` counts a submission, ``recent_count`` reads the count. While
the cache is down the limit still holds: both count the visitor's comments of
the last ``COMMENTS_RATE_WINDOW`` seconds in the database instead
(``Comment.ip_network``, indexed with ``created_at``), so a flood is refused
and a busy visitor held as usual. Refused attempts are not in the database, so
that count is of comments stored, a little more lenient than the cache's.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from comments.models import Comment
from newsroom.client_ip import visitor_network

logger = logging.getLogger(__name__)


def _key(network: str) -> str:
    window = int(time.time()) // settings.COMMENTS_RATE_WINDOW
    return f"comments:rate:{network}:{window}"


def hit(ip: str | None) -> int:
    """Count a comment from ``ip``'s visitor in the current window; return the
    count (0 if the address is unknown)."""
    network = visitor_network(ip)
    if not network:
        return 0
    key = _key(network)
    timeout = settings.COMMENTS_RATE_WINDOW + 5
    try:
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    except Exception:
        logger.warning("Rate limit cache unavailable; counting in the database", exc_info=True)
        # This submission is not stored yet: count it too.
        return count_in_database(network) + 1


def recent_count(ip: str | None) -> int:
    """How many comments ``ip``'s visitor sent in the current window (this one
    included, once ``hit`` counted it)."""
    network = visitor_network(ip)
    if not network:
        return 0
    count = cache.get(_key(network))
    if not getattr(cache, "is_available", lambda: True)():
        return count_in_database(network)
    return int(count or 0)


def count_in_database(network: str) -> int:
    """Comments stored from ``network`` in the last ``COMMENTS_RATE_WINDOW`` seconds."""
    since = timezone.now() - timedelta(seconds=settings.COMMENTS_RATE_WINDOW)
    return Comment.objects.filter(ip_network=network, created_at__gte=since).count()


def describe_visitor(ip: str | None) -> str:
    """The visitor as a moderator reads it: "this IP address" or "this IPv6 /64"."""
    network = visitor_network(ip)
    return "this IPv6 /64" if network.endswith("/64") else "this IP address"


def is_flood(count: int) -> bool:
    """Whether ``count`` comments in one window is a flood, to be refused outright."""
    return count > settings.COMMENTS_RATE_REFUSE_AFTER
