"""newsroom.fetching: the address rule, refusals, redirects and limits.

The address rule is tested on literal addresses (no connection is opened).
Fetches send traffic to loopback only: with the loopback allowance off,
loopback addresses stand in for private ones and must be refused before any
request; with it on, a loopback server is really fetched.
"""

import gzip
import socket
import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from newsroom.fetching import FetchFailed, FetchRefused, fetch, is_public_address
from tests.web_server import WebServer

PAGE = "<!doctype html><title>Hello</title><p>Bonjour</p>"


@pytest.fixture
def server():
    with WebServer() as running:
        yield running


@pytest.fixture
def loopback_allowed(settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True


# -- The address rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_pass_the_address_rule(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "127.0.0.2",
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",
        "100.64.0.1",  # carrier-grade NAT
        "198.18.0.1",  # benchmarking
        "192.0.0.8",
        "192.0.2.1",  # documentation
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",  # site-local
        "ff02::1",
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::1",  # local-use NAT64
        "2001::1",  # Teredo
        "2001:db8::1",  # documentation
        "not an address",
    ],
)
def test_non_public_addresses_fail_the_address_rule(address):
    assert not is_public_address(address)


# -- Refusals before any connection ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.2/", "127.0.0.2 is a loopback address (127.0.0.2)"),
        ("http://[::1]/", "::1 is a loopback address (::1)"),
        ("http://localhost/", "localhost resolves to a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://10.0.0.5/admin", "10.0.0.5 is a private address (10.0.0.5)"),
    ],
)
def test_fetching_a_non_public_host_is_refused_with_its_address(url, message):
    with pytest.raises(FetchRefused, match=r"only public addresses") as refused:
        fetch(url)
    assert message in str(refused.value)


def test_a_refused_loopback_server_never_receives_the_request(server):
    url = server.add("/", body=PAGE)
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(url)
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http:///nohost", "no host name"),
        ("http://example.com:99999/", "not a valid web address"),
    ],
)
def test_addresses_that_are_not_plain_web_addresses_are_refused(url, message):
    with pytest.raises(FetchRefused, match=message):
        fetch(url)


# -- With the loopback allowance -------------------------------------------------------


def test_a_loopback_server_is_fetched_when_loopback_is_allowed(server, loopback_allowed):
    url = server.add("/story", body=PAGE, content_type="text/html; charset=ISO-8859-1")
    fetched = fetch(url)
    assert (fetched.url, fetched.status, fetched.content) == (url, 200, PAGE.encode())
    assert (fetched.content_type, fetched.charset) == ("text/html", "ISO-8859-1")
    assert fetched.headers["content-length"] == str(len(PAGE))


def test_the_request_names_the_host_and_the_site(server, loopback_allowed, settings):
    fetch(server.add("/", body=PAGE))
    _, headers = server.requests[0]
    assert headers["Host"] == f"127.0.0.1:{server.server_address[1]}"
    assert headers["User-Agent"] == settings.NEWSROOM_FETCH_USER_AGENT


def test_the_host_name_is_looked_up_once_and_the_checked_address_is_used(
    server, loopback_allowed, monkeypatch
):
    """No second lookup a rebinding DNS server could answer differently."""
    looked_up = []
    real_getaddrinfo = socket.getaddrinfo

    def counting_getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting_getaddrinfo)
    server.add("/", body=PAGE)
    fetched = fetch(server.url("/", host="localhost"))
    assert fetched.status == 200
    assert looked_up.count("localhost") == 1
    assert server.requests[0][1]["Host"] == f"localhost:{server.server_address[1]}"


def test_an_error_answer_is_returned_with_its_status(server, loopback_allowed):
    fetched = fetch(server.url("/missing"))
    assert (fetched.status, fetched.ok) == (404, False)


def test_a_closed_port_fails_with_a_message(loopback_allowed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchFailed, match="could not be reached"):
        fetch(f"http://127.0.0.1:{port}/")


# -- Redirects ----------------------------------------------------------------------


def test_redirects_are_followed_to_the_final_url(server, loopback_allowed):
    server.add("/old", status=301, headers={"Location": "/middle"})
    server.add("/middle", status=302, headers={"Location": server.url("/new")})
    final = server.add("/new", body=PAGE)
    fetched = fetch(server.url("/old"))
    assert (fetched.url, fetched.content) == (final, PAGE.encode())


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::ffff:10.0.0.1]/"],
)
def test_a_redirect_to_a_refused_address_is_refused(server, loopback_allowed, target):
    server.add("/go", status=302, headers={"Location": target})
    with pytest.raises(FetchRefused, match="only public addresses"):
        fetch(server.url("/go"))


