"""The header's page menu (issue 14): published pages, in menu order, with
their subpages, read once per content change."""

from datetime import timedelta

import lxml.html
import pytest
from django.template import Context, Template
from django.test import TestCase
from django.utils import timezone

from articles.models import Page
from articles.services import article_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_tests_pages():
    """Without the privacy page the migrations create, so each test's menu is its own."""
    Page.objects.all().delete()


def page_menu(client):
    """The header's page navigation on the home page (None: there is none)."""
    document = lxml.html.fromstring(client.get("/").content)
    found = document.xpath("//header//nav[@class='page-menu']")
    return found[0] if found else None


def top_level_titles(nav) -> list[str]:
    return [a.text_content() for a in nav.xpath("./ul/li/a")]


def links(element) -> list[tuple[str, str]]:
    return [(a.text_content(), a.get("href")) for a in element.iter("a")]


def test_the_header_links_to_every_published_top_level_page(client, page_factory):
    about = page_factory(title="About us", slug="about")
    nav = page_menu(client)
    assert nav.get("aria-label") == "Pages"
    assert links(nav) == [("About us", about.get_absolute_url())]


def test_pages_are_listed_by_menu_order_then_title(client, page_factory):
    page_factory(title="Contact", menu_order=2)
    page_factory(title="Privacy", menu_order=1)
    page_factory(title="About", menu_order=1)
    assert top_level_titles(page_menu(client)) == ["About", "Privacy", "Contact"]


def test_subpages_are_listed_under_their_page(client, page_factory):
    about = page_factory(title="About", slug="about")
    page_factory(title="Team", slug="team", parent=about)
    page_factory(title="Ethics", slug="ethics", parent=about)
    page_factory(title="Contact", slug="contact")
    nav = page_menu(client)
    assert top_level_titles(nav) == ["About", "Contact"]
    [children] = nav.xpath("./ul/li[1]/ul")
    assert links(children) == [
        ("Ethics", "/about/ethics/"),
        ("Team", "/about/team/"),
    ]


@pytest.mark.parametrize(
    ("status", "delay"),
    [("draft", timedelta(0)), ("pending", timedelta(0)), ("published", timedelta(days=1))],
)
def test_draft_pending_and_scheduled_pages_never_appear(client, page_factory, status, delay):
    page_factory(title="Visible")
    page_factory(title="Hidden", status=status, publish_at=timezone.now() + delay)
    assert top_level_titles(page_menu(client)) == ["Visible"]


def test_a_subpage_of_a_draft_page_does_not_appear(client, page_factory):
    draft = page_factory(title="Draft", slug="draft", status="draft")
    page_factory(title="Orphan", slug="orphan", parent=draft)
    assert page_menu(client) is None


def test_there_is_no_page_menu_without_pages(client):
    assert page_menu(client) is None


def test_a_page_published_later_appears_at_once(client, page_factory):
    page_factory(title="About")
    assert top_level_titles(page_menu(client)) == ["About"]
    contact = page_factory(title="Contact", status="draft")
    contact.status = "published"
    with TestCase.captureOnCommitCallbacks(execute=True):
        article_save(article=contact)
    assert top_level_titles(page_menu(client)) == ["About", "Contact"]


def test_the_menu_costs_no_query_once_rendered(page_factory, django_assert_num_queries):
    about = page_factory(title="About", slug="about")
    page_factory(title="Team", slug="team", parent=about)
    menu = Template("{% load articles_tags %}{% render_page_menu %}")
    first = menu.render(Context())
    with django_assert_num_queries(0):
        assert menu.render(Context()) == first
    assert "/about/team/" in first
