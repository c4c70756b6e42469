"""The page cache under attack and outage (issue #11, findings 4, 13 and 15).

Readers are served by processes that reach the shared cache (the test
settings' cache: local memory, or Redis when REDIS_URL is set); the editor's
process is one whose Redis is unreachable — a real Redis client pointed at a
port where nothing listens. Local-memory caches with one name share their
data, so switching the writer's cache away and back keeps the readers' pages.
"""

import time

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.services import articles_unpublish
from comments.models import Comment
from comments.services import comment_moderate
from newsroom import pagecache
from newsroom.models import PendingInvalidation, SiteSettings
from newsroom.tasks import apply_pending_invalidations
from tests.faults import redis_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def check_interval_passes(monkeypatch):
    """Call to move on past the interval at which a process, even one serving
    only cache hits, looks for pending invalidations."""

    def check_interval_passes():
        since = time.monotonic() - pagecache.HIT_CHECK_SECONDS
        monkeypatch.setattr(pagecache, "pending_checked_at", since)

    return check_interval_passes


@pytest.fixture
def pending_checked_just_now(monkeypatch):
    monkeypatch.setattr(pagecache, "pending_checked_at", time.monotonic())


# The writing process's view of the cache when Redis is unreachable from it.
writer_cannot_reach_redis = redis_unreachable


def fetch(url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, headers=headers)
    response.query_count = len(queries)
    return response


def cached_page_count() -> int:
    backend = cache._cache
    if isinstance(backend, dict):  # local memory
        return sum(pagecache.PAGE_PREFIX in key for key in backend)
    return len(backend.get_client().keys(f"*{pagecache.PAGE_PREFIX}*"))


@pytest.fixture
def article(article_factory):
    return article_factory(title="Cached story")


# --- Finding 4: invalidation survives a cache that cannot be reached -------------------------


def test_unpublished_article_is_gone_for_readers_once_a_process_reaches_the_cache(
    article, check_interval_passes, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    fetch(url)
    assert fetch(url)["X-Cache"] == "HIT"
    with writer_cannot_reach_redis(), django_capture_on_commit_callbacks(execute=True):
        articles_unpublish(articles=Article.objects.filter(pk=article.pk))
    check_interval_passes()
    response = fetch(url)
    assert response.status_code == 404
    assert not PendingInvalidation.objects.exists()


def test_a_comment_taken_down_is_gone_for_readers_once_a_process_reaches_the_cache(
    article, comment_factory, moderator, check_interval_passes, django_capture_on_commit_callbacks
):
    comment = comment_factory(article=article, status="approved", body="Regrettable remark")
    url = article.get_absolute_url()
    fetch(url)
    assert b"Regrettable remark" in fetch(url).content
    with writer_cannot_reach_redis(), django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status=Comment.Status.TRASH, moderator=moderator)
    check_interval_passes()
    assert b"Regrettable remark" not in fetch(url).content


def test_renaming_the_site_while_the_cache_is_unreachable_reaches_readers(
    article, check_interval_passes
):
    fetch("/")
    with writer_cannot_reach_redis():
        SiteSettings.objects.update_or_create(pk=1, defaults={"name": "The Renamed Herald"})
    check_interval_passes()
    assert b"The Renamed Herald" in fetch("/").content


def test_a_process_that_still_cannot_reach_the_cache_keeps_invalidations_pending(
    article, check_interval_passes, django_capture_on_commit_callbacks
):
    with writer_cannot_reach_redis():
        with django_capture_on_commit_callbacks(execute=True):
            articles_unpublish(articles=Article.objects.filter(pk=article.pk))
        assert pagecache.pending_invalidations_apply() > 0
    assert PendingInvalidation.objects.filter(name="content").exists()


