"""Spam checks: each check alone, the combination rule, the never-lose guarantees,
Akismet against a real local server, and the end-to-end verdicts."""

import io
import socket
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments import spam
from comments.models import CheckRecord, Comment, SpamRule
from comments.services import RequestInfo, comment_moderate, comment_run_checks, comment_submit
from comments.spam import CheckResult, SpamCheck, Verdict
from comments.spam.akismet import AkismetCheck
from tests.akismet_server import VALID_KEY, AkismetServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(comment_factory, article_factory):
    def make(**fields):
        fields.setdefault("article", article_factory())
        return comment_factory(status="pending", **fields)

    return make


def info(**fields) -> RequestInfo:
    fields.setdefault("ip_address", "192.0.2.10")
    fields.setdefault("user_agent", "Mozilla/5.0")
    return RequestInfo(**fields)


def verdict_of(check, comment, request_info=None) -> Verdict:
    return check.check(comment, request_info or info()).verdict


# --- Each check alone ------------------------------------------------------------------


def test_honeypot_filled_is_spam(pending):
    comment = pending()
    assert (
        verdict_of(spam.HoneypotCheck(), comment, info(extra={spam.HONEYPOT_FIELD: "x"}))
        == Verdict.SPAM
    )
    assert (
        verdict_of(spam.HoneypotCheck(), comment, info(extra={spam.HONEYPOT_FIELD: ""}))
        == Verdict.NO_OPINION
    )


