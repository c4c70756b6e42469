"""Issue #13, the proofs half: a time token that cannot be replayed or shared,
trust that needs proof (an account or a commenter key, never a name and
email), and rate limits that count an IPv6 /64 as one visitor and still hold
while Redis is down.

Everything goes through the real form, views and pipeline; Redis "down" is a
ResilientRedisCache pointed at a port where nothing listens."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments import ratelimit, spam
from comments.conf import COMMENTER_KEY_COOKIE
from comments.models import Comment
from comments.services import RequestInfo, comment_moderate
from comments.spam.tokens import commenter_key_hash, new_commenter_key
from newsroom.client_ip import visitor_network
from tests.faults import redis_unreachable
from tests.test_indexes import plan

pytestmark = pytest.mark.django_db


def form_token(client, article, seconds_ago: float = 45) -> str:
    """The time token ``client`` gets when its reader starts writing, ``seconds_ago``."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        response = client.get("/comments/form-token/", {"article": article.pk})
    return response.json()["formStarted"]


def post(client, article, token=None, *, remote_addr="192.0.2.10", **fields):
    data = {
        "author_name": "Reader",
        "author_email": "reader@example.org",
        "body": "A question about the second paragraph.",
        "form_started": form_token(client, article) if token is None else token,
        **fields,
    }
    return client.post(f"/comments/post/{article.pk}/", data, REMOTE_ADDR=remote_addr)


def verdicts(comment) -> dict[str, tuple[str, str]]:
    return {r.check_name: (r.verdict, r.reason) for r in comment.check_records.all()}


@pytest.fixture
def checked(django_capture_on_commit_callbacks):
    """Run the spam checks of what is posted inside the block, as the task would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- A time trap that cannot be replayed --------------------------------------------------


def test_a_time_token_is_good_for_one_comment(client, article_factory, checked):
    article = article_factory()
    token = form_token(client, article)
    with checked():
        assert post(client, article, token, body="First words").status_code == 302
        assert post(client, article, token, body="Other words").status_code == 302
    first, second = Comment.objects.order_by("pk")
    assert verdicts(first)["TimestampCheck"][0] == spam.Verdict.NO_OPINION
    verdict, reason = verdicts(second)["TimestampCheck"]
    assert verdict == spam.Verdict.HOLD
    assert reason == f"The form's time token was already used by comment #{first.pk}"
    assert second.status == Comment.Status.PENDING


def test_a_time_token_is_no_proof_for_another_visitor_or_another_article(article_factory, checked):
    article, other_article = article_factory(), article_factory()
    owner, stranger = Client(), Client()
    token = form_token(owner, article)
    form_token(stranger, article)  # the stranger has a CSRF cookie of their own
    with checked():
        post(stranger, article, token, body="Taken from someone else")
        post(owner, other_article, token, body="Taken to another article")
    shared = Comment.objects.get(body="Taken from someone else")
    assert verdicts(shared)["TimestampCheck"] == (
        spam.Verdict.HOLD,
        "The form's time token is missing, forged or another visitor's",
    )
    moved = Comment.objects.get(body="Taken to another article")
    assert verdicts(moved)["TimestampCheck"] == (
        spam.Verdict.HOLD,
        f"The form's time token was issued for article #{article.pk}",
    )


def test_the_cached_page_carries_no_token_and_each_visitor_gets_their_own(
    article_factory, settings
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    article = article_factory()
    first = Client().get(article.get_absolute_url())
    again = Client().get(article.get_absolute_url())
    assert again["X-Cache"] == "HIT"
    assert again.content == first.content
    hidden = re.search(rb"<input[^>]*name=\"form_started\"[^>]*>", first.content).group()
    assert b"value=" not in hidden
    assert b'data-article="%d"' % article.pk in first.content

    tokens = [Client().get("/comments/form-token/", {"article": article.pk}) for _ in range(2)]
    started = [t.json()["formStarted"] for t in tokens]
    assert started[0] != started[1]
    assert all("no-cache" in t["Cache-Control"] or "no-store" in t["Cache-Control"] for t in tokens)


def test_a_reader_without_javascript_gets_a_token_on_the_confirmation_page(
    article_factory, checked
):
    article = article_factory()
    reader = Client(enforce_csrf_checks=True)
    fields = {"author_name": "Ann", "author_email": "ann@example.org", "body": "No script"}
    page = reader.post(f"/comments/post/{article.pk}/", fields)
    assert page.status_code == 403
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)[1].decode()
    started = re.search(rb'name="form_started" value="([^"]+)"', page.content)[1].decode()
    with checked():
        again = reader.post(
            f"/comments/post/{article.pk}/",
            {**fields, "csrfmiddlewaretoken": csrf, "form_started": started},
        )
    assert again.status_code == 302
    verdict, reason = verdicts(Comment.objects.get())["TimestampCheck"]
    # Pressed again at once: held for a moderator (never spam), like any stranger's comment.
    assert verdict == spam.Verdict.HOLD
    assert "after the confirmation page was shown" in reason


# --- Trust that cannot be spoofed -------------------------------------------------------


@pytest.fixture
def molly_approved(comment_factory):
    """A moderator's approved comment, posted with a commenter key of her own."""
    return comment_factory(
        author_name="Molly",
        author_email="molly@example.org",
        commenter_key_hash=commenter_key_hash(new_commenter_key()),
    )


