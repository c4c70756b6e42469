"""An editor reposts a story from its URL in chromium (issue 16): paste the link in
the article admin, land on the draft, publish it, and find the post crediting
its source as the seed page does (``Source | Month D, YYYY`` linking the original).

The original publication is a loopback server; the loopback allowance is on.
"""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from tests.web_server import WebServer

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = Path(__file__).resolve().parents[1] / "data" / "articles" / "newsarticle_jsonld.html"


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (1200, 675), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def original(settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        server.add("/2024/08/01/harbour-cranes-idle-strike", body=PAGE.read_bytes())
        for image in ("/images/lead/cranes.png", "/images/body/pickets.png"):
            server.add(image, body=_png(), content_type="image/png")
        yield server


def _log_in(page, live_server, editor):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()


def test_editor_reposts_a_url_publishes_it_and_the_post_credits_the_source(
    live_server, page, editor, original, screenshot, axe_violations
):
    story_url = original.url("/2024/08/01/harbour-cranes-idle-strike")
    _log_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_role("link", name="Repost from a URL…").click()

    page.get_by_label("Original article URL").fill(story_url)
    page.get_by_label("Download them into the media library").check()
    screenshot(page, "admin-repost-from-url")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Repost as a draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Review it, then publish.")
    expect(page.locator("#id_title")).to_have_value(
        "Harbour cranes idle as dock workers strike over automation"
    )
    expect(page.locator("#id_source_url")).to_have_value(story_url)
    expect(page.locator("#id_source_published_on")).to_have_value("2024-08-01")
    expect(page.locator("#id_status")).to_have_value("draft")
    screenshot(page, "admin-reposted-draft")

    page.locator("#id_status").select_option("published")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    article = Article.objects.posts().get()
    assert article.is_published
    page.goto(live_server.url + article.get_absolute_url())
    credit = page.locator(".post__source")
    expect(credit).to_have_text("The Harbour Times | August 1, 2024")
    expect(credit.get_by_role("link", name="August 1, 2024")).to_have_attribute("href", story_url)
    expect(page.locator(".post__body")).to_contain_text("Every crane on the east quay stood still")
    screenshot(page, "reposted-post")
    assert page.errors == []


def test_a_refused_url_is_explained_on_the_form(live_server, page, editor, original, settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = False
    _log_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/")
    page.get_by_role("link", name="Repost from a URL").click()

    page.get_by_label("Original article URL").fill(
        original.url("/2024/08/01/harbour-cranes-idle-strike")
    )
    page.get_by_role("button", name="Repost as a draft").click()

    expect(page.locator(".errorlist")).to_contain_text("127.0.0.1")
    assert Article.objects.posts().count() == 0
    assert original.requests == []
