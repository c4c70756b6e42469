"""Moderated comments: submitting, what readers see, bad input, the queue."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import RequestInfo, comment_moderate, comment_submit
from comments.signals import comment_was_posted

pytestmark = pytest.mark.django_db

GOOD = {
    "author_name": "Zoë Reader",
    "author_email": "zoe@example.org",
    "author_url": "https://zoe.example.org",
    "body": "A thoughtful comment.\n\nWith a second paragraph and https://example.com/link",
}


@pytest.fixture
def article(article_factory):
    return article_factory(title="Commented article")


def post_url(article):
    return reverse("comments:post", args=[article.pk])


def post(client, article, **fields):
    return client.post(post_url(article), {**GOOD, **fields})


# --- Submitting ---------------------------------------------------------------


def test_comment_is_stored_as_pending_and_redirects_back(client, article):
    response = post(client, article)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.ip_address == "127.0.0.1"
    assert comment.author_name == "Zoë Reader"


def test_commenter_alone_sees_their_comment_awaiting_moderation(client, article):
    post(client, article)
    own = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in own
    assert "A thoughtful comment." in own

    other = Client().get(article.get_absolute_url()).content.decode()
    assert "A thoughtful comment." not in other
    assert "No comments yet." in other


def test_moderators_are_emailed_after_commit(
    client, article, moderator, django_capture_on_commit_callbacks
):
    moderator.email = "molly@example.org"
    moderator.save()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["molly@example.org"]
    assert "Zoë Reader" in message.subject
    comment = Comment.objects.get()
    assert f"/admin/comments/comment/{comment.pk}/change/" in message.body


def test_a_name_cannot_inject_email_headers(article, moderator, django_capture_on_commit_callbacks):
    moderator.email = "molly@example.org"
    moderator.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_submit(
            article=article,
            author_name="Eve\r\nBcc: victim@example.com",
            author_email="eve@example.org",
            body="hi",
        )
    message = mail.outbox[0].message()
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert "victim@example.com" not in mail.outbox[0].recipients()


def test_comment_was_posted_signal_fires_and_a_failing_receiver_loses_nothing(
    article, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, comment, request_info, **kwargs):
        received.append(comment.pk)
        raise RuntimeError("a site's receiver is broken")

    comment_was_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment = comment_submit(
                article=article, author_name="A", author_email="a@example.org", body="x"
            )
    finally:
        comment_was_posted.disconnect(receiver)
    assert received == [comment.pk]
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_double_click_stores_one_comment(client, article):
    post(client, article)
    second = post(client, article)
    assert Comment.objects.count() == 1
    assert second.status_code == 302


def test_remember_me_prefills_the_next_form_only_when_ticked(client, article):
    post(client, article, remember="on")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'value="zoe@example.org"' in html

    post(client, article, body="Another one")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'value="zoe@example.org"' not in html


def test_reply_sets_the_parent_and_thread(client, article, comment_factory):
    parent = comment_factory(article=article)
    post(client, article, parent=parent.pk)
    reply = Comment.objects.get(parent=parent)
    assert (reply.root, reply.depth) == (parent, 1)


def test_reply_link_prefills_the_parent(client, article, comment_factory):
    parent = comment_factory(article=article, author_name="Ann")
    html = client.get(article.get_absolute_url(), {"replytocom": parent.pk}).content.decode()
    assert f'name="parent" value="{parent.pk}"' in html
    assert "Reply to Ann" in html


# --- What readers see -----------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_unapproved_comments_are_never_shown(client, article, comment_factory, status):
    comment_factory(article=article, status=status, body="Hidden words")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Hidden words" not in html
    assert "No comments yet." in html


def test_approved_comments_are_threaded_oldest_first_with_a_count(client, article, comment_factory):
    now = timezone.now()
    first = comment_factory(
        article=article, body="Comment one", created_at=now - timedelta(hours=3)
    )
    second = comment_factory(
        article=article, body="Comment two", created_at=now - timedelta(hours=2)
    )
    reply = comment_factory(
        article=article, parent=first, body="Reply to one", created_at=now - timedelta(hours=1)
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "3 Responses to “Commented article”" in html
    assert "No comments yet." not in html
    assert html.index("Comment one") < html.index("Reply to one") < html.index("Comment two")
    children = html[
        html.index(f'id="comment-{first.pk}"') : html.index(f'id="comment-{second.pk}"')
    ]
    assert f'id="comment-{reply.pk}"' in children


def test_comment_body_is_escaped_with_paragraphs_and_ugc_links(client, article, comment_factory):
    comment_factory(
        article=article,
        author_url="https://ann.example",
        author_name="Ann",
        body="<script>alert(1)</script>\n\nSee https://example.com/page",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.com/page" rel="nofollow ugc noopener">' in html
    assert '<a href="https://ann.example" rel="nofollow ugc noopener">Ann</a>' in html


def test_email_and_ip_are_never_shown(client, article, comment_factory):
    comment_factory(article=article, author_email="secret@example.org", ip_address="198.51.100.7")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "secret@example.org" not in html
    assert "198.51.100.7" not in html


def test_long_threads_paginate(client, settings, article, comment_factory):
    settings.COMMENTS_PER_PAGE = 3
    now = timezone.now()
    comments = [
        comment_factory(
            article=article, body=f"Thread {i}", created_at=now - timedelta(minutes=10 - i)
        )
        for i in range(5)
    ]
    first = client.get(article.get_absolute_url()).content.decode()
    assert "Thread 0" in first
    assert "Thread 3" not in first
    assert "?cpage=2#comments" in first
    second = client.get(article.get_absolute_url(), {"cpage": 2}).content.decode()
    assert "Thread 3" in second
    assert "Thread 0" not in second
    assert comments[4].get_absolute_url().endswith(f"?cpage=2#comment-{comments[4].pk}")


@pytest.mark.parametrize("cpage", ["abc", "0", "999", "-3", "%00"])
def test_junk_comment_page_numbers_do_not_fail(client, article, cpage):
    assert client.get(article.get_absolute_url(), {"cpage": cpage}).status_code == 200


def test_comment_feeds_list_approved_comments_only(client, article, comment_factory):
    comment_factory(article=article, body="Approved words")
    comment_factory(article=article, body="Pending words", status="pending")
    for url in ("/comments/feed/", f"{article.get_absolute_url()}feed/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Approved words" in response.content
        assert b"Pending words" not in response.content


def test_privacy_page_explains_what_is_stored(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'href="/privacy/"' in html
    page = client.get("/privacy/")
    assert page.status_code == 200
    assert b"IP address" in page.content


# --- Closed comments -------------------------------------------------------------


def test_comments_disabled_on_an_article_replace_the_form(client, article_factory):
    article = article_factory(comments_enabled=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert 'class="comment-form"' not in html
    response = post(client, article)
    assert response.status_code == 403
    assert b"Comments are closed on this article." in response.content
    assert not Comment.objects.exists()


def test_comments_close_automatically_after_the_configured_days(client, settings, article_factory):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = article_factory(publish_at=timezone.now() - timedelta(days=15))
    recent = article_factory(publish_at=timezone.now() - timedelta(days=13))
    assert post(client, old).status_code == 403
    assert post(client, recent).status_code == 302


# --- Bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "   \n  "}, "This field is required."),
        ({"author_name": ""}, "This field is required."),
        ({"author_name": "n" * 101}, "at most 100 characters"),
        ({"author_email": "not-an-email"}, "Enter a valid email address."),
        ({"author_email": "a" * 250 + "@example.org"}, "at most 254 characters"),
        ({"author_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"author_url": "data:text/html,hi"}, "Enter a valid URL."),
        ({"author_url": "https://example.com/" + "a" * 200}, "at most 200 characters"),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        ({"body": "nul\x00byte"}, "Null characters are not allowed."),
        ({"author_name": "nul\x00"}, "Null characters are not allowed."),
        ({"parent": "abc"}, "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_inline_and_stores_nothing(client, article, fields, message):
    response = post(client, article, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_invalid_form_keeps_what_the_person_typed(client, article):
    response = post(client, article, author_email="broken")
    html = response.content.decode()
    assert 'value="Zoë Reader"' in html
    assert "A thoughtful comment." in html


def test_parent_from_another_article_is_refused(client, article, article_factory, comment_factory):
    elsewhere = comment_factory(article=article_factory())
    response = post(client, article, parent=elsewhere.pk)
    assert response.status_code == 400
    assert b"not on this article" in response.content
    assert not Comment.objects.filter(article=article).exists()


def test_reply_to_an_unapproved_comment_is_refused(client, article, comment_factory):
    pending = comment_factory(article=article, status="pending")
    assert post(client, article, parent=pending.pk).status_code == 400
    assert Comment.objects.count() == 1


def test_too_deep_a_reply_is_kept_beside_the_deepest_reply(
    client, settings, article, comment_factory
):
    settings.COMMENTS_MAX_DEPTH = 2
    top = comment_factory(article=article)
    reply = comment_factory(article=article, parent=top)
    response = post(client, article, parent=reply.pk)
    assert response.status_code == 302
    stored = Comment.objects.get(author_name=GOOD["author_name"])
    assert (stored.parent, stored.root, stored.depth) == (top, top, 1)


@pytest.mark.parametrize(
    "make",
    [
        lambda f: f(status=Article.Status.DRAFT),
        lambda f: f(status=Article.Status.PENDING),
        lambda f: f(publish_at=timezone.now() + timedelta(days=1)),
    ],
)
def test_comment_on_an_unpublished_article_is_404(client, article_factory, make):
    assert post(client, make(article_factory)).status_code == 404
    assert not Comment.objects.exists()


def test_comment_on_an_unknown_article_is_404(client):
    assert client.post("/comments/post/999999/", GOOD).status_code == 404


def test_missing_or_wrong_csrf_token_is_refused(article):
    client = Client(enforce_csrf_checks=True)
    assert client.post(post_url(article), GOOD).status_code == 403
    assert (
        client.post(post_url(article), {**GOOD, "csrfmiddlewaretoken": "wrong"}).status_code == 403
    )
    assert not Comment.objects.exists()


def test_non_utf8_bytes_do_not_fail(client, article):
    response = client.post(
        post_url(article),
        data=b"author_name=%FF%FE&author_email=a%40example.org&body=caf%E9",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400)


def test_get_on_the_post_address_is_not_allowed(client, article):
    assert client.get(post_url(article)).status_code == 405


# --- Moderation ---------------------------------------------------------------------


def test_moderate_records_who_and_when(article, comment_factory, moderator):
    comment = comment_factory(article=article, status="pending")
    comment_moderate(comment=comment, status="approved", moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.moderated_by == moderator
    assert comment.moderated_at is not None


def test_moderation_queue_opens_on_pending_newest_first(
    client, moderator, article, comment_factory
):
    now = timezone.now()
    comment_factory(article=article, status="approved", body="Already approved")
    comment_factory(
        article=article, status="pending", body="Older pending", created_at=now - timedelta(hours=1)
    )
    comment_factory(article=article, status="pending", body="Newer pending", created_at=now)
    client.force_login(moderator)
    html = client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert "Already approved" not in html
    assert html.index("Newer pending") < html.index("Older pending")
    assert "192.0.2.10" in html  # the IP, for the moderator


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_approved", "approved"),
        ("mark_spam", "spam"),
        ("mark_pending", "pending"),
        ("mark_trash", "trash"),
    ],
)
def test_bulk_actions_moderate_comments(
    client, moderator, article, comment_factory, action, status
):
    comments = [
        comment_factory(article=article, status="spam" if status == "pending" else "pending")
        for _ in range(2)
    ]
    client.force_login(moderator)
    client.post(
        reverse("admin:comments_comment_changelist") + "?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    assert set(Comment.objects.values_list("moderated_by", flat=True)) == {moderator.pk}


def test_approved_comment_appears_on_the_post(
    client, moderator, article, comment_factory, django_capture_on_commit_callbacks
):
    comment = comment_factory(article=article, status="pending", body="Now visible")
    assert b"Now visible" not in client.get(article.get_absolute_url()).content
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="approved", moderator=moderator)
    assert b"Now visible" in client.get(article.get_absolute_url()).content


def test_moderator_replies_as_the_site(client, moderator, article, comment_factory):
    comment = comment_factory(article=article)
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "Thanks!"}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert (reply.status, reply.user, reply.body) == ("approved", moderator, "Thanks!")


def test_admin_index_counts_pending_comments(client, moderator, article, comment_factory):
    comment_factory.create_batch(3, article=article, status="pending")
    client.force_login(moderator)
    assert b"3 comments awaiting moderation" in client.get(reverse("admin:index")).content


def test_editor_cannot_moderate(client, editor, article, comment_factory):
    comment = comment_factory(article=article, status="pending")
    client.force_login(editor)
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 403
    client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "mark_approved", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_request_info_reads_the_client_behind_trusted_proxies(rf, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    request = rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.1", REMOTE_ADDR="10.0.0.1")
    assert RequestInfo.from_request(request).ip_address == "198.51.100.1"
    settings.NEWSROOM_TRUSTED_PROXIES = 0
    assert RequestInfo.from_request(request).ip_address == "10.0.0.1"