def test_a_stranger_using_an_approved_commenters_name_and_email_is_held(
    client, article_factory, molly_approved, checked
):
    article = article_factory()
    with checked():
        post(
            client,
            article,
            author_name="Molly",
            author_email="molly@example.org",
            body="Great deals https://a.example https://b.example",
        )
    spoof = Comment.objects.exclude(pk=molly_approved.pk).get()
    assert spoof.status == Comment.Status.PENDING
    verdict, reason = verdicts(spoof)["TrustedAuthorCheck"]
    assert verdict == spam.Verdict.NO_OPINION
    assert "judged as a stranger" in reason


def test_a_returning_commenter_with_their_key_is_approved_at_once(
    client, article_factory, moderator, checked
):
    article = article_factory()
    with checked():
        response = post(client, article, body="My first comment")
    assert COMMENTER_KEY_COOKIE in response.cookies
    assert response.cookies[COMMENTER_KEY_COOKIE]["httponly"]
    first = Comment.objects.get()
    comment_moderate(comment=first, status="approved", moderator=moderator)
    with checked():
        post(client, article, body="Back, with links https://a.example https://b.example")
    back = Comment.objects.get(body__startswith="Back")
    assert back.status == Comment.Status.APPROVED
    assert back.commenter_key_hash == first.commenter_key_hash
    assert verdicts(back)["TrustedAuthorCheck"] == (
        spam.Verdict.APPROVE,
        f"Carries the commenter key of approved comment #{first.pk}",
    )

    # The same browser under someone else's email proves nothing about them.
    with checked():
        post(client, article, author_email="molly@example.org", body="As the moderator")
    assert Comment.objects.get(body="As the moderator").status == Comment.Status.PENDING


def test_the_commenter_key_is_stored_only_as_a_hash(client, article_factory):
    response = post(client, article_factory())
    key = response.cookies[COMMENTER_KEY_COOKIE].value.partition(":")[0]  # signed: key:signature
    stored = Comment.objects.get().commenter_key_hash
    assert stored == commenter_key_hash(key)
    assert key not in stored


def test_a_logged_in_account_is_trusted(client, article_factory, moderator, checked):
    client.force_login(moderator)
    with checked():
        post(client, article_factory(), body="Sources: https://a.example https://b.example")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert verdicts(comment)["TrustedAuthorCheck"][1] == "Written from a logged-in account"


