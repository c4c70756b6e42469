"""Generation counters in the cache: how often each name has changed.

The page cache (``newsroom.pagecache``) keys everything it stores on the
generations of the names it was built from. This module holds only the
counters; bumping, durably, is ``pagecache.bump``.

Within ``read_once()`` (the page cache middleware opens it around every
request) each name's generation is read from the cache at most once: the
first read is remembered and every later ``generations()`` of the request gets
it, so a page's fragments and the site settings cost no round trip of their
own. What is remembered was read before anything built from it, which is what
keeps a cached value from being stored under a generation newer than the rows
it was built from. A bump in the request forgets the names it bumped (they are
read again); ``read_fresh`` always asks the cache.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

GENERATION_PREFIX = "gen:"
# Counts every bump of any name: a page whose names were not all read before
# it rendered is stored only if this did not move meanwhile.
ANY_CHANGE = "*"


# The generations this request has read (None outside ``read_once``).
_read_in_request: ContextVar[dict[str, int] | None] = ContextVar(
    "newsroom_generations_read", default=None
)


@contextmanager
def read_once() -> Iterator[None]:
    """Read each name's generation at most once until the block ends."""
    token = _read_in_request.set({})
    try:
        yield
    finally:
        _read_in_request.reset(token)


def generations(names) -> dict[str, int]:
    """The generation of each name (a name never bumped is generation 1): as
    this request first read it, within ``read_once``; else the current one."""
    return values_with_generations((), names)[1]


def read_fresh(keys, names) -> tuple[dict, dict[str, int]]:
    """The values cached under ``keys`` (those found) and the current
    generation of each of ``names``, in one round trip, whatever this request
    read before; what is read is remembered for the rest of the request."""
    found = cache.get_many([*keys, *(GENERATION_PREFIX + name for name in names)])
    current = {name: found.pop(GENERATION_PREFIX + name, 1) for name in names}
    remembered = _read_in_request.get()
    if remembered is not None:
        remembered.update(current)
    return found, current


def values_with_generations(keys, names) -> tuple[dict, dict[str, int]]:
    """The values cached under ``keys`` (those found) and the generation of
    each of ``names`` (as ``generations``), in at most one round trip: none
    when there are no keys and every name was read before in this request."""
    remembered = _read_in_request.get()
    if remembered is None:
        return read_fresh(keys, names)
    missing = [name for name in names if name not in remembered]
    found = read_fresh(keys, missing)[0] if keys or missing else {}
    return found, {name: remembered[name] for name in names}


def generation(name: str) -> int:
    return generations([name])[name]


def increment(name: str) -> None:
    """Bump ``name`` (and the any-change count first); raise if the cache cannot."""
    remembered = _read_in_request.get()
    if remembered is not None:
        # Read again by whatever this request builds next.
        remembered.pop(ANY_CHANGE, None)
        remembered.pop(name, None)
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