def _token_from(seconds_ago: float, article=None) -> str:
    """A time token issued ``seconds_ago`` for ``article`` to a visitor with no
    CSRF cookie (as the test client posts); without ``article``, an unbound one."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        if article is None:
            return spam.form_timestamp_token()
        return spam.issue_form_token(article_id=article.pk, visitor="")


def test_a_form_posted_fast_is_held_never_discarded(pending):
    """A token fetched again on submit (the first fetch failed, or the reader's
    first focus was the button) is a fraction of a second old: a person can do
    that, so the time trap holds, and only near-certain evidence marks spam."""
    comment = pending()
    check = spam.TimestampCheck(min_seconds=3)

    def verdict(seconds_ago):
        token = _token_from(seconds_ago, comment.article)
        return verdict_of(check, comment, info(extra={spam.TIMESTAMP_FIELD: token}))

    assert verdict(0.2) == Verdict.HOLD
    assert verdict(2) == Verdict.HOLD
    assert verdict(60) == Verdict.NO_OPINION


@pytest.mark.parametrize(
    "token", ["", "forged:abc:def", signing.TimestampSigner().sign("comment-form")]
)
def test_timestamp_missing_or_forged_is_held(pending, token):
    result = spam.TimestampCheck().check(pending(), info(extra={spam.TIMESTAMP_FIELD: token}))
    assert result.verdict == Verdict.HOLD


def test_link_count_holds_at_two_links(pending):
    check = spam.LinkCountCheck(hold_at=2)
    assert verdict_of(check, pending(body="See https://a.example")) == Verdict.NO_OPINION
    assert verdict_of(check, pending(body="https://a.example and www.b.example")) == Verdict.HOLD
    assert (
        verdict_of(check, pending(body='[url=http://x]x[/url] <a href="http://y">y</a>'))
        == Verdict.HOLD
    )


@pytest.mark.parametrize("where", ["author_name", "author_email", "author_url", "body"])
def test_moderation_words_from_the_admin_hold(pending, where):
    SpamRule.objects.create(kind=SpamRule.Kind.MODERATION_WORD, value="Casino")
    value = {"author_url": "https://casino.example", "author_email": "a@casino.example"}.get(
        where, "best casino"
    )
    assert verdict_of(spam.ModerationWordsCheck(), pending(**{where: value})) == Verdict.HOLD


def test_moderation_words_match_ip_and_user_agent(pending):
    SpamRule.objects.create(kind=SpamRule.Kind.MODERATION_WORD, value="curl/")
    assert (
        verdict_of(spam.ModerationWordsCheck(), pending(), info(user_agent="curl/8.0"))
        == Verdict.HOLD
    )


def test_disallowed_words_are_spam_from_settings_or_admin(pending):
    assert (
        verdict_of(spam.DisallowedWordsCheck(words=["viagra"]), pending(body="Cheap VIAGRA"))
        == Verdict.SPAM
    )
    SpamRule.objects.create(kind=SpamRule.Kind.DISALLOWED_WORD, value="replica watches")
    assert (
        verdict_of(spam.DisallowedWordsCheck(), pending(body="Replica Watches here"))
        == Verdict.SPAM
    )
    assert (
        verdict_of(spam.DisallowedWordsCheck(), pending(body="Good article")) == Verdict.NO_OPINION
    )


def test_blocked_networks_and_email_domains_are_spam(pending):
    SpamRule.objects.create(kind=SpamRule.Kind.BLOCKED_NETWORK, value="203.0.113.0/24")
    SpamRule.objects.create(kind=SpamRule.Kind.BLOCKED_EMAIL_DOMAIN, value="spam.example")
    check = spam.BlocklistCheck()
    assert verdict_of(check, pending(), info(ip_address="203.0.113.77")) == Verdict.SPAM
    assert verdict_of(check, pending(author_email="x@mail.spam.example")) == Verdict.SPAM
    assert verdict_of(check, pending(), info(ip_address="2001:db8::1")) == Verdict.NO_OPINION
    assert verdict_of(check, pending(author_email="x@example.org")) == Verdict.NO_OPINION


def test_spam_rules_are_validated(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SpamRule(kind=SpamRule.Kind.BLOCKED_NETWORK, value="not-an-ip").full_clean()
    rule = SpamRule(kind=SpamRule.Kind.BLOCKED_NETWORK, value="203.0.113.5/24")
    rule.full_clean()
    assert rule.value == "203.0.113.0/24"


def test_rate_limit_holds_a_busy_ip(pending, settings):
    from comments import ratelimit

    settings.COMMENTS_RATE_HOLD_AFTER = 3
    for _ in range(3):
        ratelimit.hit("198.51.100.9")
    check = spam.RateLimitCheck()
    assert verdict_of(check, pending(), info(ip_address="198.51.100.9")) == Verdict.NO_OPINION
    ratelimit.hit("198.51.100.9")
    assert verdict_of(check, pending(), info(ip_address="198.51.100.9")) == Verdict.HOLD


def test_duplicate_text_from_the_same_author_or_ip_is_held(pending, article_factory):
    pending(body="Same words", author_email="a@example.org", ip_address="192.0.2.1")
    again = pending(body="Same words", author_email="a@example.org", ip_address="192.0.2.2")
    other_ip = pending(body="Same words", author_email="b@example.org", ip_address="192.0.2.1")
    fresh = pending(body="Different words", author_email="a@example.org")
    check = spam.DuplicateCheck()
    assert verdict_of(check, again) == Verdict.HOLD
    assert verdict_of(check, other_ip) == Verdict.HOLD
    assert verdict_of(check, fresh) == Verdict.NO_OPINION


def test_an_author_is_trusted_by_the_key_of_an_approved_comment_not_by_name(
    pending, comment_factory
):
    comment_factory(
        author_name="Ann",
        author_email="ann@example.org",
        status="approved",
        commenter_key_hash="k1",
    )
    keyed = spam.TrustedAuthorCheck().check(
        pending(author_name="ann", author_email="ANN@example.org", commenter_key_hash="k1"), info()
    )
    assert (keyed.verdict, keyed.trusted) == (Verdict.APPROVE, True)
    named = spam.TrustedAuthorCheck().check(
        pending(author_name="Ann", author_email="ann@example.org"), info()
    )
    assert (named.verdict, named.trusted) == (Verdict.NO_OPINION, False)
    assert "judged as a stranger" in named.reason
    assert (
        verdict_of(
            spam.TrustedAuthorCheck(), pending(author_name="Bob", author_email="bob@example.org")
        )
        == Verdict.NO_OPINION
    )


# --- The combination rule ---------------------------------------------------------------

S, H, A, N, F = Verdict.SPAM, Verdict.HOLD, Verdict.APPROVE, Verdict.NO_OPINION, Verdict.FAILED
TRUSTED = CheckResult(A, trusted=True)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], H),
        ([CheckResult(N), CheckResult(N)], H),
        ([CheckResult(A), CheckResult(N)], A),
        ([CheckResult(A), CheckResult(H)], H),
        ([TRUSTED, CheckResult(H)], A),
        ([TRUSTED, CheckResult(S)], S),
        ([TRUSTED, CheckResult(F)], H),
        ([CheckResult(H), CheckResult(S), CheckResult(A)], S),
        ([CheckResult(F), CheckResult(A)], H),
    ],
)
def test_verdicts_combine_spam_then_failed_then_trusted_then_hold_then_approve(results, expected):
    assert spam.combine(results) == expected


# --- Never lose a comment ---------------------------------------------------------------


class Exploding(SpamCheck):
    def check(self, comment, request_info):
        raise RuntimeError("boom")


class Sleepy(SpamCheck):
    timeout = 0.2

    def check(self, comment, request_info):
        time.sleep(0.4)
        return CheckResult(Verdict.APPROVE, trusted=True)


class SleepyIsolated(Sleepy):
    isolated = True

    def check(self, comment, request_info):
        time.sleep(5)
        return CheckResult(Verdict.APPROVE, trusted=True)


class Approver(SpamCheck):
    def check(self, comment, request_info):
        return CheckResult(Verdict.APPROVE, trusted=True, reason="would approve")


@pytest.mark.parametrize("failing", [Exploding, Sleepy, SleepyIsolated])
def test_a_check_that_raises_or_overruns_holds_the_comment(pending, settings, failing):
    settings.COMMENTS_SPAM_CHECKS = [
        {"NAME": f"tests.test_spam.{failing.__name__}"},
        {"NAME": "tests.test_spam.Approver"},
    ]
    comment = pending()
    started = time.monotonic()
    verdict = comment_run_checks(comment=comment, request_info=info())
    assert time.monotonic() - started < 2  # an isolated check is abandoned, not waited for
    comment.refresh_from_db()
    assert verdict == Verdict.HOLD
    assert comment.status == Comment.Status.PENDING
    assert comment.check_verdict == Verdict.FAILED
    record = CheckRecord.objects.get(comment=comment, check_name=failing.__name__)
    assert record.verdict == Verdict.FAILED
    assert record.reason.startswith("Check failed")


def test_a_broken_task_backend_keeps_the_comment_and_holds_it(
    article_factory, settings, moderator, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "tests.test_spam.BrokenBackend"}}
    moderator.email = "molly@example.org"
    moderator.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_submit(
            article=article_factory(), author_name="A", author_email="a@example.org", body="Hello"
        )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.check_verdict == Verdict.FAILED
    assert CheckRecord.objects.get(comment=comment).check_name == "task queue"
    assert len(mail.outbox) == 1  # the moderators know it waits for them


try:
    from django.tasks.backends.base import BaseTaskBackend
except ImportError:  # pragma: no cover
    BaseTaskBackend = object


class BrokenBackend(BaseTaskBackend):
    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the task database is down")


def test_moderator_can_rerun_checks_from_the_admin(client, moderator, pending, settings):
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Exploding"}]
    comment = pending()
    comment_run_checks(comment=comment, request_info=info())
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Approver"}]
    client.force_login(moderator)
    client.post(
        "/admin/comments/comment/?status=all",
        {"action": "rerun_checks", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert list(comment.check_records.values_list("check_name", "verdict")) == [
        ("Approver", "approve")
    ]


def test_checks_never_override_a_moderators_decision(pending, moderator, settings):
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "comments.spam.HoneypotCheck"}]
    comment = pending()
    comment_moderate(comment=comment, status="approved", moderator=moderator)
    comment_run_checks(comment=comment, request_info=info(extra={spam.HONEYPOT_FIELD: "bot"}))
    comment.refresh_from_db()
    assert comment.status == "approved"


# --- Akismet against a real HTTP server on 127.0.0.1 ------------------------------------------


@pytest.fixture
def akismet(settings):
    with AkismetServer() as server:
        settings.COMMENTS_AKISMET_API_KEY = VALID_KEY
        settings.COMMENTS_AKISMET_API_URL = server.url
        yield server


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("ham", Verdict.NO_OPINION), ("spam", Verdict.SPAM), ("discard", Verdict.SPAM)],
)
def test_akismet_answers_become_verdicts(akismet, pending, mode, expected):
    akismet.mode = mode
    result = spam.run_check(AkismetCheck(), pending(), info())
    assert result.verdict == expected
    if mode == "discard":
        assert "discard" in result.reason


@pytest.mark.parametrize("mode", ["error", "500", "garbage", "slow"])
def test_akismet_errors_fail_the_check(akismet, pending, mode):
    akismet.mode = mode
    akismet.slow_seconds = 2
    result = spam.run_check(AkismetCheck(timeout=0.5), pending(), info())
    assert result.verdict == Verdict.FAILED


def test_akismet_connection_refused_fails_the_check(settings, pending):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.COMMENTS_AKISMET_API_KEY = VALID_KEY
    settings.COMMENTS_AKISMET_API_URL = f"http://127.0.0.1:{port}/1.1/"
    assert spam.run_check(AkismetCheck(timeout=1), pending(), info()).verdict == Verdict.FAILED


def test_akismet_is_sent_everything_its_api_takes(akismet, pending, settings):
    comment = pending(
        author_name="Ann",
        author_email="ann@example.org",
        author_url="https://ann.example",
        body="Hi",
    )
    AkismetCheck().check(
        comment, info(ip_address="192.0.2.44", user_agent="UA/1", referrer="https://ref.example/")
    )
    endpoint, form = akismet.requests[-1]
    assert endpoint == "comment-check"
    assert form["blog"] == "http://testserver/"
    assert form["user_ip"] == "192.0.2.44"
    assert form["user_agent"] == "UA/1"
    assert form["referrer"] == "https://ref.example/"
    assert form["permalink"] == "http://testserver" + comment.article.get_absolute_url()
    assert form["comment_type"] == "comment"
    assert (form["comment_author"], form["comment_author_email"], form["comment_author_url"]) == (
        "Ann",
        "ann@example.org",
        "https://ann.example",
    )
    assert form["comment_content"] == "Hi"
    assert {"comment_date_gmt", "comment_post_modified_gmt", "blog_lang", "blog_charset"} <= set(
        form
    )


def test_akismet_unreachable_holds_the_comment_and_loses_nothing(
    client, settings, article_factory, django_capture_on_commit_callbacks
):
    settings.COMMENTS_AKISMET_API_KEY = VALID_KEY
    settings.COMMENTS_AKISMET_API_URL = "http://127.0.0.1:9/1.1/"  # discard port: refused
    article = article_factory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/comments/post/{article.pk}/",
            {"author_name": "A", "author_email": "a@example.org", "body": "Real words",
             "form_started": _token_from(30)},
        )  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.check_records.get(check_name="AkismetCheck").verdict == Verdict.FAILED


def test_moderator_override_is_reported_to_akismet(
    akismet, pending, moderator, django_capture_on_commit_callbacks
):
    akismet.mode = "ham"
    comment = pending()
    comment_run_checks(comment=comment, request_info=info())  # Akismet: not spam → held
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="spam", moderator=moderator)
    assert [e for e, _ in akismet.requests] == ["comment-check", "submit-spam"]

    akismet.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="approved", moderator=moderator)
    assert [e for e, _ in akismet.requests] == ["submit-ham"]


def test_agreeing_with_akismet_sends_nothing(
    akismet, pending, moderator, django_capture_on_commit_callbacks
):
    akismet.mode = "spam"
    comment = pending()
    comment_run_checks(comment=comment, request_info=info())
    akismet.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="spam", moderator=moderator)
    assert akismet.requests == []


def test_akismet_key_verification(akismet, settings, caplog):
    from comments.akismet import verify_key, warn_if_key_invalid

    assert verify_key() is True
    settings.COMMENTS_AKISMET_API_KEY = "wrong"
    assert verify_key() is False
    warn_if_key_invalid()
    assert "COMMENTS_AKISMET_API_KEY is not valid" in caplog.text


# --- Purging -------------------------------------------------------------------------


def test_purge_spam_deletes_only_old_spam(pending):
    old = pending(created_at=timezone.now() - timedelta(days=20))
    Comment.objects.filter(pk=old.pk).update(status="spam")
    recent = pending()
    Comment.objects.filter(pk=recent.pk).update(status="spam")
    kept = pending(created_at=timezone.now() - timedelta(days=20))
    out = io.StringIO()
    call_command("purge_spam", "--days", "15", stdout=out)
    assert "Deleted 1 spam comment(s)" in out.getvalue()
    assert set(Comment.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}


# --- Done when: the default pipeline, end to end ------------------------------------------


def form_token(client, article, seconds_ago: float = 45) -> str:
    """The time token ``client`` gets from the form-token endpoint, ``seconds_ago``."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        response = client.get("/comments/form-token/", {"article": article.pk})
    return response.json()["formStarted"]


