"""The frontend caches Newsroom can purge, behind one small interface.

A backend is built from one entry of ``NEWSROOM_FRONTEND_CACHE_URLS``
(``FRONTEND_CACHE_URLS``): its scheme picks the class (``BACKENDS``). Each
says which response header carries the surrogate keys it understands and how
to purge a list of keys. Adding one — say Fastly — is a subclass::

    class FastlyCache(FrontendCache):
        \"\"\"fastly://SERVICE_ID?token=…\"\"\"

        key_header = "Surrogate-Key"

        def purge_keys(self, keys):
            for key in keys:
                self.send("POST", f"https://api.fastly.com/service/{self.url.hostname}/purge/{key}",
                          headers={"Fastly-Key": self.option("token")})

    BACKENDS["fastly"] = FastlyCache

``purge_keys`` raises ``PurgeFailed`` when the cache did not confirm the
purge; ``newsroom.frontcache`` then records the keys and retries them.
Only ``newsroom.frontcache`` builds and calls backends.
"""

import json
import urllib.error
import urllib.request
from urllib.parse import SplitResult, parse_qs, urlsplit

from django.conf import settings

# Seconds to wait for a cache to confirm a purge; a failure is retried later.
PURGE_TIMEOUT = 2.0


class PurgeFailed(Exception):
    """The frontend cache did not confirm the purge (unreachable, refused, an error)."""


class FrontendCache:
    """One frontend cache. Subclasses set ``key_header`` (and ``key_separator``)
    and implement ``purge_keys``; the rest is shared.

    * ``key_header`` — the response header naming a page's surrogate keys;
    * ``header_value(keys)`` — that header's value for ``keys``;
    * ``purge_keys(keys)`` — drop every page tagged with any of ``keys``, or
      raise ``PurgeFailed``;
    * ``label`` — how the cache is named in logs and in ``PendingPurge`` rows
      (the configured URL without its secrets).
    """

    key_header = ""
    key_separator = " "

    def __init__(self, url: SplitResult):
        self.url = url
        self.options = {name: values[-1] for name, values in parse_qs(url.query).items()}

    @property
    def label(self) -> str:
        return f"{self.url.scheme}://{self.url.netloc}{self.url.path}"

    def option(self, name: str, default: str = "") -> str:
        return self.options.get(name, default)

    def header_value(self, keys) -> str:
        return self.key_separator.join(keys)

    def purge_keys(self, keys: list[str]) -> None:
        raise NotImplementedError

    def send(self, method: str, url: str, *, headers=None, body: bytes | None = None) -> bytes:
        """Make one HTTP request; its body if the answer is 2xx, else ``PurgeFailed``.
        A connection the cache drops or refuses is tried once more at once: a
        cache under load resets some, and a purge recorded for later leaves
        its pages stale until then."""
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        for attempt in (1, 2):
            try:
                with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                raise PurgeFailed(f"{method} {url}: HTTP {error.code}") from error
            except (OSError, ValueError) as error:
                if attempt == 1 and _connection_dropped(error):
                    continue
                raise PurgeFailed(f"{method} {url}: {error}") from error

    def __repr__(self):
        return f"<{type(self).__name__} {self.label}>"


def _connection_dropped(error: Exception) -> bool:
    """Whether ``error`` is a connection reset or refused (urllib wraps those
    met while connecting in ``URLError``)."""
    return isinstance(error, ConnectionError) or isinstance(
        getattr(error, "reason", None), ConnectionError
    )


class VarnishCache(FrontendCache):
    """``varnish://HOST:PORT``: a ``PURGE`` with an ``xkey-purge`` header, which
    the shipped VCL (``deploy/varnish/default.vcl``) answers from its ACL of app
    servers by dropping every object tagged with one of the keys (vmod xkey)."""

    key_header = "xkey"

    def purge_keys(self, keys):
        self.send(
            "PURGE",
            f"http://{self.url.netloc}/",
            headers={"xkey-purge": self.header_value(keys)},
        )


class CloudflareCache(FrontendCache):
    """``cloudflare://ZONE_ID?token=API_TOKEN``: purge by cache tag through the
    API (``NEWSROOM_CLOUDFLARE_API_URL``; tests point it at a loopback server).
    The token needs the zone's Cache Purge permission."""

    key_header = "Cache-Tag"
    key_separator = ","
    # Tags per API call (Cloudflare's limit).
    TAGS_PER_CALL = 30

    @property
    def label(self) -> str:
        return f"cloudflare://{self.url.hostname}"

    def purge_keys(self, keys):
        endpoint = f"{settings.NEWSROOM_CLOUDFLARE_API_URL.rstrip('/')}/zones/{self.url.hostname}/purge_cache"
        headers = {
            "Authorization": f"Bearer {self.option('token')}",
            "Content-Type": "application/json",
        }
        for start in range(0, len(keys), self.TAGS_PER_CALL):
            body = json.dumps({"tags": keys[start : start + self.TAGS_PER_CALL]}).encode()
            answer = self.send("POST", endpoint, headers=headers, body=body)
            try:
                confirmed = json.loads(answer).get("success") is True
            except (ValueError, AttributeError):
                confirmed = False
            if not confirmed:
                raise PurgeFailed(f"Cloudflare did not confirm the purge: {answer[:200]!r}")


BACKENDS: dict[str, type[FrontendCache]] = {
    "varnish": VarnishCache,
    "cloudflare": CloudflareCache,
}


def frontend_from_url(url: str) -> FrontendCache:
    """The backend for one configured URL; ``ValueError`` for an unknown scheme."""
    parts = urlsplit(url.strip())
    backend = BACKENDS.get(parts.scheme)
    if backend is None or not parts.netloc:
        known = ", ".join(f"{scheme}://" for scheme in BACKENDS)
        raise ValueError(f"Unknown frontend cache URL {url!r}: expected one of {known}")
    return backend(parts)
