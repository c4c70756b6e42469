"""Full-page caching for anonymous readers, invalidated exactly by what changed.

Views opt in by naming what their page shows::

    response = render(...)
    pagecache.depends_on(response, "content", f"article:{article.pk}")

Each name has a *generation* number in the cache; code that changes what a
name covers bumps it (``bump("article:12")``) after its transaction commits.
A cached page is served only while every generation it was built with is
still current, so a page is never stale and nothing else is thrown away.

The names in use:

* ``content`` — anything listings, feeds and sidebars show: articles,
  categories, tags, sources, the site's name (``articles.signals``);
* ``article:<pk>`` — what one post page shows beyond that: its comments;
* ``comments`` — the site-wide comment feed.

Only anonymous GET/HEAD requests with no cookies that personalise a page
(session, remembered commenter, replica pin) are served from or stored in the
cache; staff, a commenter who has a comment awaiting moderation, and any
response that sets a cookie or is marked private always get a fresh page.
Pages in the cache carry an ETag, so a conditional request for one is a 304
with no database query and no template rendering. A cache that is down is
logged and bypassed.
"""

import hashlib
import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_max_age, patch_response_headers
from django.utils.http import http_date, parse_etags

logger = logging.getLogger(__name__)

GENERATION_PREFIX = "gen:"
PAGE_PREFIX = "page:"

# Cookies that make a page someone's own: never cache for their holders.
PERSONAL_COOKIES = ("comment_author", "pin_primary")


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


def generations(names) -> dict[str, int]:
    """The current generation of each name (a name never bumped is generation 1)."""
    keys = [GENERATION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    return {name: found.get(GENERATION_PREFIX + name, 1) for name in names}


def generation(name: str) -> int:
    return generations([name])[name]


def bump(*names: str) -> None:
    """Invalidate every cached page built from any of ``names``."""
    for name in names:
        key = GENERATION_PREFIX + name
        try:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 2, timeout=None)
        except Exception as error:
            logger.warning("Could not invalidate cached pages for %s: %s", name, error)


def _request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or any(name in cookies for name in PERSONAL_COOKIES):
        return False
    return not request.path.startswith("/" + settings.ADMIN_URL)


def _response_is_cacheable(response) -> bool:
    if getattr(response, "page_cache_names", None) is None:
        return False
    if response.status_code not in (HTTPStatus.OK, HTTPStatus.NOT_FOUND):
        return False
    if response.cookies or response.streaming:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


class AnonymousPageCacheMiddleware:
    """Serve anonymous readers from the page cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.page_cacheable = _request_is_cacheable(request)
        if not request.page_cacheable or not settings.PAGE_CACHE_SECONDS:
            return self.get_response(request)

        key = PAGE_PREFIX + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        try:
            entry = cache.get(key)
            if (
                entry is not None
                and entry["until"] > time.time()
                and generations(entry["names"]) == entry["generations"]
            ):
                return self._from_cache(request, entry["response"])
        except Exception:
            logger.exception("Page cache unavailable; serving without it")
            return self.get_response(request)

        response = self.get_response(request)
        if _response_is_cacheable(response):
            self._store(key, response)
        response.headers.setdefault("X-Cache", "MISS")
        return response

    def _store(self, key, response):
        names = response.page_cache_names
        try:
            current = generations(names)
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response.headers["ETag"] = f'"{digest}"'
            response.headers["Last-Modified"] = http_date()
            if get_max_age(response) is None:
                patch_response_headers(response, cache_timeout=settings.PAGE_CACHE_BROWSER_SECONDS)
            timeout = min(
                settings.PAGE_CACHE_SECONDS,
                getattr(response, "page_cache_timeout", None) or settings.PAGE_CACHE_SECONDS,
            )
            stored = HttpResponse(response.content, status=response.status_code)
            for header, value in response.headers.items():
                stored.headers[header] = value
            # "until" is checked on every hit too: a scheduled article goes live on
            # time even where the cache's own expiry runs on another clock.
            entry = {"names": names, "generations": current, "until": time.time() + timeout}
            cache.set(key, {**entry, "response": stored}, timeout=timeout)
        except Exception:
            logger.exception("Could not store a page in the cache")

    def _from_cache(self, request, cached):
        etag = cached.headers.get("ETag")
        if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
            not_modified = HttpResponse(status=HTTPStatus.NOT_MODIFIED)
            for header in ("ETag", "Last-Modified", "Cache-Control", "Expires", "Vary"):
                if header in cached.headers:
                    not_modified.headers[header] = cached.headers[header]
            not_modified.headers["X-Cache"] = "HIT"
            return not_modified
        response = HttpResponse(cached.content, status=cached.status_code)
        for header, value in cached.headers.items():
            response.headers[header] = value
        response.headers["X-Cache"] = "HIT"
        return response
