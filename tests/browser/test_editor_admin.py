"""An editor writes and publishes an article in the admin's rich-text editor, in
chromium, under the site's Content Security Policy."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_writes_and_publishes_an_article_under_csp(live_server, page, editor, screenshot):
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/articles/article/add/")

    page.locator("#id_title").fill("Written in the editor")
    editor_area = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    expect(editor_area).to_be_visible()
    editor_area.click()
    page.keyboard.type("First paragraph of the story.")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph.")
    page.locator("#id_status").select_option("published")
    page.locator("#id_publish_at_0").fill("2024-08-01")
    page.locator("#id_publish_at_1").fill("12:00:00")
    screenshot(page, "admin-article-editor")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    article = Article.objects.get(title="Written in the editor")
    assert "<p>First paragraph of the story.</p>" in article.body
    assert article.slug == "written-in-the-editor"
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Written in the editor")
    assert re.search(r"Second paragraph", page.locator(".post__body").inner_text())
    assert violations == []
    assert page.errors == []
