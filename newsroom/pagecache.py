"""Full-page caching for anonymous readers, invalidated exactly by what changed.

Views opt in by naming what their page shows::

    response = render(...)
    pagecache.depends_on(response, "content", f"article:{article.pk}")

Each name has a *generation* number in the cache; code that changes what a
name covers bumps it (``bump("article:12")``). A cached page is served only
while every generation it was built with is still current, so a page is never
stale and nothing else is thrown away.

The names in use:

* ``content`` — anything listings, feeds and sidebars show: articles,
  categories, tags, sources, the site's name (``articles.signals``);
* ``article:<pk>`` — what one post page shows beyond that: its comments;
* ``comments`` — the site-wide comment feed.

A page is stored with the generations read *before* it was rendered: a change
that commits while a page renders makes that page stale at once. Names a page
turns out to depend on that were not read beforehand (``article:<pk>``) are
read afterwards, and the page is stored only if no bump at all happened in
between (every bump also counts in the ``*`` generation; that check always
asks the cache). A bump made inside a transaction is made again when it
commits, so a page rendered from the rows before the commit is not stored as
current either.

Generations are read once per request (``generations.read_once``, opened by
the middleware): the snapshot taken before the render is what every fragment
of that page, and the site settings, are checked against, and a name first
needed mid-render is read then and kept. So a fragment is served only if it
was built from the generations this request read, which were read before any
row it shows; a fragment the request builds is stored under those same
generations, never newer ones, so a bump that lands during the render makes
it stale at once. A fragment entry keeps the generations it was built from
beside its value, so a page asks for it without knowing them first: the
snapshot's ``MGET`` also fetches the fragments the page asked for the last
time this process rendered it (``_fragments_seen``), and a warm render reads
Redis once (the site settings are such a fragment too: ``cached_value``). A fragment not
prefetched costs one round trip (its entry with any generation not read
yet). A request that bumps forgets what it read of the bumped names.

Invalidation is durable. When the cache cannot be reached, ``bump`` records
the names in ``PendingInvalidation`` and they are applied by whichever process
reaches the cache first: every app process looks for pending rows at most
every few seconds (requests that render every ``RENDER_CHECK_SECONDS``, cache
hits — which otherwise run no query — every ``HIT_CHECK_SECONDS``), a task
retries them when the task backend can defer, and ``manage.py
apply_pending_invalidations`` applies them from cron. Staff whose request
could not invalidate at once are told so (``InvalidationWarningMiddleware``).

Only anonymous GET/HEAD requests with no cookies that personalise a page
(session, remembered commenter, replica pin) are served from or stored in the
cache; staff, a commenter who has a comment awaiting moderation, and any
response that sets a cookie or is marked private always get a fresh page. The
query parameters pages read (``KEY_PARAMETERS``) vary the key, in a canonical
order and form; tracking parameters (``utm_*``, ``fbclid``…) are ignored; any
other parameter, or a value a page would not accept, bypasses the cache, so
junk query strings cannot fill it. Pages in the cache carry an ETag, so a
conditional request for one is a 304 with no database query and no template
rendering. A cache that is down is logged and bypassed.

A hit is one round trip to Redis: the page and the generations of the names
this process last saw it built from are read in one ``MGET`` (a page built
from other names since costs a second read, once). A page is kept as bytes —
a JSON line (generations, expiry, status, headers), then the body — never a
pickled response.

Frontend caches (Varnish, a CDN: ``newsroom.frontcache``). A page every
anonymous reader may be given is ``Cache-Control: public`` with an
``s-maxage`` (``NEWSROOM_EDGE_CACHE_SECONDS``, capped like the page cache by
the next scheduled change), ``Vary: Cookie``, and its names as surrogate keys
(``xkey``, ``Cache-Tag``…); only if nothing was bumped while it rendered.
Everything else — personal visitors, staff, responses that set cookies,
bypassed query strings — is ``private``. ``bump`` purges its names from every
frontend cache after the change commits (after the page cache's own bump, so
a cache refetching gets the new page), once per transaction, durably.

The API, for the apps:

* ``depends_on(response, *names)`` / ``cached_view(*names)`` — a page is built
  from ``names``; ``published_content`` for a view showing published content
  (cached until it changes or ``seconds_until_stale()``, whichever is first);
* ``bump(*names)`` — what ``names`` cover changed; ``bump_content()`` for
  articles, categories, tags, sources and the site's name;
* ``fragment(key, *names, build=…, timeout=…)`` — a part of a page (the
  sidebar, a comment thread) built once per generation of ``names``;
* in each app's ``AppConfig.ready()``: ``register_personal_cookie(name)`` for a
  cookie that makes a visitor's pages their own, and
  ``register_scheduled_change(provider)`` for something that changes what
  readers see at a set time (``articles``: the next scheduled article);
* ``invalidation_deferred`` — sent when bumps were recorded for later
  (``newsroom.tasks`` queues a retry; ``frontcache.purge_deferred`` likewise).
"""

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_max_age,
    patch_cache_control,
    patch_response_headers,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_etags