def test_pending_invalidations_are_retried_by_a_deferred_task(
    article, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    with writer_cannot_reach_redis(), django_capture_on_commit_callbacks(execute=True):
        articles_unpublish(articles=Article.objects.filter(pk=article.pk))
    retry = default_task_backend.results[0]
    assert retry.task.name == apply_pending_invalidations.name
    assert retry.task.run_after > timezone.now()
    assert apply_pending_invalidations.call(*retry.args) == 0
    assert not PendingInvalidation.objects.exists()


def test_the_command_applies_pending_invalidations_and_fails_while_the_cache_is_down(article):
    PendingInvalidation.objects.create(name="content")
    with writer_cannot_reach_redis(), pytest.raises(CommandError, match="still pending"):
        call_command("apply_pending_invalidations")
    call_command("apply_pending_invalidations")
    assert not PendingInvalidation.objects.exists()


def unpublish_in_the_admin(editor, article):
    client = Client()
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    return [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


# Real commits: the invalidation runs on commit, inside the editor's request.
@pytest.mark.django_db(transaction=True)
def test_editor_is_warned_when_unpublishing_could_not_clear_the_cache(article, editor):
    with writer_cannot_reach_redis():
        (warning,) = unpublish_in_the_admin(editor, article)
    assert "Readers may see the old version" in warning.message
    assert "retried automatically" in warning.message


@pytest.mark.django_db(transaction=True)
def test_editor_gets_no_warning_when_the_cache_answers(article, editor):
    assert unpublish_in_the_admin(editor, article) == []


# --- Finding 15: a change that lands during a render is not stored as current ----------------


def test_an_article_unpublished_while_its_page_renders_is_not_served_from_the_cache(article):
    url = article.get_absolute_url()

    def unpublish_mid_render(sender, template, **kwargs):
        if template.name == "articles/article_detail.html":
            Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
            pagecache.bump("content")

    template_rendered.connect(unpublish_mid_render)
    try:
        assert fetch(url).status_code == 200  # rendered from what it read before
    finally:
        template_rendered.disconnect(unpublish_mid_render)
    assert fetch(url).status_code == 404


def test_a_change_to_a_page_specific_name_during_a_render_is_not_stored_as_current(rf):
    renders = []

    def view(request):
        renders.append(request)
        if len(renders) == 1:
            pagecache.bump("article:7")  # e.g. a comment approved mid-render
        return pagecache.depends_on(HttpResponse(f"render {len(renders)}"), "content", "article:7")

    middleware = pagecache.AnonymousPageCacheMiddleware(view)
    middleware(rf.get("/story/"))
    second = middleware(rf.get("/story/"))
    assert (second["X-Cache"], second.content) == ("MISS", b"render 2")
    assert middleware(rf.get("/story/"))["X-Cache"] == "HIT"


# --- Finding 13: query strings cannot fill the cache -----------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?junk=1",
        "?page=1&nonsense=x",
        "?page=abc",
        "?page=1&page=2",
        "?cpage=-1",
        "?q=" + "x" * 300,
    ],
)
def test_query_strings_the_pages_do_not_use_are_never_stored(article, query):
    url = article.get_absolute_url() + query
    before = cached_page_count()
    first, second = fetch(url), fetch(url)
    assert first.status_code < 500
    assert (first["X-Cache"], second["X-Cache"]) == ("BYPASS", "BYPASS")
    assert cached_page_count() == before


def test_tracking_parameters_are_served_from_the_cached_page(article):
    url = article.get_absolute_url()
    fetch(url)
    response = fetch(url + "?utm_source=newsletter&utm_medium=email&fbclid=abc&gclid=x")
    assert (response["X-Cache"], response.query_count) == ("HIT", 0)


def test_the_same_parameters_in_any_order_or_form_share_one_cache_entry(article):
    fetch("/search/?q=cached&page=1")
    assert fetch("/search/?page=1&q=cached")["X-Cache"] == "HIT"
    assert fetch("/search/?page=01&q=cached")["X-Cache"] == "HIT"
    assert fetch("/search/?q=other&page=1")["X-Cache"] == "MISS"


def test_the_host_is_part_of_the_cache_key(article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    fetch("/")
    assert fetch("/", Host="other.example")["X-Cache"] == "MISS"


# --- The hit path stays cheap ------------------------------------------------------------------


def test_a_cache_hit_runs_no_query_between_pending_checks(article, pending_checked_just_now):
    url = article.get_absolute_url()
    fetch(url)
    hit = fetch(url)
    assert (hit["X-Cache"], hit.query_count) == ("HIT", 0)


def test_a_cache_hit_looks_for_pending_invalidations_at_most_once_per_interval(
    article, pending_checked_just_now, monkeypatch
):
    url = article.get_absolute_url()
    fetch(url)
    monkeypatch.setattr(pagecache, "pending_checked_at", float("-inf"))
    hits = [fetch(url) for _ in range(3)]
    assert [(h["X-Cache"], h.query_count) for h in hits] == [("HIT", 1), ("HIT", 0), ("HIT", 0)]


def test_a_comment_deleted_in_the_admin_is_gone_for_readers_at_once(
    article, comment_factory, admin_client, django_capture_on_commit_callbacks
):
    """Found in review: the admin's delete bypassed the comments service, so the
    cached page and thread kept showing a comment taken down (a legal takedown)."""
    comment = comment_factory(article=article, body="Defamatory words here")
    url = article.get_absolute_url()
    fetch(url)
    assert b"Defamatory words here" in fetch(url).content
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"}
        )
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert b"Defamatory words here" not in fetch(url).content


def test_comments_deleted_in_bulk_in_the_admin_are_gone_for_readers_at_once(
    article, comment_factory, admin_client, django_capture_on_commit_callbacks
):
    comments = [comment_factory(article=article, body=f"Bulk takedown {n}") for n in range(2)]
    url = article.get_absolute_url()
    fetch(url)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:comments_comment_changelist") + "?status=approved",
            {
                "action": "delete_selected",
                "_selected_action": [c.pk for c in comments],
                "post": "yes",
            },
        )
    assert not Comment.objects.filter(body__startswith="Bulk takedown").exists()
    assert b"Bulk takedown" not in fetch(url).content
