"""A reader comments, a moderator approves, everyone sees it — in chromium.

The page comes without tokens; the form's script fetches the CSRF token and
the time token (bound to the article and this browser) when the reader starts
writing, and a commenter approved once is trusted by their browser's key."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

SEED_URL = "/2024/08/01/iraq-boosts-security-on-syrian-border-after-us-proxies-free-hundreds-of-isis-fighters/"


@pytest.fixture
def seeded(settings):
    call_command("load_seeds", verbosity=0)
    # A test types faster than any person: don't let the time trap call it a bot.
    settings.COMMENTS_SPAM_CHECKS = [
        {**entry, "OPTIONS": {"min_seconds": 0}}
        if entry["NAME"].endswith("TimestampCheck")
        else entry
        for entry in settings.COMMENTS_SPAM_CHECKS
    ]


def test_comment_waits_for_a_moderator_then_appears(
    live_server, browser, page, seeded, moderator, screenshot
):
    page.goto(live_server.url + SEED_URL)
    started = page.locator("input[name=form_started]")
    assert started.input_value() == ""  # the cacheable page carries no token
    page.locator("#id_author_name").fill("Zoë Reader")
    page.locator("#id_author_email").fill("zoe@example.org")
    page.locator("#id_author_url").fill("https://zoe.example.org")
    page.locator("#id_body").fill("The border has been porous for years.")
    expect(started).to_have_value(re.compile(r"^comment-form:\d+:"))  # fetched on focus
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    expect(page.get_by_text("Your comment is awaiting moderation.")).to_be_visible()
    screenshot(page, "comment-awaiting")
    timestamp = Comment.objects.get().check_records.get(check_name="TimestampCheck")
    assert timestamp.reason.startswith("Posted"), timestamp.reason  # bound, fresh, unused

    other = browser.new_context().new_page()
    other.goto(live_server.url + SEED_URL)
    assert other.get_by_text("The border has been porous for years.").count() == 0
    expect(other.get_by_text("No comments yet.")).to_be_visible()

    admin = browser.new_context().new_page()
    admin.goto(live_server.url + "/admin/")
    admin.get_by_label("Username").fill(moderator.username)
    admin.get_by_label("Password").fill("a-long-test-password-42")
    admin.get_by_role("button", name="Log in").click()
    expect(admin.get_by_text("1 comment awaiting moderation")).to_be_visible()
    admin.get_by_text("1 comment awaiting moderation").click()
    expect(admin.get_by_text("The border has been porous for years.")).to_be_visible()
    screenshot(admin, "moderation-queue")
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("mark_approved")
    admin.get_by_role("button", name=re.compile("Go|Run")).click()
    expect(admin.get_by_text("1 comment approved.")).to_be_visible()

    other.reload()
    expect(other.get_by_text("The border has been porous for years.")).to_be_visible()
    expect(other.get_by_role("heading", name="1 Response to")).to_be_visible()
    author = other.get_by_role("link", name="Zoë Reader", exact=True)
    assert author.get_attribute("rel") == "nofollow ugc noopener"
    screenshot(other, "comment-approved")
    assert Comment.objects.get().status == "approved"

    # Back in the first browser: its commenter key proves who it is, so the
    # next comment appears at once, for everyone.
    page.goto(live_server.url + SEED_URL)
    page.locator("#id_author_name").fill("Zoë Reader")
    page.locator("#id_author_email").fill("zoe@example.org")
    page.locator("#id_body").fill("And it still is.")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    assert Comment.objects.get(body="And it still is.").status == "approved"
    other.reload()
    expect(other.get_by_text("And it still is.")).to_be_visible()
    assert page.errors == []


def test_reply_link_threads_the_answer(live_server, page, seeded, comment_factory):
    from articles.models import Article

    article = Article.objects.get(slug__startswith="iraq-boosts")
    parent = comment_factory(article=article, author_name="Ann", body="First!")
    page.goto(live_server.url + SEED_URL)
    page.get_by_role("link", name="Reply to Ann").click()
    expect(page.get_by_role("heading", name="Reply to Ann")).to_be_visible()
    page.locator("#id_author_name").fill("Bob")
    page.locator("#id_author_email").fill("bob@example.org")
    page.locator("#id_body").fill("Second, in reply.")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(author_name="Bob")
    assert reply.parent == parent
    nested = page.locator(f"#comment-{parent.pk} .comment-list--children #comment-{reply.pk}")
    expect(nested.get_by_text("Your comment is awaiting moderation.")).to_be_visible()


def test_invalid_comment_shows_errors_and_keeps_the_text(live_server, page, seeded, axe_violations):
    page.goto(live_server.url + SEED_URL)
    page.locator("#id_author_name").fill("Zoë")
    page.locator("#id_author_email").fill("zoe@example.org")
    page.locator("#id_author_url").fill("javascript:alert(1)")
    page.locator("#id_body").fill("Kept text")
    # Bypass the browser's own checks to see the server's answer.
    page.locator("form.comment-form").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_text("Enter a valid URL.")).to_be_visible()
    assert page.locator("#id_body").input_value() == "Kept text"
    assert page.errors == []
    assert axe_violations(page) == []
    assert not Comment.objects.exists()
