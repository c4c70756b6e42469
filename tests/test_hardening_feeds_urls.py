"""Issue 11, findings 2 and 3: feeds that publish text as HTML, and stored
addresses that are not web addresses.

Feeds are read the way a feed reader reads them: the XML is parsed (stdlib
``ElementTree``), each field the reader decodes as HTML (in RSS every element,
in Atom those typed ``html``) is parsed as HTML (stdlib ``HTMLParser``), and
nothing in it may be what ``sanitize_html`` would have stripped. Text fields
must read as written, not escaped twice.

Addresses: one rule (``newsroom.links.safe_url``, absolute http(s) only) for
every URL stored — the admin refuses others, the importer drops and reports
them, a migration cleans the rows stored before, and templates link only to
addresses that pass it.
"""

import html
import importlib
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, html_to_text
from articles.models import Article, Source
from comments.models import Comment
from newsroom.links import safe_url
from newsroom.models import SiteSettings
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CommentFactory,
    SourceFactory,
    UserFactory,
)
from tests.imported import reported_about, run_import, wp_article, wp_comment
from tests.test_import_wordpress import WXR_11
from tests.xss_payloads import PAYLOADS, URL_PAYLOADS

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"


# --- Reading a feed as a feed reader does ------------------------------------------------


class StrippedMarkup(HTMLParser):
    """Collects what, in an HTML fragment, the sanitiser would have taken out."""

    URL_ATTRIBUTES = {"href", "src", "cite"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.found.append(f"<{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.found.append(f"<{tag} {name}>")
            elif name in self.URL_ATTRIBUTES and not _scheme_allowed(value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def _scheme_allowed(url: str) -> bool:
    url = re.sub(r"[\x00-\x20]", "", url)  # what browsers ignore in a scheme
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def stripped_markup(fragment: str) -> list[str]:
    parser = StrippedMarkup()
    parser.feed(fragment)
    parser.close()
    return parser.found


def html_fields(feed: bytes) -> list[tuple[str, str]]:
    """(element, decoded text) of each field a feed reader takes as HTML."""
    root = ElementTree.fromstring(feed)
    if root.tag == "rss":  # RSS types nothing: readers take every element as HTML
        return [(e.tag, e.text) for e in root.iter() if e.text and not len(e)]
    assert not [e for e in root.iter() if e.get("type") == "xhtml"]
    return [(e.tag, e.text or "") for e in root.iter() if e.get("type") == "html"]


def assert_no_live_markup(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    live = {
        f"{tag}: {text!r:.120}": found
        for tag, text in html_fields(response.content)
        if (found := stripped_markup(text))
    }
    assert not live, f"{url} holds markup a feed reader would render: {live}"


def rss_items(client, url: str) -> list[ElementTree.Element]:
    return ElementTree.fromstring(client.get(url).content).findall("channel/item")


def atom_entries(client, url: str) -> list[ElementTree.Element]:
    return ElementTree.fromstring(client.get(url).content).findall(f"{ATOM}entry")


def as_reader_text(fragment: str) -> str:
    """What a reader sees of an HTML field: its text."""
    return html_to_text(fragment)


# --- Finding 2: every feed field is text or sanitised HTML ------------------------------


@pytest.mark.parametrize("feed", ["/comments/feed/", "article"])
def test_a_comment_with_markup_reaches_the_comment_feeds_as_text(client, feed):
    comment = CommentFactory(body=IMG_PAYLOAD)
    url = f"{comment.article.get_absolute_url()}feed/" if feed == "article" else feed
    assert_no_live_markup(client, url)
    (item,) = rss_items(client, url)
    assert as_reader_text(item.findtext("description")) == IMG_PAYLOAD


def test_an_editors_excerpt_with_markup_reaches_the_atom_summary_as_text(client):
    ArticleFactory(excerpt=IMG_PAYLOAD)
    assert_no_live_markup(client, "/feed/atom/")
    (entry,) = atom_entries(client, "/feed/atom/")
    assert as_reader_text(entry.findtext(f"{ATOM}summary")) == IMG_PAYLOAD


@pytest.mark.parametrize("feed", ["/feed/", "/feed/atom/"])
def test_escaped_markup_in_a_body_stays_text_in_the_feed_summary(client, feed):
    ArticleFactory(body=f"<p>{escape(IMG_PAYLOAD)}</p>")
    assert_no_live_markup(client, feed)


def test_an_imported_excerpt_with_markup_reaches_the_feeds_as_text(client, tmp_path):
    export = tmp_path / "export.xml"
    text = WXR_11.read_text(encoding="utf-8")
    empty_excerpt = "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
    export.write_text(
        text.replace(
            empty_excerpt, f"<excerpt:encoded>{escape(escape(IMG_PAYLOAD))}</excerpt:encoded>", 1
        ),
        encoding="utf-8",
    )
    run_import(export)
    assert wp_article(10).summary == IMG_PAYLOAD  # stored as the text it is
    for feed in ("/feed/", "/feed/atom/"):
        assert_no_live_markup(client, feed)


def test_an_imported_comment_with_markup_reaches_the_comment_feed_as_text(client, tmp_path):
    export = tmp_path / "export.xml"
    text = WXR_11.read_text(encoding="utf-8")
    export.write_text(text.replace("First!", escape(IMG_PAYLOAD), 1), encoding="utf-8")
    run_import(export)
    assert IMG_PAYLOAD in wp_comment(101).body
    assert_no_live_markup(client, "/comments/feed/")


def test_titles_read_as_written_in_rss_and_atom(client):
    title = "Q&A: why 1 < 2 isn't “<script>news</script>” & more"
    ArticleFactory(title=title)
    (item,) = rss_items(client, "/feed/")
    assert html.unescape(item.findtext("title")) == title  # RSS readers decode HTML
    assert stripped_markup(item.findtext("title")) == []
    (entry,) = atom_entries(client, "/feed/atom/")
    assert entry.findtext(f"{ATOM}title") == title  # Atom text: no escaping to see


def test_a_comment_authors_name_reads_as_written_in_the_comment_feed(client):
    name = "Tom & Jerry <script>alert(1)</script>"
    CommentFactory(author_name=name)
    assert_no_live_markup(client, "/comments/feed/")
    (item,) = rss_items(client, "/comments/feed/")
    creator = item.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert html.unescape(creator) == name


def test_an_authors_display_name_reads_as_written_in_the_atom_feed(client):
    author = UserFactory(display_name="<img src=x onerror=alert(1)> & Co")
    ArticleFactory(author=author)
    (entry,) = atom_entries(client, "/feed/atom/")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == author.display_name


def test_a_comments_paragraphs_stay_paragraphs_in_the_comment_feed(client):
    CommentFactory(body="First paragraph.\n\nSecond <b>paragraph</b>.")
    (item,) = rss_items(client, "/comments/feed/")
    assert item.findtext("description") == (
        "<p>First paragraph.</p>\n\n<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>"
    )


def test_the_atom_authors_link_is_an_absolute_address(client):
    article = ArticleFactory()
    (entry,) = atom_entries(client, "/feed/atom/")
    uri = entry.findtext(f"{ATOM}author/{ATOM}uri")
    assert uri == f"http://testserver{article.author.get_absolute_url()}"


@pytest.fixture
def hostile_site(request):
    """A site where every name and text a feed shows is ``request.param``; returns
    the URL of every feed."""
    payload = request.param
    site = SiteSettings.load()
    site.name, site.tagline, site.description = payload[:100], payload[:200], payload
    site.save()
    author = UserFactory(username="hostile", display_name=payload[:150])
    category = CategoryFactory(name=payload[:200], slug="hostile")
    source = SourceFactory(name=payload[:200], slug="hostile")
    tag = Tag.objects.create(name=payload[:100], slug="hostile")
    filed = {"author": author, "source": source, "categories": [category], "tags": [tag]}
    with_excerpt = ArticleFactory(title=payload[:300], excerpt=payload, **filed)
    ArticleFactory(title=payload[:300], body=f"<p>{escape(payload)}</p>{payload}", **filed)
    CommentFactory(article=with_excerpt, author_name=payload[:100], body=payload)
    return [
        "/feed/",
        "/feed/atom/",
        "/category/hostile/feed/",
        "/tag/hostile/feed/",
        "/source/hostile/feed/",
        "/author/hostile/feed/",
        "/comments/feed/",
        f"{with_excerpt.get_absolute_url()}feed/",
    ]


@pytest.mark.parametrize("hostile_site", PAYLOADS, indirect=True)
def test_no_feed_turns_a_hostile_text_into_markup(client, hostile_site):
    for url in hostile_site:
        assert_no_live_markup(client, url)


# --- Finding 3: one URL rule for every stored address -------------------------------------

JAVASCRIPT_URL = "javascript://example.com/%0aalert(document.domain)"
REFUSED_URLS = [
    "javascript:alert(1)",
    JAVASCRIPT_URL,
    "data:text/html,<script>alert(2)</script>",
    "vbscript:alert(3)",
    "ftp://files.example/report.pdf",
]


@pytest.mark.parametrize("url", URL_PAYLOADS + REFUSED_URLS + PAYLOADS)
def test_safe_url_keeps_only_absolute_web_addresses(url):
    kept = safe_url(url)
    assert kept == "" or urlsplit(kept).scheme in ("http", "https")


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=c#d", "http://example.com", "https://ελλάδα.example/"]
)
def test_safe_url_keeps_web_addresses_as_they_are(url):
    assert safe_url(f"  {url}\n") == url


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("javscriptdtJ:/\t\n\x00\x01 &#;.%ehw"), max_size=30))
def test_safe_url_never_keeps_an_address_a_browser_reads_as_another_scheme(text):
    kept = safe_url(text)
    as_browser_reads = re.sub("[\t\n\r]", "", kept).strip("".join(map(chr, range(0x21))))
    assert kept == "" or re.match(r"https?://", as_browser_reads, re.IGNORECASE)


def import_with_commenter_url(tmp_path, url: str) -> str:
    export = tmp_path / "export.xml"
    text = WXR_11.read_text(encoding="utf-8")
    export.write_text(text.replace("https://nikos.example/", escape(url), 1), encoding="utf-8")
    return run_import(export)


def test_an_imported_javascript_commenter_url_is_dropped_and_reported(tmp_path):
    output = import_with_commenter_url(tmp_path, JAVASCRIPT_URL)
    comment = wp_comment(100)
    assert comment.status == Comment.Status.APPROVED
    assert comment.author_url == ""
    reported = reported_about(output, "Iraq boosts security on Syrian border")
    assert any(
        r.startswith(f"comment 100: website {JAVASCRIPT_URL!r} not imported") for r in reported
    )


def test_an_imported_web_address_is_kept(tmp_path):
    output = import_with_commenter_url(tmp_path, "https://nikos.example/blog/")
    assert wp_comment(100).author_url == "https://nikos.example/blog/"
    assert "not imported (only http" not in output


def test_a_post_page_never_links_a_stored_javascript_commenter_url(client):
    comment = CommentFactory(author_name="Nikos", author_url="https://nikos.example/")
    Comment.objects.filter(pk=comment.pk).update(author_url=JAVASCRIPT_URL)  # as an old import
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert "javascript:" not in page
    assert "Nikos" in page


def test_a_post_page_never_links_a_stored_javascript_original_article_url(client):
    article = ArticleFactory(source=SourceFactory(), source_url="https://original.example/")
    Article.objects.filter(pk=article.pk).update(source_url="javascript:alert(1)")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "javascript:" not in page


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_the_admin_refuses_a_source_homepage_that_is_not_a_web_address(editor_client, url):
    response = editor_client.post(
        reverse("admin:articles_source_add"),
        {"name": "The Cradle", "slug": "the-cradle", "homepage_url": url, "description": ""},
    )
    assert response.status_code == 200
    assert "homepage_url" in response.context["adminform"].form.errors
    assert not Source.objects.exists()


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_the_admin_refuses_an_original_article_url_that_is_not_a_web_address(
    editor_client, editor, url
):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Reposted",
            "slug": "reposted",
            "body": "<p>Text.</p>",
            "excerpt": "",
            "status": "draft",
            "publish_at_0": "2024-08-01",
            "publish_at_1": "12:00:00",
            "author": editor.pk,
            "source_url": url,
            "tags": "",
            "featured_image_alt": "",
        },
    )
    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not Article.objects.posts().exists()


