"""An editor's wire journey in chromium: add a source with a feed, fetch it,
repost an item, review the draft, publish it, and read the post page crediting
the source as the seed page does (``The Cradle | August 1, 2024``).

The feed is served by a loopback server (``NEWSROOM_FETCH_ALLOW_LOOPBACK`` on
for this test only)."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.feeds import rss2, story
from tests.web_server import WebServer

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><article><h1>{title}</h1><p>Negotiators met on Thursday, officials said, and agreed to meet
again next week after a long day of talks on prisoners, crossings and the port.</p>
</article></body></html>"""


def log_in(page, live_server, user):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()


def run_action(page, label: str):
    page.locator("select[name=action]").select_option(label=label)
    page.get_by_role("button", name="Run").click()


def test_editor_adds_a_feed_reposts_an_item_and_publishes_it(
    live_server, page, editor, settings, screenshot
):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        site = server.url("").rstrip("/")
        entries = [story(1, site=site), story(2, site=site)]
        feed_url = server.add("/feed/", body=rss2(entries), content_type="text/xml")
        # The originals, for a repost that reads them.
        for entry in entries:
            server.add(entry.link.removeprefix(site), body=ORIGINAL.format(title=entry.title))
        log_in(page, live_server, editor)

        page.goto(live_server.url + "/admin/articles/source/add/")
        page.locator("#id_name").fill("The Cradle")
        page.locator("#id_homepage_url").fill("https://thecradle.example")
        page.locator("#id_feed_url").fill(feed_url)
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        page.locator("input.action-select").first.check()
        run_action(page, "Fetch their feeds now")
        expect(page.locator(".messagelist")).to_contain_text("2 new items on the wire")
        expect(page.locator("td.field-feed_status")).to_contain_text("2 items (2 new)")

        page.goto(live_server.url + "/admin/wire/wireitem/")
        row = page.locator("tr", has_text="West Asia briefing 1:")
        expect(row).to_contain_text("The Cradle")
        screenshot(page, "admin-wire")
        row.locator("input.action-select").check()
        run_action(page, "Repost as a draft (download images)")

        expect(page.locator("#id_title")).to_have_value(
            "West Asia briefing 1: talks resume in Doha & Cairo"
        )
        expect(page.locator("#id_source_url")).to_have_value(entries[0].link)
        page.locator("#id_status").select_option("published")
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    article = Article.objects.posts().get()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".post__source")).to_have_text("The Cradle | August 1, 2024")
    original = page.locator(".post__source a[title^='Read the original']")
    expect(original).to_have_attribute("href", entries[0].link)
    assert page.errors == []
