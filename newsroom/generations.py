"""Generation counters in the cache: how often each name has changed.

The page cache (``newsroom.pagecache``) keys everything it stores on the
generations of the names it was built from; ``SiteSettings.load`` keys the
cached site settings on the ``content`` generation. This module holds only the
counters, so that ``newsroom.models`` can read them without importing the
page cache (which records unreachable bumps in ``newsroom.models``). Bumping,
durably, is ``pagecache.bump``.
"""

from django.core.cache import cache

GENERATION_PREFIX = "gen:"
# Counts every bump of any name: a page whose names were not all read before
# it rendered is stored only if this did not move meanwhile.
ANY_CHANGE = "*"


def generations(names) -> dict[str, int]:
    """The current generation of each name (a name never bumped is generation 1)."""
    keys = [GENERATION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    return {name: found.get(GENERATION_PREFIX + name, 1) for name in names}


def generation(name: str) -> int:
    return generations([name])[name]


def increment(name: str) -> None:
    """Bump ``name`` (and the any-change count first); raise if the cache cannot."""
    for key in (GENERATION_PREFIX + ANY_CHANGE, GENERATION_PREFIX + name):
        try:
            cache.incr(key)
        except ValueError:
            # Never bumped (generation 1). add() is atomic, so no concurrent bump is lost.
            cache.add(key, 1, timeout=None)
            cache.incr(key)


def cache_is_available() -> bool:
    """False while the (resilient) cache is leaving an unreachable Redis alone:
    what it just answered was a default, not what Redis holds."""
    return getattr(cache, "is_available", lambda: True)()


def generations_with(key: str, names) -> tuple[object, dict[str, int]]:
    """The value cached under ``key`` (None if none) and the current generation
    of each of ``names``, read in one round trip (one ``MGET`` on Redis)."""
    keys = [GENERATION_PREFIX + name for name in names]
    found = cache.get_many([key, *keys])
    return found.get(key), {name: found.get(GENERATION_PREFIX + name, 1) for name in names}