from newsroom import frontcache
from newsroom.generations import (
    ANY_CHANGE,
    generations,
    generations_with,
    increment,
    read_fresh,
    read_once,
    values_with_generations,
)
from newsroom.generations import cache_is_available as _cache_is_available
from newsroom.models import PendingInvalidation

logger = logging.getLogger(__name__)

# Keys of pages and of fragments, which are (generations, value). Both are
# followed by the release (``NEWSROOM_RELEASE``), so a page or fragment cached
# by other code is never read; generations are shared by every release.
PAGE_PREFIX = "page:"
FRAGMENT_PREFIX = "fragment-g:"
# What listings, feeds and sidebars show (see the module docstring).
CONTENT = "content"
# Read before every render, in the same round trip as ANY_CHANGE.
SITE_WIDE_NAMES = (CONTENT, "comments")

# Cookies that make a page someone's own: never cache for their holders. The
# apps add theirs (register_personal_cookie); the session cookie is always one.
personal_cookies: set[str] = set()
# Callables saying when what readers see next changes by itself (a scheduled
# article goes live), or None (register_scheduled_change).
scheduled_change_providers: list[Callable[[], datetime | None]] = []
# Pages showing published content are rebuilt at least this often.
MAX_AGE = timedelta(minutes=10)
NEXT_CHANGE_KEY = "pagecache:next-scheduled-change"

# Sent with ``names`` when bumps could not reach the cache and were recorded
# in PendingInvalidation; ``newsroom.tasks`` queues a deferred retry.
invalidation_deferred = Signal()

