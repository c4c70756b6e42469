"""Fetching a URL someone typed or a feed supplied, safely: the one way the site
reads the web.

Whoever gives Newsroom an address (an editor pasting a link, a source's feed,
an ``<img>`` in a page being reposted) could point it at the site's own
network: ``http://10.0.0.5/admin``, ``http://169.254.169.254/`` (a cloud's
metadata service), ``http://localhost:6379/``. So ``fetch`` is the only
function that opens connections for such addresses, and it:

- takes ``http`` and ``https`` URLs only, without a user name or password;
- resolves the host once and refuses it unless every address it resolves to is
  public (``is_public_address``, the one address rule), then connects to the
  address it checked — there is no second DNS lookup for a rebinding DNS
  server to answer differently. For https the certificate is still verified
  against the host name, which is sent as SNI and in ``Host``;
- follows at most ``max_redirects`` redirects, checking every hop as above;
- reads at most ``max_bytes`` (decompressed) and gives up after ``timeout``
  seconds in all — connecting, waiting and reading together;
- checks the response's content type against ``accept`` (2xx answers only).

Every refusal raises ``FetchRefused`` whose text tells the editor why
(``"… resolves to a private address (10.0.0.5)"``); a fetch that was allowed
but did not complete (connection refused, timed out) raises its subclass
``FetchFailed``. A non-2xx answer is not an error here: it is returned (its
body limited like any other), and callers decide (a feed reader wants 304 and
410; see ``Fetched.ok``).

``NEWSROOM_FETCH_ALLOW_LOOPBACK`` lets loopback addresses through, for tests and
local development only; ``check --deploy`` warns when it is on
(``newsroom.checks``).

Callers: the wire (``wire.fetching``/``wire.services``) and reposting
(``wire.reposting``). Knows no app.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    # Many servers label feeds as plain text or HTML; feedparser reads them anyway.
    "text/plain",
    "text/html",
    "application/octet-stream",
)
IMAGE_TYPES = ("image/*",)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

AnyAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 prefixes: an IPv6 address there stands for the IPv4 address in its last
# 32 bits (RFC 6052 well-known prefix; RFC 8215 local-use prefix is never public).
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
# Shared address space (carrier-grade NAT), benchmarking: not private, not public.
_NEVER_PUBLIC_V4 = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("192.0.0.0/24"),
)


class FetchRefused(Exception):
    """The fetch was not made (or was cut short): ``str(e)`` tells the editor why."""


class FetchFailed(FetchRefused):
    """The address was allowed, but the fetch did not complete (network, timeout, TLS)."""


@dataclass
class Fetched:
    """A fetched answer: the final URL after redirects, its status, headers (names in
    lower case), body, content type (``text/html``) and charset (``""`` if none)."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    content_type: str = ""
    charset: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """The body decoded with its charset (UTF-8 when none is given), lenient."""
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


# -- The address rule ------------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form stands for: mapped, 6to4, NAT64 (well-known)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: str | AnyAddress) -> bool:
    """True when ``ip`` is a public unicast address the site may connect to.

    Refused: private, loopback, link-local, multicast, reserved, unspecified,
    shared (CGNAT) and benchmarking ranges, site-local IPv6, Teredo, and IPv6
    forms that stand for a refused IPv4 address (``::ffff:10.0.0.1``,
    ``2002:0a00:0001::``, ``64:ff9b::a00:1``). The one address rule: ``fetch``
    applies it to every address a host resolves to, on every hop."""
    try:
        address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if address.teredo is not None or address in _NAT64_LOCAL_USE or address.is_site_local:
            return False
        # IPv4-compatible (::a.b.c.d, deprecated) and the rest of ::/8.
        if int(address) >> 32 == 0:
            return False
    elif any(address in network for network in _NEVER_PUBLIC_V4):
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_loopback(address: AnyAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _address_allowed(address: AnyAddress) -> bool:
    if is_public_address(address):
        return True
    return settings.NEWSROOM_FETCH_ALLOW_LOOPBACK and _is_loopback(address)


def _describe(address: AnyAddress) -> str:
    if _is_loopback(address):
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    return "a non-public address"


# -- One hop ---------------------------------------------------------------------------


@dataclass
class _Target:
    scheme: str
    host: str  # as in the URL, without brackets: the name for SNI and Host
    port: int
    addresses: tuple[str, ...]  # the checked addresses, tried in order; never the name
    path: str
    host_header: str


def _check_url(url: str) -> _Target:
    """Parse ``url``, resolve its host, and refuse it unless it may be fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"{url!r} is not a valid web address ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"{url!r}: only http and https addresses can be fetched.")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(f"{url!r} carries a user name or password; remove them.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"{url!r} has no host name.")
    port = port or DEFAULT_PORTS[scheme]
    addresses = _resolve_and_check(host, port)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    netloc_host = f"[{host}]" if ":" in host else host
    host_header = netloc_host if port == DEFAULT_PORTS[scheme] else f"{netloc_host}:{port}"
    return _Target(scheme, host, port, addresses, path, host_header)


def _resolve_and_check(host: str, port: int) -> tuple[str, ...]:
    """The addresses to connect to: every address ``host`` resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchFailed(f"{host} could not be found ({error}).") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not _address_allowed(address):
            verb = "is" if str(address) == host else "resolves to"
            raise FetchRefused(
                f"{host} {verb} {_describe(address)} ({address}); "
                "only public addresses can be fetched."
            )
        addresses.append(str(address))
    if not addresses:
        raise FetchFailed(f"{host} could not be found.")
    return tuple(dict.fromkeys(addresses))


def _pool(target: _Target, address: str, timeout) -> urllib3.HTTPConnectionPool:
    """A connection pool bound to a checked address (never the name)."""
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        address, target.port, timeout=timeout, retries=False, maxsize=1
    )


