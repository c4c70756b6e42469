"""Per-IP comment counters in the cache (Redis in production, shared by every
app server). ``hit`` counts a submission; ``recent_count`` reads the count.

A cache that is down never blocks a reader: the error is logged and the
submission is allowed; ``recent_count`` then raises ``CacheUnavailable``, so
the RateLimitCheck fails and the comment is held for a moderator rather than
approved unchecked.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from newsroom.cache import CacheUnavailable

logger = logging.getLogger(__name__)


def _key(ip: str) -> str:
    window = int(time.time()) // settings.COMMENTS_RATE_WINDOW
    return f"comments:rate:{ip}:{window}"


def hit(ip: str | None) -> int:
    """Count a comment from ``ip`` in the current window; return the count (0 if unknown)."""
    if not ip:
        return 0
    key = _key(ip)
    try:
        if cache.add(key, 1, timeout=settings.COMMENTS_RATE_WINDOW + 5):
            return 1
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.COMMENTS_RATE_WINDOW + 5)
        return 1
    except Exception:
        logger.warning("Rate limit cache unavailable; allowing the comment", exc_info=True)
        return 0


def recent_count(ip: str | None) -> int:
    if not ip:
        return 0
    count = cache.get(_key(ip))
    if not getattr(cache, "is_available", lambda: True)():
        raise CacheUnavailable("the rate-limit store (cache) is unavailable")
    return int(count or 0)


def is_flood(count: int) -> bool:
    """Whether ``count`` comments in one window is a flood, to be refused outright."""
    return count > settings.COMMENTS_RATE_REFUSE_AFTER