# The query parameters pages read (request.GET in the views, the comments
# template tag and the sitemap views), with the values they accept.
_NUMBER = r"[0-9]{1,9}"
KEY_PARAMETERS = {
    "page": re.compile(rf"{_NUMBER}|last"),  # listings and search (ListView)
    "cpage": re.compile(_NUMBER),  # comment pages
    "replytocom": re.compile(_NUMBER),  # reply links that work without JavaScript
    "p": re.compile(_NUMBER),  # sitemap pages (/?p= WordPress links redirect)
    "q": re.compile(r"[^\x00-\x1f\x7f]{0,200}"),  # search
}
NUMBERED_PARAMETERS = frozenset({"page", "cpage", "replytocom", "p"})
# Added by newsletters, ads and social sites; no page reads them.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid"}
    | {"mc_cid", "mc_eid", "igshid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)

# How often one process looks for invalidations another could not make.
RENDER_CHECK_SECONDS = 5.0
HIT_CHECK_SECONDS = 10.0
# Monotonic time of this process's last look (module state: one per process).
pending_checked_at = float("-inf")
PENDING_BATCH_SIZE = 500

STALE_WARNING = (
    "The site's page cache could not be refreshed at once. Readers may see the old "
    "version for a short while; it will be retried automatically."
)

# The names this request could not bump (set by InvalidationWarningMiddleware).
_failed_bumps: ContextVar[list[str] | None] = ContextVar("newsroom_failed_bumps", default=None)


def depends_on(response, *names: str, timeout: int | None = None):
    """Mark ``response`` cacheable for anonymous readers, built from ``names``;
    ``timeout`` caps how long (e.g. until a scheduled article goes live)."""
    response.page_cache_names = tuple(names)
    response.page_cache_timeout = timeout
    return response


def cached_view(*names: str, timeout=None):
    """Decorate a view (or a ``Feed``) whose page shows only what ``names`` cover."""

    def decorator(view):
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            return depends_on(response, *names, timeout=timeout() if callable(timeout) else timeout)

        return wrapped

    return decorator


def register_personal_cookie(name: str) -> None:
    """Never serve or store a cached page for a visitor holding cookie ``name``
    (call from ``AppConfig.ready()``)."""
    personal_cookies.add(name)


def register_scheduled_change(provider: Callable[[], datetime | None]) -> None:
    """Have ``provider`` say when what readers see next changes by itself (call
    from ``AppConfig.ready()``); pages and fragments of published content
    expire then (``seconds_until_stale``). It runs once per content change."""
    if provider not in scheduled_change_providers:
        scheduled_change_providers.append(provider)


def fragment[T](
    key: str,
    *names: str,
    build: Callable[[], T],
    timeout: int | Callable[[], int] | None = None,
    keep_none: bool = True,
) -> T:
    """The value of the fragment ``key`` built from ``names``: the cached one
    while every generation of ``names`` is current, else ``build()``'s, stored.

    ``timeout`` (seconds, or a callable asked only when storing) caps how long
    it is kept, within ``NEWSROOM_FRAGMENT_CACHE_SECONDS``; one built from
    ``CONTENT`` is kept at most until the next scheduled change
    (``seconds_until_stale``) unless ``timeout`` says otherwise. With
    ``NEWSROOM_FRAGMENT_CACHE`` off, or the cache down, ``build()`` every time.
    ``keep_none=False``: a None from ``build()`` is not stored (a lookup by a
    key readers choose, which must not fill the cache).
    """
    if not settings.NEWSROOM_FRAGMENT_CACHE:
        return build()
    return cached_value(key, *names, build=build, timeout=timeout, keep_none=keep_none)


def cached_value[T](
    key: str,
    *names: str,
    build: Callable[[], T],
    timeout: int | Callable[[], int] | None = None,
    keep_none: bool = True,
) -> T:
    """As ``fragment``, whatever ``NEWSROOM_FRAGMENT_CACHE`` says: for a value
    every request needs (the site settings), not a piece of HTML."""

    if timeout is None and CONTENT in names:
        # Published content changes by itself when a scheduled article goes live.
        timeout = seconds_until_stale

    def seconds() -> int:
        limit = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
        asked = timeout() if callable(timeout) else timeout
        return min(asked, limit) if asked else limit

    return _cached_for_generations(key, names, build=build, timeout=seconds, keep_none=keep_none)


def bump_content() -> None:
    """Published content changed: drop every page and fragment built from it."""
    bump(CONTENT)


def seconds_until_stale() -> int:
    """How long what readers see stays right: until the next scheduled change
    (``register_scheduled_change``), at most ``MAX_AGE``. The providers run
    once per content change."""
    next_change = _cached_for_generations(
        NEXT_CHANGE_KEY, (CONTENT,), build=_next_scheduled_change, timeout=_max_age_seconds
    )
    now = timezone.now()
    if next_change is not None and next_change <= now:
        # A scheduled article has just gone live: what readers see changed.
        bump_content()
        next_change = _cached_for_generations(
            NEXT_CHANGE_KEY, (CONTENT,), build=_next_scheduled_change, timeout=_max_age_seconds
        )
    expiry = min(now + MAX_AGE, next_change or now + MAX_AGE)
    return max(1, int((expiry - now).total_seconds()) + 1)


def published_content(view):
    """Decorate a view (or a ``Feed``) whose page shows published content only:
    cached until it changes, or until the next scheduled change."""
    return cached_view(CONTENT, timeout=seconds_until_stale)(view)


def _cached_for_generations(key, names, *, build, timeout: Callable[[], int], keep_none=True):
    """``build()``'s value, cached under ``key`` with the generations of
    ``names`` it was built from, for ``timeout()`` seconds; served while those
    are the generations this request reads (``newsroom.generations``), built
    afresh when the cache is down. The entry and any generation not yet read
    in this request come in one round trip, none if the page prefetched them."""
    entry_key = f"{FRAGMENT_PREFIX}{settings.NEWSROOM_RELEASE}:{key}"
    prefetched = _prefetched.get()
    try:
        if prefetched is not None and entry_key in prefetched.entries:
            entry = prefetched.entries[entry_key]
            current = generations(names)
        else:
            found, current = values_with_generations([entry_key], names)
            entry = found.get(entry_key)
    except Exception:
        logger.exception("Cache unavailable; building %s without it", key)
        return build()
    if not _cache_is_available():
        return build()
    built_with = {name: current[name] for name in names}
    stored = _fragment_generations(entry)
    if stored == built_with:
        value = entry[1]
    else:
        value = build()
        # Not over an entry built from newer generations (a request that read them later).
        newer = stored is None or any(stored.get(name, 0) < built_with[name] for name in names)
        if newer and (keep_none or value is not None):
            try:
                cache.set(entry_key, (built_with, value), timeout=timeout())
            except Exception:
                logger.exception("Could not store %s in the cache", key)
    if prefetched is not None:
        # Asked for again in this request (``seconds_until_stale``): no round trip.
        prefetched.entries[entry_key] = (built_with, value)
        prefetched.used[entry_key] = tuple(names)
    return value


def _fragment_generations(entry) -> dict | None:
    """The generations a fragment entry was built from; None if it is none."""
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], dict):
        return entry[0]
    return None