def submit(client, article, **fields):
    data = {
        "author_name": "Reader",
        "author_email": "reader@example.org",
        "body": "I have a question about the second paragraph.",
        **fields,
    }
    data.setdefault("form_started", form_token(client, article))
    return client.post(f"/comments/post/{article.pk}/", data)


def test_a_bots_comment_is_marked_spam_and_shown_to_no_one(
    client, article_factory, django_capture_on_commit_callbacks
):
    article = article_factory()
    links = " ".join(f"https://pills{i}.example" for i in range(5))
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            client,
            article,
            **{
                spam.HONEYPOT_FIELD: "http://bot.example",
                "form_started": form_token(client, article, seconds_ago=0),
                "body": f"Buy {links}",
            },
        )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "Buy" not in Client().get(article.get_absolute_url()).content.decode()
    reasons = dict(comment.check_records.values_list("check_name", "verdict"))
    assert reasons["HoneypotCheck"] == "spam"
    assert reasons["TimestampCheck"] == "hold", comment.check_records.get(
        check_name="TimestampCheck"
    ).reason
    assert reasons["LinkCountCheck"] == "hold"


def test_an_ordinary_readers_comment_is_held(
    client, article_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, article_factory())
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_returning_approved_commenter_is_approved_at_once(
    client, article_factory, moderator, django_capture_on_commit_callbacks
):
    article = article_factory()
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, article, body="Earlier")
    comment_moderate(comment=Comment.objects.get(), status="approved", moderator=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, article, body="Back again")  # the same browser: its commenter key
    assert Comment.objects.get(body="Back again").status == Comment.Status.APPROVED
    assert "Back again" in Client().get(article.get_absolute_url()).content.decode()


