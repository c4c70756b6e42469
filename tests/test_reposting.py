"""Repost (issue 16): a story on another site becomes a draft credited to its source.

Article pages (tests/data/articles: JSON-LD NewsArticle, Open Graph only, a
paywall, a page in French) and real PNG images are served by a loopback HTTP
server; the safe fetcher's loopback allowance is on except where a refusal is
the point, and then no request may reach the server.
"""

from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from articles.models import Article, Source
from images.models import Image as LibraryImage
from tests.factories import ArticleFactory, CategoryFactory, SourceFactory
from tests.web_server import WebServer
from wire.models import WireItem
from wire.reposting import RepostFailed, repost, repost_url
from wire.services import wire_item_repost

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).parent / "data" / "articles"


def png(width: int = 1600, height: int = 900) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def site(settings):
    """The original publication: its article pages and images, on loopback."""
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        for page in PAGES.glob("*.html"):
            server.add(f"/story/{page.stem}", body=page.read_bytes())
        for image in (
            "/images/lead/cranes.png",
            "/images/body/pickets.png",
            "/images/reservoir.png",
        ):
            server.add(image, body=png(), content_type="image/png")
        yield server


def test_a_json_ld_news_article_becomes_a_draft_with_its_title_date_and_original_url(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert article.status == Article.Status.DRAFT
    assert article.title == "Harbour cranes idle as dock workers strike over automation"
    assert article.source_url == site.url("/story/newsarticle_jsonld")
    assert article.source_published_on == date(2024, 8, 1)
    assert article.author == editor


def test_the_draft_keeps_the_story_and_leaves_the_page_around_it(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert "Every crane on the east quay stood still" in article.body
    assert "<h2>Operator says talks remain open</h2>" in article.body
    for boilerplate in ("Most read", "We use cookies", "morning briefing", "Typical management"):
        assert boilerplate not in article.body
    assert "<script" not in article.body


def test_relative_links_in_the_story_point_back_to_the_original_site(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert f'href="{site.url("/notices/arrivals")}"' in article.body


def test_an_unknown_site_gets_a_new_source_named_after_it_and_the_editor_is_told(site, editor):
    result = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    source = result.article.source
    assert source.name == "The Harbour Times"
    assert source.homepage_url == site.url("/")
    assert any("new source “The Harbour Times”" in note for note in result.notes)


def test_a_known_source_is_matched_by_its_homepage_domain(site, editor):
    courier = SourceFactory(name="Courier", homepage_url=site.url("/"))

    article = repost_url(url=site.url("/story/opengraph_only"), editor=editor)

    assert article.source == courier
    assert Source.objects.count() == 1


def test_a_known_source_is_matched_by_its_feed_address(site, editor):
    courier = SourceFactory(name="Courier", homepage_url="", feed_url=site.url("/feed.xml"))

    article = repost_url(url=site.url("/story/opengraph_only"), editor=editor)

    assert article.source == courier


def test_the_lead_image_becomes_the_featured_image_with_the_pages_alt_text(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert article.featured_image.name.startswith("articles/")
    assert article.featured_image.name.endswith(".png")
    assert default_storage.exists(article.featured_image.name)
    assert article.featured_image_alt == "Idle container cranes at the east quay at dawn"


def test_without_an_alt_text_the_featured_image_is_described_by_the_title(site, editor):
    page = (PAGES / "newsarticle_jsonld.html").read_text().replace("og:image:alt", "og:nothing")
    url = site.add("/story/no-alt", body=page)

    article = repost_url(url=url, editor=editor)

    assert article.featured_image_alt == article.title


def test_body_images_become_library_images_with_their_alt_text(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    image = LibraryImage.objects.get()
    assert (image.alt, image.uploaded_by) == ("Pickets with banners at the main gate", editor)
    assert default_storage.exists(image.file.name)
    assert site.url("/images/body/pickets.png") not in article.body
    assert f'src="{image.file.url}"' in article.body
    assert 'alt="Pickets with banners at the main gate"' in article.body


def test_reposted_body_images_get_their_renditions_srcset(site, editor):
    article = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    image = LibraryImage.objects.get()
    assert image.renditions
    assert "srcset=" in article.body
    assert all(name.rsplit("/", 1)[-1] in article.body for name in image.renditions.values())


def test_a_body_image_without_alt_text_is_described_by_the_title_and_noted(site, editor):
    page = (PAGES / "newsarticle_jsonld.html").read_text()
    page = page.replace('alt="Pickets with banners at the main gate"', "")
    url = site.add("/story/no-body-alt", body=page)

    result = repost(url=url, editor=editor)

    image = LibraryImage.objects.get()
    assert image.alt == result.article.title
    assert f'alt="{result.article.title}"' in result.article.body
    assert any(
        "pickets.png" in note and "no alt text" in note and "title" in note for note in result.notes
    )


def test_the_same_image_reposted_twice_is_stored_once(site, editor):
    page = (PAGES / "newsarticle_jsonld.html").read_text()
    other = site.add("/story/same-picture", body=page.replace("Harbour cranes idle", "Cranes"))

    first = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)
    second = repost_url(url=other, editor=editor)

    image = LibraryImage.objects.get()
    assert first.pk != second.pk
    assert f'src="{image.file.url}"' in first.body
    assert f'src="{image.file.url}"' in second.body


def test_a_body_image_the_library_refuses_is_left_out_and_named_in_the_notes(
    site, editor, settings
):
    settings.IMAGES_MAX_UPLOAD_BYTES = 1000

    result = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert "<img" not in result.article.body
    assert not LibraryImage.objects.exists()
    assert any("pickets.png" in note and "images may be at most" in note for note in result.notes)


def test_body_images_are_left_out_when_the_editor_chooses_to_drop_them(site, editor):
    result = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor, images="drop")

    assert "<img" not in result.article.body
    assert "Every crane on the east quay" in result.article.body
    requested = [path for path, _ in site.requests]
    assert "/images/body/pickets.png" not in requested
    assert any("images were left out" in note for note in result.notes)


def test_an_image_that_is_not_a_picture_is_left_out_and_named_in_the_notes(site, editor):
    site.add(
        "/images/body/pickets.png", body=b"<html>not a picture</html>", content_type="image/png"
    )

    result = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert "<img" not in result.article.body
    assert any("pickets.png is not an image" in note for note in result.notes)


def test_reposting_the_same_original_again_points_to_the_first_draft(site, editor):
    first = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    again = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert again.created is False
    assert again.article.pk == first.pk
    assert Article.objects.posts().count() == 1
    assert "already reposted" in again.notes[0]


def test_a_link_that_redirects_to_an_original_already_reposted_finds_it(site, editor):
    first = repost_url(url=site.url("/story/newsarticle_jsonld"), editor=editor)
    short = site.add(
        "/s/abc", status=301, headers={"Location": site.url("/story/newsarticle_jsonld")}
    )

    again = repost(url=short, editor=editor)

    assert again.article.pk == first.pk
    assert Article.objects.posts().count() == 1


def test_a_paywalled_story_keeps_the_free_part_without_the_subscription_box(site, editor):
    result = repost(url=site.url("/story/paywall"), editor=editor)

    body = result.article.body
    assert "For thirty-two years Folio &amp; Finch" in body
    assert "Subscribe" not in body
    assert "Log in" not in body
    assert any("subscribers only" in note for note in result.notes)


def test_a_story_in_another_language_is_kept_in_that_language(site, editor):
    article = repost_url(url=site.url("/story/french"), editor=editor)

    assert (
        article.title == "Les vendanges commencent avec trois semaines d'avance dans le Bordelais"
    )
    assert "Les premiers sécateurs sont entrés dans les vignes" in article.body
    assert article.source.name == "Le Courrier du Sud-Ouest"
    assert article.source_published_on == date(2024, 8, 19)


def test_the_draft_is_filed_as_the_sources_recent_articles_usually_are(site, editor):
    courier = SourceFactory(name="Courier", homepage_url=site.url("/"))
    water = CategoryFactory(name="Water")
    for _ in range(3):
        ArticleFactory(source=courier, categories=[water], tags=["reservoirs"])

    result = repost(url=site.url("/story/opengraph_only"), editor=editor)

    assert list(result.article.categories.all()) == [water]
    assert list(result.article.tags.names()) == ["reservoirs"]
    assert any("Water" in note and "#reservoirs" in note for note in result.notes)


# -- Refusals: a clear message, nothing written -----------------------------------


def test_a_url_that_is_not_a_page_is_refused_with_its_content_type(site, editor):
    url = site.add("/report.pdf", body=b"%PDF-1.7", content_type="application/pdf")

    with pytest.raises(RepostFailed, match="application/pdf"):
        repost(url=url, editor=editor)
    assert Article.objects.posts().count() == 0


def test_a_page_larger_than_the_limit_is_refused(site, editor, settings):
    settings.NEWSROOM_FETCH_MAX_BYTES = 100_000
    url = site.add("/huge", body="<p>" + "word " * 50_000 + "</p>")

    with pytest.raises(RepostFailed, match="100000|100,000|100 000|bytes|large"):
        repost(url=url, editor=editor)
    assert Article.objects.posts().count() == 0


def test_a_missing_page_is_refused_with_its_status(site, editor):
    with pytest.raises(RepostFailed, match="404"):
        repost(url=site.url("/story/gone"), editor=editor)


def test_a_page_with_no_article_text_is_refused(site, editor):
    url = site.add("/front", body="<html><body><nav><a href='/'>Home</a></nav></body></html>")

    with pytest.raises(RepostFailed, match="No article text"):
        repost(url=url, editor=editor)
    assert Source.objects.count() == 0


def test_a_loopback_address_is_refused_before_any_request_when_the_allowance_is_off(
    site, editor, settings
):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = False

    with pytest.raises(RepostFailed) as refused:
        repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert "127.0.0.1" in str(refused.value)
    assert site.requests == []
    assert Article.objects.posts().count() == 0


def test_an_address_that_is_not_a_web_address_is_refused(editor):
    with pytest.raises(RepostFailed, match="not a web address"):
        repost(url="javascript:alert(1)", editor=editor)


# -- From the wire ------------------------------------------------------------------


def _wire_item(site, path: str, **fields):
    source = SourceFactory(name="Harbour Wire", homepage_url="https://elsewhere.example/")
    return WireItem.objects.create(
        source=source, guid=path, link=site.url(path), title="As the feed titles it", **fields
    )


def test_a_wire_item_is_reposted_credited_to_its_feeds_source(site, editor):
    item = _wire_item(site, "/story/newsarticle_jsonld")

    result = wire_item_repost(item=item, editor=editor, images="drop")

    assert result.created
    article = result.article
    assert article.source == item.source
    assert article.title == "Harbour cranes idle as dock workers strike over automation"
    assert "Every crane on the east quay" in article.body
    item.refresh_from_db()
    assert item.article == article


def test_a_wire_item_whose_page_gives_no_date_takes_the_feeds_date(site, editor):
    item = _wire_item(site, "/story/paywall", published_at=datetime(2024, 3, 9, 22, 30, tzinfo=UTC))
    site.add("/story/paywall", body=(PAGES / "paywall.html").read_text().replace("2024-03-02", ""))

    article = wire_item_repost(item=item, editor=editor, images="drop").article

    assert article.source_published_on == date(2024, 3, 9)


def test_the_wire_admin_shows_a_refused_repost_as_a_message(client, editor, site, settings):
    item = _wire_item(site, "/story/gone")
    client.force_login(editor)

    response = client.post(
        reverse("admin:wire_wireitem_changelist"),
        {"action": "repost", "_selected_action": [item.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "was not reposted" in response.content.decode()
    assert "404" in response.content.decode()
    assert not Article.objects.posts().exists()


def test_the_wire_admin_shows_the_reposts_notes(client, editor, site):
    item = _wire_item(site, "/story/paywall")
    client.force_login(editor)

    response = client.post(
        reverse("admin:wire_wireitem_changelist"),
        {"action": "repost_without_images", "_selected_action": [item.pk]},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "Part of the original is for subscribers only: the draft holds the free part.",
        "The page names no lead image; the draft has no featured image.",
    ]


def test_the_wire_admin_names_the_item_of_each_note_when_reposting_several(client, editor, site):
    paywalled = _wire_item(site, "/story/paywall")
    french = WireItem.objects.create(
        source=paywalled.source, guid="fr", link=site.url("/story/french"), title="Vendanges"
    )
    items = [paywalled, french]
    client.force_login(editor)

    response = client.post(
        reverse("admin:wire_wireitem_changelist"),
        {"action": "repost_without_images", "_selected_action": [i.pk for i in items]},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert (
        "“As the feed titles it”: Part of the original is for subscribers only: the draft "
        "holds the free part." in shown
    )
    assert "2 items reposted as drafts." in shown


def test_images_past_the_limit_are_left_out_and_named(site, editor, monkeypatch):
    monkeypatch.setattr("wire.images.MAX_BODY_IMAGES", 0)

    result = repost(url=site.url("/story/newsarticle_jsonld"), editor=editor)

    assert "<img" not in result.article.body
    assert any("pickets.png" in note and "left out" in note for note in result.notes)


def test_a_page_whose_answer_names_no_charset_is_read_in_its_declared_encoding(site, editor):
    page = (PAGES / "french.html").read_text().replace('charset="utf-8"', 'charset="iso-8859-1"')
    url = site.add("/latin1", body=page.encode("latin-1", "replace"), content_type="text/html")

    article = repost_url(url=url, editor=editor)

    assert "Les premiers sécateurs sont entrés dans les vignes" in article.body


def test_a_link_leading_to_an_address_too_long_to_keep_is_refused(site, editor):
    long_path = "/story/" + "a" * 1000
    site.add(long_path, body=(PAGES / "french.html").read_bytes())
    short = site.add("/s/long", status=302, headers={"Location": site.url(long_path)})

    with pytest.raises(RepostFailed, match="longer than 1000 characters"):
        repost(url=short, editor=editor)
    assert Article.objects.posts().count() == 0