class _Prefetched:
    """The fragment entries one request read up front, and the fragments it asked for."""

    def __init__(self, entries: dict):
        self.entries = entries
        self.used: dict[str, tuple[str, ...]] = {}


_prefetched: ContextVar[_Prefetched | None] = ContextVar("newsroom_fragments", default=None)
# Per process: the fragments (entry key → names) each page last asked for, so
# that the next render of it reads them with the generations in one round trip.
_fragments_seen: dict[str, dict[str, tuple[str, ...]]] = {}


def _remember_fragments(page: str, used: dict[str, tuple[str, ...]]) -> None:
    if _fragments_seen.get(page) == used:
        return
    if len(_fragments_seen) >= NAMES_SEEN_LIMIT:
        _fragments_seen.clear()
    _fragments_seen[page] = used


def _max_age_seconds() -> int:
    return int(MAX_AGE.total_seconds())


def _next_scheduled_change() -> datetime | None:
    changes = [when for provider in scheduled_change_providers if (when := provider())]
    return min(changes, default=None)


def bump(*names: str) -> bool:
    """Invalidate every cached page built from any of ``names``.

    Returns False when the cache could not be reached: the names are then
    recorded and applied as soon as a process can (see the module docstring).
    """
    done = _bump_or_record(names)
    if transaction.get_connection().in_atomic_block:
        # Pages rendered before the commit read the old rows: drop them again
        # then, and only then tell the frontend caches (they would fetch the old rows).
        _after_commit(names)
    else:
        frontcache.purge(names)
    return done


class _BumpAfterCommit:
    """The names bumped in one transaction, bumped again and purged once when
    it commits (an admin save bumps ``content`` many times: one purge)."""

    def __init__(self):
        self.names: dict[str, None] = {}
        self.done = False

    def __call__(self):
        self.done = True
        names = list(self.names)
        # The page cache first: a frontend cache refetching after the purge
        # must not be handed the page cache's old copy.
        _bump_or_record(names)
        frontcache.purge(names)


def _after_commit(names) -> None:
    connection = transaction.get_connection()
    pending = getattr(connection, "newsroom_bump_after_commit", None)
    # Joined only within the same savepoint: a rollback drops the callback
    # with the savepoint, and then a new one is registered.
    savepoints = set(connection.savepoint_ids)
    if (
        pending is None
        or pending.done
        or not any(
            hook[1] is pending and hook[0] == savepoints for hook in connection.run_on_commit
        )
    ):
        pending = _BumpAfterCommit()
        connection.newsroom_bump_after_commit = pending
        transaction.on_commit(pending)
    pending.names.update(dict.fromkeys(names))


def pending_invalidations_apply() -> int:
    """Apply the invalidations recorded while the cache was unreachable, oldest
    first; return how many are still pending (0 when all were applied)."""
    pending = PendingInvalidation.objects.using(DEFAULT_DB_ALIAS)
    while True:
        rows = list(pending.order_by("pk").values_list("pk", "name")[:PENDING_BATCH_SIZE])
        if not rows:
            return 0
        names = list(dict.fromkeys(name for _, name in rows))
        try:
            for name in names:
                increment(name)
        except Exception as error:
            logger.warning("Cache still unreachable; invalidations stay pending: %s", error)
            return pending.count()
        # By primary key: rows recorded meanwhile stay for the next round.
        pending.filter(pk__in=[pk for pk, _ in rows]).delete()
        # A frontend cache may have refetched the page cache's old copy meanwhile.
        frontcache.purge(names)