def test_a_flood_from_one_ip_is_refused_with_429(client, settings, article_factory):
    settings.COMMENTS_RATE_REFUSE_AFTER = 3
    article = article_factory()
    statuses = [submit(client, article, body=f"Message {i}").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Comment.objects.count() == 3
    assert b"many comments in a short time" in submit(client, article, body="again").content


def test_moderator_sees_every_checks_verdict_and_reason(
    client, moderator, article_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, article_factory(), body="two links https://a.example https://b.example")
    comment = Comment.objects.get()
    client.force_login(moderator)
    html = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "LinkCountCheck" in html
    assert "2 links (holding at 2)" in html
    assert "ClassifierCheck" in html
    held = client.get("/admin/comments/comment/", {"held_by": "LinkCountCheck", "status": "all"})
    assert comment.body[:40] in held.content.decode()


# --- Production task backend: django-tasks-db and its db_worker ------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_task_backend_runs_checks_in_db_worker(settings, article_factory):
    """With the database backend the form only stores; ``db_worker`` runs the checks."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "comments.spam.HoneypotCheck"}]
    article = article_factory()
    comment = comment_submit(
        article=article,
        author_name="Bot",
        author_email="bot@example.org",
        body="spam",
        request_info=info(extra={spam.HONEYPOT_FIELD: "filled"}),
    )
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert not CheckRecord.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.check_records.get().check_name == "HoneypotCheck"


@pytest.mark.django_db(transaction=True)
def test_failed_checks_are_retried_later_with_the_database_backend(settings, article_factory):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Exploding"}]
    settings.COMMENTS_CHECK_RETRY_DELAY = 0
    comment = comment_submit(
        article=article_factory(),
        author_name="A",
        author_email="a@example.org",
        body="x",
        request_info=info(),
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    attempts = sorted(r.args_kwargs["args"][2] for r in DBTaskResult.objects.all())
    assert attempts == [1, 2, 3]  # the first run and two retries (COMMENTS_CHECK_RETRIES = 3)
    comment.refresh_from_db()
    assert (comment.status, comment.check_verdict) == ("pending", "failed")


def test_recheck_comments_reruns_failed_checks_from_cron(pending, settings):
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Exploding"}]
    failed = pending()
    comment_run_checks(comment=failed, request_info=info())
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": "tests.test_spam.Approver"}]
    out = io.StringIO()
    call_command("recheck_comments", stdout=out)
    failed.refresh_from_db()
    assert failed.status == Comment.Status.APPROVED
    assert "1 approve" in out.getvalue()
