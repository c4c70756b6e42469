"""Frontend caches (Varnish, a CDN) in front of the site, purged exactly.

Pages for anonymous readers carry the names of what they show as surrogate
keys (``newsroom.pagecache`` sets the headers: ``xkey`` for Varnish,
``Cache-Tag`` for Cloudflare, whatever ``key_headers`` says), so a shared
cache may keep them for ``NEWSROOM_EDGE_CACHE_SECONDS``. Whenever
``pagecache.bump`` invalidates names — after the change commits — it calls
``purge(names)``, which tells every configured cache to drop exactly the pages
tagged with them.

Configured by ``NEWSROOM_FRONTEND_CACHE_URLS`` (``FRONTEND_CACHE_URLS``),
comma-separated, one URL per cache::

    FRONTEND_CACHE_URLS=varnish://10.0.0.5:6081,varnish://10.0.0.6:6081,cloudflare://ZONE?token=TOKEN

The backends are in ``newsroom.frontcache.backends`` (one small interface,
``FrontendCache``).

A purge is never lost. One a cache does not confirm is recorded in
``PendingPurge`` (per cache and name) and retried by the same means as the
page cache's own invalidations: every app process now and then
(``pagecache``), a deferred task (``newsroom.tasks``, on ``purge_deferred``)
and ``manage.py apply_pending_invalidations``. A cache that has just failed is
left alone by requests for ``RETRY_AFTER`` seconds, so readers never wait on
it; the task and the command always try.
"""

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.dispatch import Signal

from newsroom.frontcache.backends import FrontendCache, PurgeFailed, frontend_from_url
from newsroom.models import PendingPurge

logger = logging.getLogger(__name__)

__all__ = ["FrontendCache", "frontends", "key_headers", "pending_purges_apply", "purge"]

# Seconds requests leave a cache alone after it failed a purge.
RETRY_AFTER = 30.0
PENDING_BATCH_SIZE = 500

# Sent with ``names`` when purges were recorded for later; ``newsroom.tasks``
# queues a retry.
purge_deferred = Signal()

# Per process: the caches built from the configured URLs, and when each may
# be tried again by a request after a failure.
_built: tuple[tuple[str, ...], list[FrontendCache]] = ((), [])
_down_until: dict[str, float] = {}


def frontends() -> list[FrontendCache]:
    """The configured frontend caches (``ValueError`` for a URL no backend reads)."""
    global _built
    urls = tuple(url for url in settings.NEWSROOM_FRONTEND_CACHE_URLS if url.strip())
    if _built[0] != urls:
        _built = (urls, [frontend_from_url(url) for url in urls])
    return _built[1]


def edge_caching_on() -> bool:
    """Whether anonymous pages may be kept by shared caches (``s-maxage`` > 0)."""
    return settings.NEWSROOM_EDGE_CACHE_SECONDS > 0


def key_headers(names) -> dict[str, str]:
    """The surrogate-key headers naming ``names``, for each configured cache
    (and ``NEWSROOM_SURROGATE_KEY_HEADERS``, for a CDN purged some other way)."""
    headers = {}
    for frontend in frontends():
        headers[frontend.key_header] = frontend.header_value(names)
    for header in settings.NEWSROOM_SURROGATE_KEY_HEADERS:
        if header.strip():
            headers.setdefault(header.strip(), " ".join(names))
    return headers


def purge(names) -> bool:
    """Drop the pages tagged with any of ``names`` from every frontend cache.
    Returns False when a cache did not confirm: its names are then recorded
    and retried (see the module docstring). Call after the change commits."""
    names = list(dict.fromkeys(names))
    if not names:
        return True
    failed = [f for f in frontends() if not _purge_on(f, names, in_request=True)]
    if failed:
        _record(failed, names)
    return not failed


def _purge_on(frontend: FrontendCache, names: list[str], *, in_request: bool) -> bool:
    if in_request and time.monotonic() < _down_until.get(frontend.label, 0.0):
        return False
    try:
        frontend.purge_keys(names)
    except PurgeFailed as error:
        _down_until[frontend.label] = time.monotonic() + RETRY_AFTER
        logger.warning("Could not purge %s from %s (%s); will retry", names, frontend.label, error)
        return False
    _down_until.pop(frontend.label, None)
    return True


def _record(failed: list[FrontendCache], names: list[str]) -> None:
    rows = [PendingPurge(frontend=f.label, name=name) for f in failed for name in names]
    try:
        PendingPurge.objects.using(DEFAULT_DB_ALIAS).bulk_create(rows)
    except DatabaseError:
        logger.exception(
            "Could not record the purge of %s: %s may serve old pages for up to %s s",
            ", ".join(names),
            ", ".join(f.label for f in failed),
            settings.NEWSROOM_EDGE_CACHE_SECONDS,
        )
        return
    purge_deferred.send(sender=PendingPurge, names=names)


def pending_purges_apply(*, in_request: bool = False) -> int:
    """Send the purges recorded earlier, oldest first; return how many are
    still pending. ``in_request``: leave alone a cache that has just failed."""
    by_label = {frontend.label: frontend for frontend in frontends()}
    if in_request and not by_label:
        return 0  # nothing configured: no query on a reader's request
    pending = PendingPurge.objects.using(DEFAULT_DB_ALIAS)
    rows = list(pending.order_by("pk").values_list("pk", "frontend", "name")[:PENDING_BATCH_SIZE])
    if not rows:
        return 0
    done, names_by_label = [], {}
    for pk, label, name in rows:
        names_by_label.setdefault(label, {}).setdefault(name, []).append(pk)
    for label, names in names_by_label.items():
        frontend = by_label.get(label)
        if frontend is None:
            logger.warning("Dropping purges for %s: it is no longer configured", label)
        elif not _purge_on(frontend, list(names), in_request=in_request):
            continue
        done += [pk for pks in names.values() for pk in pks]
    # By primary key: rows recorded meanwhile stay for the next round.
    pending.filter(pk__in=done).delete()
    return pending.count()
