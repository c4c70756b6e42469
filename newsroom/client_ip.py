"""The one rule for "which address is this visitor?"

Everything that keys on a visitor's address asks ``client_ip(request)``: the
comments (stored for moderators, fed to the spam checks and Akismet), the
comment flood limit (``comments.ratelimit``) and the admin's login throttle
(django-axes, through ``AXES_CLIENT_IP_CALLABLE``). One rule means a visitor
is the same visitor everywhere, and a proxy is never mistaken for everyone.

Trusted proxies
---------------
Behind a reverse proxy (nginx, a load balancer) ``REMOTE_ADDR`` is the proxy,
and the visitor's address is in ``X-Forwarded-For``, to which each proxy
*appends* the address it received the request from. Only the entries the
proxies wrote can be trusted: anything to their left was sent by the client
and may be invented. ``NEWSROOM_TRUSTED_PROXIES`` says how many proxies stand
in front of the app, so the visitor is the entry that many places from the
right (1: the last one, written by the one proxy).

- ``0`` (the default): ``X-Forwarded-For`` is ignored; the visitor is
  ``REMOTE_ADDR``. Right when gunicorn faces the internet, and wrong behind a
  proxy, where every visitor would be the proxy.
- ``N``: right only when the app cannot be reached except through those N
  proxies (gunicorn listening on localhost or a private network); a client
  that reaches it directly could otherwise name any address.

Entries are parsed with ``ipaddress``, so what is returned is always a valid,
canonical address (or ``None``): ports are dropped (``203.0.113.9:51234``,
``[2001:db8::5]:443``), IPv6 zones are dropped and IPv4-mapped IPv6 addresses
become IPv4. An entry that is not an address (``unknown``, garbage, a header
with too few entries) falls back to ``REMOTE_ADDR``: a header never causes an
error.

Counting visitors
-----------------
One IPv6 visitor usually holds a whole /64 (a home or phone network picks any
of its 2^64 addresses at will), so whatever *counts* visitors — the comment
flood limit, the spam checks' posting rate — counts ``visitor_network(ip)``:
an IPv4 address itself, an IPv6 address's /64.
"""

import ipaddress
import re

from django.conf import settings

# "[2001:db8::5]:443" or "[2001:db8::5]": an IPv6 address in brackets, with an optional port.
BRACKETED = re.compile(r"\[(?P<address>[^\[\]]+)\](?::[0-9]{1,5})?")
# "203.0.113.9:51234": IPv4 with a port (a bare IPv6 address has more than one colon).
IPV4_WITH_PORT = re.compile(r"(?P<address>[0-9.]+):[0-9]{1,5}")
# No address, however written, is longer; longer entries are not looked at.
LONGEST_ENTRY = 100
# The IPv6 prefix one visitor holds (RFC 6177: a site gets at least a /64).
IPV6_VISITOR_PREFIX = 64


def parse_ip(text: str) -> str | None:
    """The canonical address ``text`` names, or ``None`` if it names none.

    Accepts what proxies and load balancers write: a bare IPv4 or IPv6 address,
    either with a port, IPv6 in brackets, surrounding quotes or spaces.
    """
    text = text.strip().strip('"').strip()
    if not text or len(text) > LONGEST_ENTRY:
        return None
    with_port = BRACKETED.fullmatch(text) or IPV4_WITH_PORT.fullmatch(text)
    if with_port:
        text = with_port["address"]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])  # "fe80::1%eth0": no zone
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request) -> str | None:
    """The visitor's address: the one the trusted proxies saw, else ``REMOTE_ADDR``.

    ``None`` only when neither names an address (e.g. a Unix socket).
    """
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies > 0:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [entry for entry in header.split(",") if entry.strip()]
        if len(entries) >= proxies:
            forwarded = parse_ip(entries[-proxies])
            if forwarded is not None:
                return forwarded
    return parse_ip(request.META.get("REMOTE_ADDR", ""))


def visitor_network(ip: str | None) -> str:
    """What counts as one visitor for ``ip``: the IPv4 address itself, or the
    IPv6 /64 it is in (``"2001:db8:1:2::/64"``); ``""`` for no address."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/{IPV6_VISITOR_PREFIX}", strict=False))
