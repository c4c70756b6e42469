"""The wire desk in the admin: what an editor sees and does (wire.admin)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import WireItemFactory
from tests.feeds import rss2, story
from tests.web_server import WebServer
from wire.models import FeedState, WireItem

pytestmark = pytest.mark.django_db

WIRE = "/admin/wire/wireitem/"


ARTICLE_PAGE = """<!doctype html><html lang="en"><head><title>Talks resume in Doha</title>
<meta property="og:title" content="Talks resume in Doha"></head><body><article>
<h1>Talks resume in Doha</h1><p>Negotiators met on Thursday, officials said, and agreed to meet
again next week after a long day of talks on prisoners, crossings and the port.</p>
</article></body></html>"""


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def act(client, action, *items, url=WIRE):
    return client.post(url, {"action": action, "_selected_action": [i.pk for i in items]})


def titles_on(response) -> list[str]:
    return [item.title for item in response.context["cl"].result_list]


def test_the_wire_shows_new_items_newest_first(editor_client):
    now = timezone.now()
    WireItemFactory(title="Older", published_at=now - timedelta(hours=2))
    WireItemFactory(title="Newest", published_at=now)
    WireItemFactory(title="Dismissed", state=WireItem.State.DISMISSED)
    assert titles_on(editor_client.get(WIRE)) == ["Newest", "Older"]


def test_the_wire_filters_by_state_and_source(editor_client, source_factory):
    cradle = source_factory(name="The Cradle")
    WireItemFactory(title="From the Cradle", source=cradle, state=WireItem.State.DISMISSED)
    WireItemFactory(title="From elsewhere", state=WireItem.State.DISMISSED)
    response = editor_client.get(WIRE, {"state": "dismissed", "source__id__exact": cradle.pk})
    assert titles_on(response) == ["From the Cradle"]


def test_the_wire_searches_titles_and_summaries(editor_client):
    WireItemFactory(title="Talks in Doha", summary="Negotiators met.")
    WireItemFactory(title="Weather", summary="Rain in Cairo.")
    assert titles_on(editor_client.get(WIRE, {"q": "Cairo"})) == ["Weather"]


def test_an_unknown_state_is_a_bad_request(editor_client):
    assert editor_client.get(WIRE, {"state": "bogus"}).status_code == 400


def test_reposting_an_item_lands_on_its_draft(editor_client, editor, source_factory, originals):
    cradle = source_factory(name="The Cradle")
    link = originals.add("/talks-resume/", body=ARTICLE_PAGE)
    item = WireItemFactory(
        source=cradle,
        title="Talks resume in Doha",
        link=link,
        published_at=datetime(2024, 8, 1, 9, 30, tzinfo=UTC),
    )
    response = act(editor_client, "repost", item)
    article = Article.objects.posts().get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert (article.title, article.source, article.status) == (
        "Talks resume in Doha",
        cradle,
        Article.Status.DRAFT,
    )
    assert article.source_url == link
    assert article.source_published_on.isoformat() == "2024-08-01"
    assert article.author == editor
    item.refresh_from_db()
    assert (item.state, item.article) == (WireItem.State.REPOSTED, article)


def test_reposting_several_items_stays_on_the_wire_and_counts_them(editor_client, originals):
    items = [
        WireItemFactory(link=originals.add(f"/story-{n}/", body=ARTICLE_PAGE)) for n in range(2)
    ]
    response = act(editor_client, "repost_without_images", *items)
    assert response.status_code == 302
    assert response["Location"] == WIRE
    assert Article.objects.posts().count() == 2


def test_an_item_already_reposted_says_so_and_links_to_the_article(editor_client, article_factory):
    item = WireItemFactory(link="https://thecradle.example/seen/")
    article = article_factory(title="Reposted by hand", source_url=item.link)
    html = editor_client.get(WIRE).content.decode()
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    assert f'Already reposted: <a href="{change_url}">Reposted by hand</a>' in html


def test_reposting_an_item_already_reposted_makes_no_second_article(editor_client, article_factory):
    item = WireItemFactory(link="https://thecradle.example/seen/")
    article = article_factory(source_url=item.link)
    response = act(editor_client, "repost", item)
    assert Article.objects.posts().count() == 1
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    item.refresh_from_db()
    assert item.article == article


def test_an_item_without_a_link_is_not_reposted_and_says_why(editor_client):
    item = WireItemFactory(title="No link here", link="")
    response = act(editor_client, "repost", item)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert Article.objects.posts().count() == 0
    assert "“No link here” was not reposted: “No link here” has no link to repost from." in messages


def test_dismissing_items_takes_them_off_the_new_wire(editor_client):
    item = WireItemFactory()
    act(editor_client, "dismiss", item)
    item.refresh_from_db()
    assert item.state == WireItem.State.DISMISSED
    assert titles_on(editor_client.get(WIRE)) == []


def test_an_item_cannot_be_added_or_deleted_by_hand(editor_client):
    item = WireItemFactory()
    assert editor_client.get(WIRE + "add/").status_code == 403
    assert editor_client.post(WIRE + f"{item.pk}/delete/", {"post": "yes"}).status_code == 403


# -- The Source list ------------------------------------------------------------------


def test_the_source_list_shows_each_feeds_last_fetch_items_and_error(editor_client, source_factory):
    good = source_factory(name="Good", feed_url="https://good.example/feed")
    bad = source_factory(name="Bad", feed_url="https://bad.example/feed")
    now = timezone.now()
    FeedState.objects.create(
        source=good, last_fetched_at=now, last_success_at=now, items_last_time=50,
        new_items_last_time=3,
    )  # fmt: skip
    FeedState.objects.create(
        source=bad,
        last_fetched_at=now,
        last_error="The feed answered HTTP 503.",
        consecutive_failures=2,
        next_fetch_at=now + timedelta(hours=1),
    )
    html = editor_client.get("/admin/articles/source/").content.decode()
    assert "fetched now · 50 items (3 new)" in html
    assert (
        "2 failures, next try 59\xa0minutes from now · error: The feed answered HTTP 503." in html
    )


def test_fetching_a_new_sources_feed_from_the_source_list(editor_client, source_factory, settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        url = server.add("/feed/", body=rss2([story(1), story(2)]), content_type="text/xml")
        source = source_factory(name="The Cradle", feed_url=url)
        response = act(editor_client, "fetch_feeds_now", source, url="/admin/articles/source/")
    assert response.status_code == 302
    assert WireItem.objects.filter(source=source).count() == 2
    page = editor_client.get(WIRE).content.decode()
    assert "West Asia briefing 1: talks resume in Doha &amp; Cairo" in page


def test_an_items_state_can_be_changed_on_its_page(editor_client):
    item = WireItemFactory(state=WireItem.State.DISMISSED)
    response = editor_client.post(WIRE + f"{item.pk}/change/", {"state": "new"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == WireItem.State.NEW
