"""Issue #11, findings 10 and 14: a stored comment always leads the reader to a
success page, always reaches a verdict, and its moderators always hear of it;
the spam checks cost a reader's request a bounded time on the network.

Faults are real: PostgreSQL backends terminated under a live connection
(``tests.faults.terminate_backend``) and a loopback Akismet that hangs
(``tests.akismet_server``)."""

import io
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments import spam
from comments.models import Comment
from comments.signals import comment_was_posted
from tests.akismet_server import VALID_KEY, AkismetServer
from tests.faults import terminate_backend

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="terminates a PostgreSQL backend for real"
)

A_READERS_COMMENT = {
    "author_name": "Reader",
    "author_email": "reader@example.org",
    "body": "I have a question about the second paragraph.",
}


def token_from(seconds_ago: float) -> str:
    """The comment form's signed timestamp, as if shown ``seconds_ago``."""
    import time_machine

    with time_machine.travel(time.time() - seconds_ago, tick=False):
        return spam.form_timestamp_token()


def post_comment(client, article, **fields):
    data = {**A_READERS_COMMENT, "form_started": token_from(45), **fields}
    return client.post(f"/comments/post/{article.pk}/", data)


@pytest.fixture
def moderator_with_email(moderator):
    moderator.email = "molly@example.org"
    moderator.save()
    return moderator


# --- Finding 10: after the commit, nothing fails the reader -----------------------------


@pytest.fixture
def reconnect_afterwards():
    """A test that kills the connection's backend leaves a fresh one behind."""
    yield
    connection.close()


@pytest.fixture
def database_dies_after_commit(reconnect_afterwards):
    """The first thing after the comment's commit terminates the backend."""

    def terminate(sender, **kwargs):
        terminate_backend(connection)

    comment_was_posted.connect(terminate, weak=False, dispatch_uid="test-terminate")
    yield
    comment_was_posted.disconnect(dispatch_uid="test-terminate")


class SessionStore(DatabaseSessionStore):
    """Database sessions whose backend is terminated as the session is saved
    (``SESSION_ENGINE = "tests.test_hardening_comments"``)."""

    terminated = False

    def save(self, must_create=False):
        if not SessionStore.terminated:
            SessionStore.terminated = True
            terminate_backend(connection)
        super().save(must_create)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "task_backend",
    ["django.tasks.backends.immediate.ImmediateBackend", "django_tasks_db.DatabaseBackend"],
)
def test_a_stored_comment_whose_after_commit_work_hits_a_dead_database_still_redirects_to_it(
    article_factory, settings, database_dies_after_commit, task_backend
):
    settings.TASKS = {"default": {"BACKEND": task_backend}}
    article = article_factory()
    response = post_comment(Client(raise_request_exception=False), article)
    assert response.status_code == 302
    connection.close()  # the test reads afresh, as the next request would
    comment = Comment.objects.get(body=A_READERS_COMMENT["body"])
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_session_that_cannot_be_saved_after_the_comment_is_stored_still_redirects_to_it(
    article_factory, settings, reconnect_afterwards
):
    settings.SESSION_ENGINE = "tests.test_hardening_comments"
    SessionStore.terminated = False
    article = article_factory()
    response = post_comment(Client(raise_request_exception=False), article)
    assert SessionStore.terminated
    assert response.status_code == 302
    connection.close()
    assert Comment.objects.filter(body=A_READERS_COMMENT["body"]).exists()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_reader_still_sees_their_comment_awaiting_moderation_after_the_database_blinked(
    article_factory, database_dies_after_commit
):
    article = article_factory()
    reader = Client(raise_request_exception=False)
    assert post_comment(reader, article).status_code == 302
    page = reader.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in page


@pytest.fixture
def stored_but_never_checked(client, settings, django_capture_on_commit_callbacks):
    """Post a comment through the form whose checks never run (the task is lost)."""

    def post(article, **fields) -> Comment:
        settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
        with django_capture_on_commit_callbacks(execute=True):
            assert post_comment(client, article, **fields).status_code == 302
        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        }
        return Comment.objects.get()

    return post


def test_the_forms_spam_signals_are_stored_with_the_comment_for_checks_run_later(
    article_factory, stored_but_never_checked
):
    comment = stored_but_never_checked(article_factory(), contact_me_by_fax_only="")
    # Issue #13: the visitor who posted is recorded too, so a re-run checks the token's binding.
    assert set(comment.spam_signals) == {
        spam.HONEYPOT_FIELD,
        spam.TIMESTAMP_FIELD,
        spam.VISITOR_FIELD,
    }
    assert comment.spam_signals[spam.TIMESTAMP_FIELD].startswith("comment-form:")