def test_the_commenter_key_does_not_make_pages_personal(client, article_factory, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    article = article_factory()
    Client().get(article.get_absolute_url())
    holder = Client()
    holder.cookies[COMMENTER_KEY_COOKIE] = "anything"
    assert holder.get(article.get_absolute_url())["X-Cache"] == "HIT"


# --- Rate limits that hold ----------------------------------------------------------------


def test_an_ipv6_visitor_is_its_64():
    assert visitor_network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert visitor_network("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert visitor_network("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert visitor_network("198.51.100.7") == "198.51.100.7"
    assert visitor_network("::ffff:198.51.100.7") == "198.51.100.7"
    assert visitor_network(None) == visitor_network("junk") == ""


def test_fourteen_addresses_of_one_ipv6_64_are_one_visitor(client, article_factory, settings):
    settings.COMMENTS_RATE_REFUSE_AFTER = 10
    article = article_factory()
    statuses = [
        post(
            client, article, body=f"Message {i}", remote_addr=f"2001:db8:1:2::{i + 1:x}"
        ).status_code
        for i in range(14)
    ]
    assert statuses == [302] * 10 + [429] * 4
    neighbour = post(client, article, body="Next door", remote_addr="2001:db8:1:3::1")
    assert neighbour.status_code == 302


def test_the_rate_check_holds_a_busy_ipv6_64(article_factory, settings, comment_factory):
    settings.COMMENTS_RATE_HOLD_AFTER = 3
    for i in range(4):
        ratelimit.hit(f"2001:db8:1:2::{i + 1}")
    comment = comment_factory(status="pending", article=article_factory())
    result = spam.RateLimitCheck().check(comment, RequestInfo(ip_address="2001:db8:1:2::99"))
    assert result.verdict == spam.Verdict.HOLD
    assert result.reason == "4 comments from this IPv6 /64 in 600s"


@pytest.fixture
def redis_down():
    with redis_unreachable():
        yield


def test_while_redis_is_down_a_flood_is_still_refused(
    client, article_factory, settings, redis_down
):
    settings.COMMENTS_RATE_REFUSE_AFTER = 3
    article = article_factory()
    statuses = [post(client, article, body=f"Message {i}").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Comment.objects.count() == 3


def test_while_redis_is_down_a_busy_visitor_is_still_held(
    client, article_factory, settings, redis_down, checked
):
    settings.COMMENTS_RATE_HOLD_AFTER = 2
    article = article_factory()
    with checked():
        for i in range(3):
            post(client, article, body=f"Message {i}", remote_addr="2001:db8:9:9::1")
    last = Comment.objects.get(body="Message 2")
    assert last.ip_network == "2001:db8:9:9::/64"
    assert verdicts(last)["RateLimitCheck"] == (
        spam.Verdict.HOLD,
        "3 comments from this IPv6 /64 in 600s",
    )


# --- Each proof is one indexed lookup -------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL query plans")
def test_the_proofs_and_the_database_rate_count_use_their_indexes(comment_factory):
    # Enough approved comments, each with its own key, network and nonce, for the
    # planner to weigh the indexes as on a real site (on a near-empty table any
    # index on the status will do, and it may pick that one).
    first = comment_factory()
    Comment.objects.bulk_create(
        Comment(
            article_id=first.article_id,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body="Hello",
            status=Comment.Status.APPROVED,
            commenter_key_hash=f"{n:064x}",
            ip_network=f"2001:db8:{n:x}::/64",
            form_nonce=f"{n:022d}",
            created_at=first.created_at - timedelta(minutes=n),
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    since = timezone.now() - timedelta(seconds=600)
    lookups = {
        "comment_network_created_idx": Comment.objects.filter(
            ip_network="2001:db8::/64", created_at__gte=since
        ).values("pk"),
        "comment_form_nonce_idx": Comment.objects.filter(form_nonce="n" * 22, pk__lt=10).values(
            "pk"
        ),
        # Key and email: either index finds the one row.
        ("comment_key_status_idx", "comment_email_upper_idx"): Comment.objects.approved()
        .filter(commenter_key_hash="h" * 64, author_email__iexact="a@example.org")
        .values("pk"),
        # Name and email of an approved commenter, compared case-insensitively.
        "comment_email_upper_idx": Comment.objects.approved()
        .filter(author_email__iexact="A@example.org", author_name__iexact="ann")
        .values("pk"),
    }
    for indexes, queryset in lookups.items():
        used = plan(queryset)
        names = indexes if isinstance(indexes, tuple) else (indexes,)
        assert any(index in used for index in names), (indexes, used)


def test_the_privacy_page_tells_of_the_commenter_key(client):
    page = client.get("/privacy/").content.decode()
    assert "comment_key" in page
    assert "your name and email alone never do" in page


# --- Found in review: another site's form, and trust from the confirmation page -----


def test_another_sites_form_is_not_turned_into_a_one_click_comment_form(article_factory):
    article = article_factory()
    reader = Client(enforce_csrf_checks=True)
    fields = {"author_name": "Ann", "author_email": "ann@example.org", "body": "Buy now, evil"}
    for headers in ({"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://evil.example"}):
        page = reader.post(f"/comments/post/{article.pk}/", fields, **headers)
        assert page.status_code == 403
        assert b"Buy now, evil" not in page.content
        assert b'name="csrfmiddlewaretoken"' not in page.content
    assert not Comment.objects.exists()


def test_a_comment_posted_from_the_confirmation_page_is_not_trusted_by_its_key(
    article_factory, moderator, checked
):
    article = article_factory()
    reader = Client(enforce_csrf_checks=True)
    token = reader.get("/comments/form-token/", {"article": article.pk}).json()
    with checked(), time_machine.travel(time.time() + 10):
        reader.post(
            f"/comments/post/{article.pk}/",
            {
                "author_name": "Ann",
                "author_email": "ann@example.org",
                "body": "My first comment",
                "csrfmiddlewaretoken": token["csrfToken"],
                "form_started": token["formStarted"],
            },
        )
    comment_moderate(comment=Comment.objects.get(), status="approved", moderator=moderator)
    # A form another site made the reader's browser post, shown again for one more click.
    reader.cookies.pop("csrftoken")
    fields = {
        "author_name": "Ann",
        "author_email": "ann@example.org",
        "body": "Pills http://a.example",
    }
    page = reader.post(f"/comments/post/{article.pk}/", fields)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)[1].decode()
    started = re.search(rb'name="form_started" value="([^"]+)"', page.content)[1].decode()
    with checked(), time_machine.travel(time.time() + 10):
        reader.post(
            f"/comments/post/{article.pk}/",
            {**fields, "csrfmiddlewaretoken": csrf, "form_started": started},
        )
    second = Comment.objects.get(body__startswith="Pills")
    assert second.status == Comment.Status.PENDING
    assert verdicts(second)["TrustedAuthorCheck"][0] == spam.Verdict.NO_OPINION