def _bump_or_record(names) -> bool:
    failed = []
    for name in names:
        try:
            increment(name)
        except Exception as error:
            failed.append(name)
            logger.warning("Could not invalidate cached pages for %s (%s); will retry", name, error)
    if failed:
        _record_pending(failed)
    return not failed


def _record_pending(names: list[str]) -> None:
    failed_in_request = _failed_bumps.get()
    if failed_in_request is not None:
        failed_in_request.extend(names)
    try:
        PendingInvalidation.objects.using(DEFAULT_DB_ALIAS).bulk_create(
            PendingInvalidation(name=name) for name in names
        )
    except DatabaseError:
        logger.exception(
            "Could not record the invalidation of %s: pages may be stale for up to %s s",
            ", ".join(names),
            settings.NEWSROOM_PAGE_CACHE_SECONDS,
        )
        return
    invalidation_deferred.send(sender=PendingInvalidation, names=names)


def _apply_pending_if_due(*, every: float) -> None:
    """Apply other processes' pending invalidations, at most once per ``every`` seconds."""
    global pending_checked_at
    now = time.monotonic()
    if now - pending_checked_at < every:
        return
    pending_checked_at = now
    try:
        if _cache_is_available():
            pending_invalidations_apply()
        frontcache.pending_purges_apply(in_request=True)
    except DatabaseError as error:
        logger.warning("Could not look for pending cache invalidations: %s", error)


def page_key(request) -> str | None:
    """The cache key for this request's page; None when it must bypass the cache.

    The key is the host, the path and the parameters the page reads, sorted
    and in canonical form (``page=01`` is ``page=1``); tracking parameters are
    left out. Any other parameter, a repeated one, or a value the page would
    not accept means None: a junk query string is neither looked up nor stored.
    """
    try:
        query = request.GET
    except SuspiciousOperation:  # too many fields: the view answers 400
        return None
    varying = []
    for name, values in query.lists():
        if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        form = KEY_PARAMETERS.get(name)
        if form is None or len(values) != 1 or not form.fullmatch(values[0]):
            return None
        value = values[0]
        if name in NUMBERED_PARAMETERS and value.isdigit():
            value = str(int(value))
        varying.append((name, value))
    address = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(sorted(varying))}"
    digest = hashlib.sha256(address.encode("utf-8", "backslashreplace")).hexdigest()
    return f"{PAGE_PREFIX}{settings.NEWSROOM_RELEASE}:{digest}"


def _request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or any(name in cookies for name in personal_cookies):
        return False
    return not request.path.startswith("/" + settings.NEWSROOM_ADMIN_URL)


def _response_is_cacheable(response) -> bool:
    if getattr(response, "page_cache_names", None) is None:
        return False
    if response.status_code not in (HTTPStatus.OK, HTTPStatus.NOT_FOUND):
        return False
    if response.cookies or response.streaming:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _cached_response(key: str) -> tuple[dict, bytes] | None:
    """The cached page for ``key`` — its description and body — if every
    generation it was built with is current. One round trip to the cache: the
    entry is read with the generations of the names this process last saw the
    page built from (the site-wide names before it has seen it)."""
    expected = _names_seen.get(key, SITE_WIDE_NAMES)
    value, current = generations_with(key, expected)
    if not isinstance(value, bytes) or not _cache_is_available():
        return None  # none, or stored by an older version: rendered and stored again
    head, _, body = value.partition(b"\n")
    entry = json.loads(head)
    if entry["until"] <= time.time():
        return None
    names = tuple(entry["generations"])
    if any(name not in current for name in names):  # built from other names since
        current = read_fresh((), names)[1]
        _remember_names(key, names)
    if not _cache_is_available() or any(current[n] != g for n, g in entry["generations"].items()):
        return None
    return entry, body


# Per process: the names each cached page was last built from, so that a hit
# reads the entry and its generations in one round trip.
_names_seen: dict[str, tuple[str, ...]] = {}
NAMES_SEEN_LIMIT = 20_000


