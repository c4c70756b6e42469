"""Faults caused for real, production settings, and the admin's defences."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from comments.services import comment_moderate
from tests.faults import Gunicorn, TcpForwarder, unreachable_redis_cache
from tests.test_images import jpeg

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


# --- Health check ----------------------------------------------------------------------------


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- Redis unreachable ---------------------------------------------------------------------------


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = {"default": unreachable_redis_cache()}
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


def test_pages_are_served_while_redis_is_down(dead_redis, article_factory, caplog):
    article = article_factory(title="Still readable")
    client = Client()
    for url in ("/", article.get_absolute_url(), "/feed/", "/search/?q=readable"):
        assert client.get(url).status_code == 200, url
    assert b"Still readable" in client.get(article.get_absolute_url()).content
    assert "serving without the cache" in caplog.text or "Could not invalidate" in caplog.text


def test_healthz_says_the_cache_is_down_but_keeps_the_server_in_the_pool(dead_redis):
    # Pages are served without Redis; a 503 here would take every app server
    # (they share Redis) out of the load balancer at once.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "unavailable"


def test_comments_are_accepted_and_held_while_redis_is_down(
    dead_redis, article_factory, comment_factory, django_capture_on_commit_callbacks
):
    # Name and email of an approved author are no proof of trust (issue #13),
    # and while Redis is down the posting rate is counted in the database.
    comment_factory(author_name="Ann", author_email="ann@example.org", status="approved")
    article = article_factory()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/comments/post/{article.pk}/",
            {"author_name": "Ann", "author_email": "ann@example.org", "body": "Redis is down"},
        )
    assert response.status_code == 302
    comment = Comment.objects.get(body="Redis is down")
    assert comment.status == Comment.Status.PENDING
    assert comment.check_records.get(check_name="RateLimitCheck").verdict == "no_opinion"


# --- Database unreachable ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="cuts a PostgreSQL connection for real"
)
def test_database_outage_is_a_503_with_retry_after_and_the_site_recovers(article_factory):
    article = article_factory(title="Outage story")
    database = connection.settings_dict
    forwarder = TcpForwarder(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    url = f"postgres://{database['USER']}@127.0.0.1:{forwarder.port}/{database['NAME']}"
    server = Gunicorn({"DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "60"})
    try:
        status, _, body = server.get(article.get_absolute_url())
        assert status == 200
        assert b"Outage story" in body

        forwarder.cut()
        # A page that must ask the database (a post whose fragments are warm
        # in Redis is still served without it).
        status, headers, body = server.get("/search/?q=outage")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert b"Back in a moment" in body
        assert b"Traceback" not in body
        assert server.get("/healthz")[0] == 503

        forwarder.restore()
        statuses = [server.get("/search/?q=outage")[0] for _ in range(4)]
        assert statuses[-1] == 200  # connections are re-made once the database answers
    finally:
        server.stop()
        forwarder.cut()


# --- Media folder read-only or missing ----------------------------------------------------------------


def test_unwritable_media_folder_is_a_form_error_and_nothing_is_saved(client, editor, settings):
    # /proc is a read-only filesystem even for root: a real EROFS/ENOENT on write.
    settings.MEDIA_ROOT = "/proc/newsroom-media"
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "With an image",
            "slug": "with-an-image",
            "body": "<p>Text</p>",
            "status": "draft",
            "publish_at_0": "2024-08-01",
            "publish_at_1": "12:00:00",
            "author": editor.pk,
            "tags": "",
            "featured_image": jpeg(),
            "featured_image_alt": "A picture",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "The image could not be stored" in errors["featured_image"][0]
    assert not Article.objects.posts().exists()


# --- Moderators acting at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database sessions")
def test_two_moderators_on_one_comment_leave_one_consistent_state(comment_factory, user_factory):
    comment = comment_factory(status="pending")
    first, second = user_factory(username="mod-a"), user_factory(username="mod-b")
    barrier = threading.Barrier(2)
    errors = []

    def act(moderator, status):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            comment_moderate(comment=comment, status=status, moderator=moderator)
        except Exception as error:
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=act, args=(first, "approved")),
        threading.Thread(target=act, args=(second, "spam")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    comment.refresh_from_db()
    # Whoever acted last wins, and the record says who that was.
    assert (comment.status, comment.moderated_by.username) in {
        ("approved", "mod-a"),
        ("spam", "mod-b"),
    }


# --- Production settings -------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmn",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "NEWSROOM_SITE_URL": "https://news.example.com",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    "PATH": "/usr/bin:/bin",
}


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=PRODUCTION_ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_and_a_strict_content_security_policy(client, article_factory):
    article = article_factory()
    response = client.get(article.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_carry_no_inline_script_or_style(client, article_factory, comment_factory):
    article = article_factory()
    comment_factory(article=article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for script in html.split("<script")[1:]:
        tag = script.split(">", 1)[0]
        assert "src=" in tag or 'type="application/ld+json"' in tag


# --- Admin login throttling -------------------------------------------------------------------------


def test_admin_login_locks_out_after_repeated_failures(editor, settings):
    client = Client()
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": editor.username, "password": "wrong"})
        assert response.status_code == 200
        assert b"Please enter the correct username and password" in response.content
    last_try = client.post(url, {"username": editor.username, "password": "wrong"})
    assert last_try.status_code == 429
    locked = client.post(url, {"username": editor.username, "password": "a-long-test-password-42"})
    assert locked.status_code == 429
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_admin_lives_at_the_configured_address(settings):
    assert reverse("admin:index") == "/" + settings.NEWSROOM_ADMIN_URL