def test_recheck_comments_judges_a_never_checked_comment_with_the_forms_stored_signals(
    article_factory, stored_but_never_checked
):
    comment = stored_but_never_checked(
        article_factory(), contact_me_by_fax_only="http://bot.example"
    )
    call_command("recheck_comments", "--grace", "0", stdout=io.StringIO())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.check_records.get(check_name="HoneypotCheck").verdict == spam.Verdict.SPAM


def test_recheck_comments_holds_a_never_checked_comment_and_emails_the_moderators(
    article_factory,
    stored_but_never_checked,
    moderator_with_email,
    django_capture_on_commit_callbacks,
):
    comment = stored_but_never_checked(article_factory())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recheck_comments", "--grace", "0", stdout=io.StringIO())
    comment.refresh_from_db()
    assert (comment.status, comment.check_verdict) == ("pending", spam.Verdict.HOLD)
    assert [m.to for m in mail.outbox] == [["molly@example.org"]]


def test_recheck_comments_leaves_a_just_stored_comment_to_the_task_worker(
    article_factory, settings, stored_but_never_checked
):
    settings.COMMENTS_RECHECK_GRACE_SECONDS = 300
    comment = stored_but_never_checked(article_factory())
    call_command("recheck_comments", stdout=io.StringIO())
    comment.refresh_from_db()
    assert comment.check_verdict == ""
    assert not comment.check_records.exists()


def test_a_comment_rechecked_days_later_is_judged_by_when_it_was_posted(comment_factory, settings):
    posted = timezone.now() - timedelta(days=3)
    comment = comment_factory(
        status="pending",
        created_at=posted,
        spam_signals={spam.TIMESTAMP_FIELD: token_from(3 * 24 * 3600 + 60)},
    )
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "comments.spam.TimestampCheck"}]
    call_command("recheck_comments", "--grace", "0", stdout=io.StringIO())
    record = comment.check_records.get(check_name="TimestampCheck")
    assert record.verdict == spam.Verdict.NO_OPINION
    assert record.reason.startswith("Posted 6")  # about 60 s after the form was shown


def test_moderators_are_emailed_once_however_often_a_held_comment_is_rechecked(
    comment_factory, settings, moderator_with_email, django_capture_on_commit_callbacks
):
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Exploding"}]
    comment = comment_factory(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            call_command("recheck_comments", "--grace", "0", stdout=io.StringIO())
    comment.refresh_from_db()
    assert comment.check_verdict == spam.Verdict.FAILED
    assert len(mail.outbox) == 1


def test_moderators_hear_of_a_held_comment_whose_email_was_lost(
    comment_factory, moderator_with_email
):
    comment_factory(status="pending", check_verdict="hold", checked_at=timezone.now())
    out = io.StringIO()
    call_command("recheck_comments", stdout=out)
    assert len(mail.outbox) == 1
    assert "Emailed the moderators about 1 held comment" in out.getvalue()


# --- Finding 14: a hanging Akismet costs a request its budget, no more -------------------


@pytest.fixture
def hanging_akismet(settings):
    with AkismetServer() as server:
        settings.COMMENTS_AKISMET_API_KEY = VALID_KEY
        settings.COMMENTS_AKISMET_API_URL = server.url
        server.mode = "slow"
        yield server


def wait_for_cut(server, seconds: float = 3.0) -> list:
    deadline = time.monotonic() + seconds
    while not server.cut and time.monotonic() < deadline:
        time.sleep(0.02)
    return server.cut


def test_a_hanging_akismet_holds_the_comment_once_the_requests_budget_is_spent(
    client, article_factory, settings, hanging_akismet, django_capture_on_commit_callbacks
):
    settings.COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS = 0.5
    hanging_akismet.slow_seconds = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert post_comment(client, article_factory()).status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.check_verdict) == ("pending", spam.Verdict.FAILED)
    reason = comment.check_records.get(check_name="AkismetCheck").reason
    assert "timeout" in reason
    assert "budget" in reason
    [(endpoint, waited)] = wait_for_cut(hanging_akismet)
    assert endpoint == "comment-check"
    assert waited < hanging_akismet.slow_seconds  # the client hung up; it did not wait


def test_recheck_comments_finishes_a_comment_the_budget_held_with_the_full_timeout(
    client, article_factory, settings, hanging_akismet, django_capture_on_commit_callbacks
):
    settings.COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS = 0.3
    hanging_akismet.slow_seconds = 1.0  # longer than the budget, well within Akismet's 5 s
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article_factory())
    assert Comment.objects.get().check_verdict == spam.Verdict.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recheck_comments", stdout=io.StringIO())
    comment = Comment.objects.get()
    record = comment.check_records.get(check_name="AkismetCheck")
    assert (record.verdict, record.reason) == (spam.Verdict.NO_OPINION, "Akismet: not spam")
    assert comment.check_verdict == spam.Verdict.HOLD
    assert len(hanging_akismet.requests) == 2
    assert len(wait_for_cut(hanging_akismet, seconds=0.5)) == 1  # only the request's try