def _remember_names(key: str, names) -> None:
    if len(_names_seen) >= NAMES_SEEN_LIMIT:
        _names_seen.clear()
    _names_seen[key] = tuple(names)


def _generations_before_render(page: str | None) -> dict[str, int] | None:
    """The any-change count and the site-wide generations, read before a page
    renders; None when the cache cannot say (then the page is not stored).

    In the same round trip: the fragments ``page`` asked for last time it
    rendered and the generations they are built from, kept for this render
    (``_prefetched``; every generation read is the request's from now on)."""
    seen = _fragments_seen.get(page, {}) if page is not None else {}
    names = dict.fromkeys([ANY_CHANGE, *SITE_WIDE_NAMES])
    for fragment_names in seen.values():
        names.update(dict.fromkeys(fragment_names))
    try:
        found, snapshot = read_fresh(list(seen), list(names))
    except Exception:
        logger.exception("Page cache unavailable; serving without it")
        return None
    if not _cache_is_available():
        return None
    _prefetched.get().entries = {key: found.get(key) for key in seen}
    return snapshot


def _generations_built_with(names, snapshot: dict[str, int]) -> dict[str, int] | None:
    """The generations a page rendered after ``snapshot`` was read is current
    for; None if anything was bumped meanwhile (then no cache may keep it: a
    frontend cache's purge may already have passed)."""
    missing = [name for name in names if name not in snapshot]
    later = read_fresh((), [ANY_CHANGE, *missing])[1]
    if not _cache_is_available() or later[ANY_CHANGE] != snapshot[ANY_CHANGE]:
        return None
    snapshot = {**snapshot, **later}
    return {name: snapshot[name] for name in names}


def _seconds_for(response, limit: int) -> int:
    """How long a cache may keep ``response``: ``limit``, or less when the page
    said so (a scheduled article goes live sooner)."""
    asked = getattr(response, "page_cache_timeout", None)
    return min(limit, asked) if asked else limit


def _private(response):
    """A page that is someone's own, or not known to be current: no shared
    cache keeps it (a view's own Cache-Control is kept)."""
    if "Cache-Control" not in response.headers:
        patch_cache_control(response, private=True, max_age=0)
    return response


def _share(response, names, *, edge_seconds: int) -> None:
    """Headers for a page every anonymous reader may be given: browsers keep it
    ``NEWSROOM_PAGE_CACHE_BROWSER_SECONDS``, shared caches ``edge_seconds``,
    tagged with ``names`` (their surrogate keys, purged by ``bump``)."""
    browser = settings.NEWSROOM_PAGE_CACHE_BROWSER_SECONDS
    if not frontcache.edge_caching_on():
        if get_max_age(response) is None:
            patch_response_headers(response, cache_timeout=browser)
        return
    patch_cache_control(
        response,
        public=True,
        max_age=browser,
        s_maxage=max(0, edge_seconds),
        stale_while_revalidate=EDGE_STALE_WHILE_REVALIDATE,
        stale_if_error=EDGE_STALE_IF_ERROR,
    )
    # A shared copy is for visitors without a personal cookie only.
    patch_vary_headers(response, ("Cookie",))
    for header, value in frontcache.key_headers(names).items():
        response.headers[header] = value


# Shared caches may serve a page this long past its s-maxage while they fetch
# it again, and this long while the site answers errors (never after a purge).
EDGE_STALE_WHILE_REVALIDATE = 30
EDGE_STALE_IF_ERROR = 86400
S_MAXAGE = re.compile(r"s-maxage=[0-9]+")


