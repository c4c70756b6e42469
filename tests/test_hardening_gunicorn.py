"""Issue 11's reproductions, replayed against gunicorn with production settings
on PostgreSQL (and Redis when ``REDIS_URL`` names one, as in CI), behind one
trusted proxy as the README's production set-up has it.

Each test here is the attacker's request as a real HTTP client sends it; the
unit-level regression tests live beside the code they guard
(``tests/test_hardening_*.py``).
"""

import json
import urllib.parse

import pytest
import redis
from django.conf import global_settings, settings
from django.db import connection

from bench.loadtest import Browser
from comments.models import Comment
from tests.faults import Gunicorn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn needs a shared database server"
    ),
]

FORM = "application/x-www-form-urlencoded"


def database_url() -> str:
    database = connection.settings_dict
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{database['USER']}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


@pytest.fixture
def server():
    env = {
        "DATABASE_URL": database_url(),
        "NEWSROOM_TRUSTED_PROXIES": "1",
        "NEWSROOM_PAGE_CACHE_SECONDS": "600" if settings.REDIS_URL else "0",
        "CACHE_KEY_PREFIX": "hardening-test",
    }
    gunicorn = Gunicorn(env, workers=2)
    yield gunicorn
    gunicorn.stop()


def csrf_token(browser: Browser) -> str:
    _, token = browser.request("GET", "/comments/form-token/")
    return json.loads(token)["csrfToken"]


def post_comment(browser: Browser, article, forwarded_for: str, marker: str) -> int:
    fields = {
        "csrfmiddlewaretoken": csrf_token(browser),
        "author_name": "Reader behind a balancer",
        "author_email": "reader@example.org",
        "body": f"Comment {marker}.",
    }
    status, _ = browser.request(
        "POST",
        f"/comments/post/{article.pk}/",
        body=urllib.parse.urlencode(fields),
        headers={"Content-Type": FORM, "X-Forwarded-For": forwarded_for},
    )
    return status


@pytest.mark.parametrize(
    ("forwarded_for", "stored_ip"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::5]:443", "2001:db8::5"),
        ("unknown", "127.0.0.1"),
    ],
)
def test_a_comment_behind_a_balancer_that_adds_ports_is_stored(
    server, article_factory, forwarded_for, stored_ip
):
    article = article_factory()
    status = post_comment(Browser(server.port), article, forwarded_for, forwarded_for)

    assert status == 302
    assert Comment.objects.get(body=f"Comment {forwarded_for}.").ip_address == stored_ip


def test_a_post_declaring_a_latin1_charset_is_a_400_not_a_500(server, article_factory):
    article = article_factory()
    browser = Browser(server.port)
    token = csrf_token(browser)
    body = f"csrfmiddlewaretoken={token}&author_name=Zo\xeb&body=Caf\xe9".encode("latin-1")
    for path in (f"/comments/post/{article.pk}/", "/", "/search/"):
        status, _ = browser.request(
            "POST", path, body=body, headers={"Content-Type": f"{FORM}; charset=iso-8859-1"}
        )
        assert status == 400, path


@pytest.mark.parametrize("path", ["/author/%00/", "/author/%00/feed/", "/category/%00/"])
def test_a_nul_byte_in_a_path_is_refused_not_a_500(server, path):
    assert server.get(path)[0] in (400, 404)


def test_a_staff_member_is_not_locked_out_by_failures_from_other_addresses(
    server, editor, settings
):
    # gunicorn checks passwords with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    editor.set_password("the-right-password-42")
    editor.save()
    login = f"/{settings.NEWSROOM_ADMIN_URL}login/"

    def attempt(password: str, forwarded_for: str) -> int:
        browser = Browser(server.port)
        browser.request("GET", login)
        fields = {
            "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
            "username": editor.username,
            "password": password,
            "next": f"/{settings.NEWSROOM_ADMIN_URL}",
        }
        status, _ = browser.request(
            "POST",
            login,
            body=urllib.parse.urlencode(fields),
            headers={"Content-Type": FORM, "X-Forwarded-For": forwarded_for},
        )
        return status

    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt("wrong", f"198.51.100.{n + 1}")

    assert attempt("the-right-password-42", "203.0.113.50") == 302


@pytest.mark.skipif(not settings.REDIS_URL, reason="counts page-cache entries in Redis")
def test_junk_query_strings_add_no_page_cache_entries(server, article_factory):
    article = article_factory()
    client = redis.Redis.from_url(settings.REDIS_URL)
    pattern = "hardening-test:*page*"
    server.get(article.get_absolute_url())  # the page itself, cached once
    before = len(list(client.scan_iter(pattern)))

    for n in range(50):
        server.get(f"{article.get_absolute_url()}?junk{n}={n}")

    assert len(list(client.scan_iter(pattern))) == before
    for key in client.scan_iter("hardening-test:*"):
        client.delete(key)