def test_a_redirect_to_another_scheme_is_refused(server, loopback_allowed):
    server.add("/go", status=301, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(server.url("/go"))


def test_a_redirect_loop_is_cut_after_the_limit(server, loopback_allowed):
    server.add("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchRefused, match="redirects more than 3 times"):
        fetch(server.url("/loop"), max_redirects=3)
    assert len(server.requests) == 4


# -- Limits and content types --------------------------------------------------------


def test_an_announced_body_over_the_limit_is_refused(server, loopback_allowed):
    url = server.add("/big", body=b"x" * 2000)
    with pytest.raises(FetchRefused, match="larger than the limit of 1,000 bytes"):
        fetch(url, max_bytes=1000)


def test_an_unannounced_body_over_the_limit_is_refused(server, loopback_allowed):
    url = server.add("/big", body=b"x" * 200_000, length=None)
    with pytest.raises(FetchRefused, match="larger than the limit"):
        fetch(url, max_bytes=100_000)


def test_a_compressed_body_is_limited_by_its_decompressed_size(server, loopback_allowed):
    bomb = gzip.compress(b"\0" * 5_000_000)
    url = server.add("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 10_000
    with pytest.raises(FetchRefused, match="larger than the limit"):
        fetch(url, max_bytes=1_000_000)


def test_a_server_that_does_not_answer_in_time_is_given_up(server, loopback_allowed):
    url = server.add("/slow", body=PAGE, delay=3)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than 0.5 seconds"):
        fetch(url, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_a_body_trickled_past_the_time_limit_is_cut(server, loopback_allowed):
    url = server.add("/trickle", body=b"x" * 100, trickle=0.05)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than 0.5 seconds"):
        fetch(url, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_an_unexpected_content_type_is_refused(server, loopback_allowed):
    url = server.add("/file", body=b"MZ", content_type="application/octet-stream")
    with pytest.raises(FetchRefused, match="is application/octet-stream, not one of"):
        fetch(url)


def test_a_type_pattern_accepts_its_family(server, loopback_allowed):
    url = server.add("/pic", body=b"\x89PNG", content_type="image/png")
    assert fetch(url, accept=("image/*",)).content_type == "image/png"


# -- The deploy check ---------------------------------------------------------------


def test_check_deploy_warns_when_loopback_fetching_is_allowed(settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with pytest.raises(SystemCheckError, match="newsroom.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


def test_check_deploy_is_quiet_about_fetching_by_default(settings, capsys):
    call_command("check", "--deploy", "--tag", "security")
    assert "newsroom.W001" not in capsys.readouterr().err


# -- Addresses, IPv6 and TLS ---------------------------------------------------------


def test_a_loopback_ipv6_server_is_fetched_when_loopback_is_allowed(loopback_allowed):
    with WebServer("::1") as server:
        url = server.add("/", body=PAGE)
        fetched = fetch(url)
        assert fetched.status == 200
        assert server.requests[0][1]["Host"] == f"[::1]:{server.server_address[1]}"


def test_the_next_checked_address_is_tried_when_one_cannot_be_reached(
    server, loopback_allowed, monkeypatch
):
    """A host with an IPv6 address, fetched from a machine without IPv6."""
    port = server.server_address[1]
    real_getaddrinfo = socket.getaddrinfo

    def two_addresses(host, *args, **kwargs):
        if host != "newsroom.test":
            return real_getaddrinfo(host, *args, **kwargs)
        stream = (socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        return [
            (socket.AF_INET6, *stream, ("::1", port, 0, 0)),  # nothing listens there
            (socket.AF_INET, *stream, ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    server.add("/", body=PAGE)
    assert fetch(f"http://newsroom.test:{port}/").status == 200


def test_a_name_with_one_refused_address_is_refused_whole(monkeypatch):
    real_getaddrinfo = socket.getaddrinfo

    def mixed(host, *args, **kwargs):
        if host != "rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        stream = (socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        return [
            (socket.AF_INET, *stream, ("93.184.215.14", 80)),
            (socket.AF_INET, *stream, ("127.0.0.1", 80)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with pytest.raises(FetchRefused, match="rebind.test resolves to a loopback address"):
        fetch("http://rebind.test/")


@pytest.fixture
def tls_server(tmp_path):
    """An https server on 127.0.0.1 with a self-signed certificate for localhost,
    recording the name each client sends in its TLS handshake (SNI)."""
    import shutil
    import ssl
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    with WebServer() as server:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.sni_names = names
        yield server


def test_https_sends_the_host_name_and_verifies_the_certificate(tls_server, loopback_allowed):
    """Connected to the checked address, yet the handshake names the host; a
    certificate no authority signed is refused."""
    tls_server.add("/", body=PAGE)
    url = f"https://localhost:{tls_server.server_address[1]}/"
    with pytest.raises(FetchFailed, match="the secure connection failed"):
        fetch(url)
    assert tls_server.sni_names == ["localhost"]
    assert tls_server.requests == []