def run_data_migration(app_label: str) -> None:
    migration = importlib.import_module(f"{app_label}.migrations.0005_only_web_addresses")
    schema_editor = SimpleNamespace(connection=connection)
    migration.clean_stored_urls(django_apps, schema_editor)


def test_the_migration_blanks_unsafe_commenter_urls_already_stored():
    bad, good = CommentFactory(), CommentFactory(author_url="https://reader.example/")
    Comment.objects.filter(pk=bad.pk).update(author_url=JAVASCRIPT_URL)
    run_data_migration("comments")
    assert Comment.objects.get(pk=bad.pk).author_url == ""
    assert Comment.objects.get(pk=good.pk).author_url == "https://reader.example/"


def test_the_migration_blanks_unsafe_source_and_article_urls_already_stored():
    source = SourceFactory()
    article = ArticleFactory(source=source, source_url="https://original.example/")
    kept = ArticleFactory(source_url="https://kept.example/")
    Source.objects.filter(pk=source.pk).update(homepage_url="data:text/html,<script>x</script>")
    Article.objects.filter(pk=article.pk).update(source_url=" vbscript:alert(1)")
    run_data_migration("articles")
    assert Source.objects.get(pk=source.pk).homepage_url == ""
    assert Article.objects.get(pk=article.pk).source_url == ""
    assert Article.objects.get(pk=kept.pk).source_url == "https://kept.example/"


# hypothesis: one data set per example would be slow; the health check is about that.
FEED_FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FEED_FUZZ
@given(text=st.text(alphabet=st.sampled_from("<>&\"'=/ ;#xaimgsrconerrojavascript:"), max_size=60))
def test_no_text_becomes_markup_in_the_comment_feed(client, text):
    Comment.objects.all().delete()
    cache.clear()  # the factory writes around the services that mark cached pages stale
    CommentFactory(author_name=text[:100] or "x", body=text or "x")
    assert_no_live_markup(client, "/comments/feed/")
