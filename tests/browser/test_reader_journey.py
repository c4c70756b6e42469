"""A reader, in chromium: home page → the seed article → its source → a tag → search."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "Iraq boosts security on Syrian border after US proxies free hundreds of ISIS fighters"


@pytest.fixture
def seeded(seed_path):
    call_command("load_seeds", verbosity=0)


def test_reader_follows_the_seed_article_its_source_a_tag_and_searches(
    live_server, page, seeded, screenshot
):
    page.goto(live_server.url)
    assert page.locator(".site-header__name").inner_text() == "Aletho News"
    assert page.locator(".site-header__tagline").inner_text() == "ΑΛΗΘΩΣ"
    screenshot(page, "home")

    page.get_by_role("link", name=SEED_TITLE).first.click()
    page.wait_for_url(re.compile(r"/2024/08/01/iraq-boosts-security-on-syrian-border"))
    assert page.locator("h1").inner_text() == SEED_TITLE
    assert page.locator(".post__source").inner_text().strip() == "The Cradle | August 1, 2024"
    assert page.locator(".post__body p").count() == 11
    assert page.get_by_text("No comments yet.").is_visible()
    assert page.get_by_role("heading", name="Leave a comment").is_visible()
    screenshot(page, "post")

    page.locator(".post__source").get_by_role("link", name="The Cradle").click()
    page.wait_for_url(re.compile(r"/source/the-cradle/$"))
    assert page.locator("h1").inner_text() == "The Cradle"
    assert page.locator("main").get_by_role("link", name=SEED_TITLE).is_visible()

    page.goto(live_server.url)
    page.locator(".tag-cloud").get_by_role("link", name=re.compile("^climate")).click()
    page.wait_for_url(re.compile(r"/tag/climate/$"))
    assert page.locator(".card").count() == 3
    screenshot(page, "tag")

    page.get_by_label("Search articles").first.fill("desalination")
    page.get_by_label("Search articles").first.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=desalination"))
    assert page.locator(".card").count() >= 1
    assert "desalination" in page.locator(".card mark").first.inner_text().lower()
    screenshot(page, "search")
    assert page.errors == []


def test_unknown_page_is_a_helpful_404(live_server, page, seeded):
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.get_by_role("search").first.is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/2024/08/01/iraq-boosts-security-on-syrian-border-after-us-proxies-free-hundreds-of-isis-fighters/",
        "/category/environment/",
        "/tag/climate/",
        "/source/the-cradle/",
        "/2024/",
        "/search/?q=water",
    ],
)
def test_pages_have_no_serious_accessibility_violations(
    live_server, page, seeded, axe_violations, path
):
    page.goto(live_server.url + path)
    assert axe_violations(page) == []


def test_phone_layout_puts_the_sidebar_below_the_article(live_server, page, seeded):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url)
    main = page.locator("main").bounding_box()
    sidebar = page.locator("aside.sidebar").bounding_box()
    assert sidebar["y"] > main["y"] + main["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