def _remaining(deadline: float, url: str, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed(f"{url} took longer than {timeout:g} seconds; gave up.")
    return left


def _content_type(headers: dict[str, str]) -> tuple[str, str]:
    message = Message()
    message["content-type"] = headers.get("content-type", "")
    content_type = message.get_content_type() if headers.get("content-type") else ""
    return content_type, message.get_param("charset") or ""


def _accepted(content_type: str, accept: tuple[str, ...]) -> bool:
    for pattern in accept:
        if pattern in ("*/*", content_type):
            return True
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
    return False


def _shorten_socket_timeout(response, seconds: float) -> None:
    """Let the next receive wait no longer than what is left of the total time."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _read_body(response, *, url: str, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """The (decompressed) body, refused past ``max_bytes``, cut at the deadline."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"{url} is larger than the limit of {max_bytes:,} bytes.")
    chunks, size = [], 0
    while True:
        _shorten_socket_timeout(response, _remaining(deadline, url, timeout))
        # read1: one receive at a time, so a server that trickles bytes meets the deadline.
        chunk = response.read1(CHUNK_BYTES, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"{url} is larger than the limit of {max_bytes:,} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _one_hop(url: str, *, headers: dict[str, str], deadline: float, timeout: float):
    """Request ``url`` (checked) and return (pool, streaming response).

    The host's checked addresses are tried in turn while a connection cannot be
    made (a host with an IPv6 address, fetched from a server without IPv6)."""
    target = _check_url(url)
    for attempt, address in enumerate(target.addresses, start=1):
        left = _remaining(deadline, url, timeout)
        pool = _pool(target, address, urllib3.Timeout(connect=left, read=left))
        try:
            return pool, _request(pool, target, headers)
        except NewConnectionError as error:  # (a subclass of urllib3's TimeoutError)
            if attempt == len(target.addresses):
                raise FetchFailed(f"{url} could not be reached ({error}).") from None
        except (TimeoutError, Urllib3Timeout):
            raise FetchFailed(f"{url} took longer than {timeout:g} seconds; gave up.") from None
        except SSLError as error:
            raise FetchFailed(f"{url}: the secure connection failed ({error}).") from None
        except (Urllib3Error, OSError) as error:
            raise FetchFailed(f"{url} could not be reached ({error}).") from None
    raise AssertionError("unreachable")  # pragma: no cover  (addresses is never empty)


def _request(pool, target: _Target, headers: dict[str, str]):
    """Send the GET; the pool is closed if no answer comes."""
    try:
        return pool.urlopen(
            "GET",
            target.path,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )
    except BaseException:
        pool.close()
        raise


# -- The public entry point ------------------------------------------------------------


def fetch(
    url: str,
    *,
    accept: tuple[str, ...] = HTML_TYPES,
    max_bytes: int | None = None,
    timeout: float | None = None,
    max_redirects: int = 5,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """GET ``url`` under the rules in this module's docstring; raise ``FetchRefused``.

    ``accept``: content types a 2xx answer may have (``"image/*"`` patterns too);
    ``headers``: extra request headers (``If-None-Match``…). Defaults come from
    ``NEWSROOM_FETCH_MAX_BYTES`` and ``NEWSROOM_FETCH_TIMEOUT``."""
    max_bytes = settings.NEWSROOM_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    timeout = settings.NEWSROOM_FETCH_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    request_headers = {
        "User-Agent": settings.NEWSROOM_FETCH_USER_AGENT,
        "Accept": ", ".join(accept) + ", */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
        **(headers or {}),
    }
    current = url
    for hop in range(max_redirects + 1):
        pool, response = _one_hop(
            current, headers=request_headers, deadline=deadline, timeout=timeout
        )
        try:
            location = response.headers.get("location")
            if response.status in REDIRECT_STATUSES and location:
                if hop == max_redirects:
                    raise FetchRefused(f"{url} redirects more than {max_redirects} times.")
                current = urljoin(current, location.strip())
                continue
            limits = {"max_bytes": max_bytes, "deadline": deadline, "timeout": timeout}
            return _finish(current, response, accept=accept, **limits)
        except (TimeoutError, Urllib3Timeout):
            raise FetchFailed(f"{url} took longer than {timeout:g} seconds; gave up.") from None
        except (Urllib3Error, OSError) as error:
            raise FetchFailed(f"{url}: the answer could not be read ({error}).") from None
        finally:
            response.release_conn()
            pool.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _finish(url, response, *, accept, max_bytes, deadline, timeout) -> Fetched:
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type, charset = _content_type(headers)
    ok = 200 <= response.status < 300
    if ok and not _accepted(content_type, accept):
        shown = content_type or "no content type"
        raise FetchRefused(
            f"{url} is {shown}, not one of the expected types ({', '.join(accept)})."
        )
    content = _read_body(response, url=url, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
    return Fetched(
        url=url,
        status=response.status,
        headers=headers,
        content=content,
        content_type=content_type,
        charset=charset,
    )