class AnonymousPageCacheMiddleware:
    """Serve anonymous readers from the page cache, and say which pages shared
    caches may keep and under which keys (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Each generation is read once per request; fragments record what they read.
        with read_once():
            token = _prefetched.set(_Prefetched({}))
            try:
                return self._respond(request)
            finally:
                _prefetched.reset(token)

    def _respond(self, request):
        request.page_cacheable = _request_is_cacheable(request)
        page_cache_on = bool(settings.NEWSROOM_PAGE_CACHE_SECONDS)
        if not page_cache_on and not frontcache.edge_caching_on():
            if not request.page_cacheable:
                return self.get_response(request)
            key = page_key(request)
            return self._render(request, key)[1] if key else self.get_response(request)
        if not request.page_cacheable:
            _apply_pending_if_due(every=RENDER_CHECK_SECONDS)
            return _private(self.get_response(request))
        key = page_key(request)
        if key is None:  # a query string no page reads: neither looked up nor stored
            _apply_pending_if_due(every=RENDER_CHECK_SECONDS)
            request.page_cacheable = False
            response = _private(self.get_response(request))
            response.headers.setdefault("X-Cache", "BYPASS")
            return response

        if page_cache_on:
            _apply_pending_if_due(every=HIT_CHECK_SECONDS)
            try:
                cached = _cached_response(key)
            except Exception:
                logger.exception("Page cache unavailable; serving without it")
                return _private(self.get_response(request))
            if cached is not None:
                return self._from_cache(request, *cached)

        _apply_pending_if_due(every=RENDER_CHECK_SECONDS)
        snapshot, response = self._render(request, key)
        self._share_and_store(key, response, snapshot, store=page_cache_on)
        response.headers.setdefault("X-Cache", "MISS")
        return response

    def _render(self, request, key: str):
        """The generations read before the page ``key`` renders (None if the
        cache cannot say), and the response; the fragments it asked for are
        prefetched with them the next time."""
        snapshot = _generations_before_render(key)
        response = self.get_response(request)
        _remember_fragments(key, _prefetched.get().used)
        return snapshot, response

    def _share_and_store(self, key, response, snapshot, *, store: bool) -> None:
        if snapshot is None or not _response_is_cacheable(response):
            _private(response)
            return
        names = response.page_cache_names
        try:
            built_with = _generations_built_with(names, snapshot)
        except Exception:
            logger.exception("Page cache unavailable; not sharing the page")
            built_with = None
        if built_with is None:
            _private(response)
            return
        digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response.headers["ETag"] = f'"{digest}"'
        response.headers["Last-Modified"] = http_date()
        edge_seconds = _seconds_for(response, settings.NEWSROOM_EDGE_CACHE_SECONDS)
        _share(response, names, edge_seconds=edge_seconds)
        if store:
            self._store(key, response, built_with, edge_seconds=edge_seconds)

    def _store(self, key, response, built_with, *, edge_seconds: int):
        """Keep the page as bytes: a JSON line describing it, then its body."""
        timeout = _seconds_for(response, settings.NEWSROOM_PAGE_CACHE_SECONDS)
        # "until" is checked on every hit too: a scheduled article goes live on
        # time even where the cache's own expiry runs on another clock.
        now = time.time()
        entry = {
            "generations": built_with,
            "until": now + timeout,
            "edge_until": now + edge_seconds,
            "status": response.status_code,
            "headers": list(response.headers.items()),
        }
        try:
            value = json.dumps(entry, separators=(",", ":")).encode() + b"\n" + response.content
            cache.set(key, value, timeout=timeout)
            _remember_names(key, built_with)
        except Exception:
            logger.exception("Could not store a page in the cache")

    def _from_cache(self, request, entry: dict, body: bytes):
        headers = dict(entry["headers"])
        if "s-maxage" in headers.get("Cache-Control", ""):
            # What is left of the time a shared cache may keep it, not all of it again.
            left = max(0, int(entry["edge_until"] - time.time()))
            headers["Cache-Control"] = S_MAXAGE.sub(f"s-maxage={left}", headers["Cache-Control"])
        etag = headers.get("ETag")
        if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponse(status=HTTPStatus.NOT_MODIFIED)
            kept = {"ETag", "Last-Modified", "Cache-Control", "Expires", "Vary"}
            kept |= set(frontcache.key_headers(()))
            headers = {name: value for name, value in headers.items() if name in kept}
        else:
            response = HttpResponse(body, status=entry["status"])
        for header, value in headers.items():
            response.headers[header] = value
        response.headers["X-Cache"] = "HIT"
        return response


class InvalidationWarningMiddleware:
    """Tell staff when a change they made could not be cleared from the page
    cache at once (it is retried). Goes after ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        failed = []
        token = _failed_bumps.set(failed)
        try:
            response = self.get_response(request)
        finally:
            _failed_bumps.reset(token)
        user = getattr(request, "user", None)
        if failed and user is not None and user.is_staff:
            messages.warning(request, STALE_WARNING, fail_silently=True)
        return response
