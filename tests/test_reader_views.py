"""The reader's site: every page, what it lists and what it hides."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(article_factory):
    return article_factory(title="Live story")


@pytest.fixture
def hidden(article_factory):
    """A draft, one pending review and a scheduled article: none may show."""
    return [
        article_factory(title="Draft story", status=Article.Status.DRAFT),
        article_factory(title="Pending story", status=Article.Status.PENDING),
        article_factory(title="Scheduled story", publish_at=timezone.now() + timedelta(days=1)),
    ]


def titles(response) -> list[str]:
    return [article.title for article in response.context["articles"]]


def test_home_lists_published_articles_only(client, live, hidden):
    response = client.get("/")
    assert response.status_code == 200
    assert titles(response) == ["Live story"]
    assert b"Scheduled story" not in response.content


def test_home_on_an_empty_site_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Nothing has been published yet." in response.content


def test_post_page_shows_the_seed_page_parts_in_order(
    client, article_factory, source_factory, category_factory
):
    source = source_factory(name="The Cradle")
    article = article_factory(
        title="Iraq boosts security",
        source=source,
        source_published_on=timezone.datetime(2024, 8, 1).date(),
        source_url="https://thecradle.example/iraq",
        categories=[category_factory(name="Middle East")],
        tags=["Iraq", "Syria"],
    )
    html = client.get(article.get_absolute_url()).content.decode()
    html = html[html.index("<body") :]
    order = [
        html.index("site-header__name"),
        html.index('<h1 class="post__title">Iraq boosts security</h1>'),
        html.index(">The Cradle</a> | "),
        html.index("August 1, 2024</time>"),
        html.index("The body of Iraq boosts security"),
        html.index("- Posted by |"),
        html.index(">Middle East</a>"),
        html.index('rel="tag">Iraq</a>'),
        html.index("No comments yet."),
        html.index("Leave a comment"),
    ]
    assert order == sorted(order)
    assert 'href="https://thecradle.example/iraq"' in html
    assert 'href="/source/the-cradle/"' in html


def test_post_page_head_has_canonical_open_graph_and_json_ld(
    client, article_factory, source_factory
):
    article = article_factory(title="Headline", source=source_factory(name="The Cradle"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    assert '<meta property="og:title" content="Headline">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '"@type": "NewsArticle"' in html
    assert (
        '"isBasedOn": {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "The Cradle"'
        in html
    )


def test_json_ld_cannot_be_broken_out_of(client, article_factory):
    article = article_factory(title="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html


@pytest.mark.parametrize("index", [0, 1, 2])
def test_unpublished_article_is_404_for_readers(client, hidden, index):
    assert client.get(hidden[index].get_absolute_url()).status_code == 404


def test_post_at_a_wrong_date_redirects_to_its_permalink(client, live):
    response = client.get(f"/1999/01/01/{live.slug}/")
    assert response.status_code == 301
    assert response["Location"] == live.get_absolute_url()


def test_post_page_links_previous_next_and_related(client, article_factory):
    now = timezone.now()
    older = article_factory(title="Older", publish_at=now - timedelta(days=3), tags=["x"])
    middle = article_factory(title="Middle", publish_at=now - timedelta(days=2), tags=["x"])
    newer = article_factory(title="Newer", publish_at=now - timedelta(days=1))
    page = client.get(middle.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{older.get_absolute_url()}"' in page
    assert f'rel="next" href="{newer.get_absolute_url()}"' in page
    related = page[page.index('class="related__list"') :].split("</ul>")[0]
    assert older.get_absolute_url() in related
    assert newer.get_absolute_url() not in related


def test_category_lists_its_own_and_its_childrens_articles(
    client, article_factory, category_factory
):
    world = category_factory(name="World")
    europe = category_factory(name="Europe", parent=world)
    sports = category_factory(name="Sports")
    article_factory(title="World story", categories=[world])
    article_factory(title="Europe story", categories=[europe])
    article_factory(title="Sports story", categories=[sports])
    assert sorted(titles(client.get(world.get_absolute_url()))) == ["Europe story", "World story"]
    assert titles(client.get(europe.get_absolute_url())) == ["Europe story"]


def test_tag_source_and_author_pages_list_their_articles(client, article_factory, source_factory):
    source = source_factory(name="Meridian Review")
    mine = article_factory(title="Tagged", tags=["energy"], source=source)
    article_factory(title="Other")
    assert titles(client.get("/tag/energy/")) == ["Tagged"]
    assert titles(client.get(source.get_absolute_url())) == ["Tagged"]
    assert titles(client.get(mine.author.get_absolute_url())) == ["Tagged"]


@pytest.mark.parametrize(
    "url", ["/category/nope/", "/tag/nope/", "/source/nope/", "/author/nobody/"]
)
def test_unknown_listing_is_a_helpful_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'role="search"' in response.content


def test_listing_with_only_hidden_articles_is_404(client, hidden, category_factory):
    category = category_factory()
    hidden[0].categories.add(category)
    assert client.get(category.get_absolute_url()).status_code == 404


def test_date_archives(client, article_factory):
    day = timezone.make_aware(timezone.datetime(2024, 8, 1, 12))
    article_factory(title="August story", publish_at=day)
    article_factory(title="March story", publish_at=day.replace(month=3))
    assert sorted(titles(client.get("/2024/"))) == ["August story", "March story"]
    assert titles(client.get("/2024/08/")) == ["August story"]
    assert titles(client.get("/2024/08/01/")) == ["August story"]
    assert client.get("/2024/08/02/").status_code == 404
    assert client.get("/2023/").status_code == 404
    assert client.get("/2024/13/").status_code == 404


def test_pagination_pages_and_edges(client, settings, article_factory):
    article_factory.create_batch(12)
    first = client.get("/")
    assert len(first.context["articles"]) == settings.NEWSROOM_PAGE_SIZE
    assert b'rel="next" href="?page=2"' in first.content
    second = client.get("/?page=2")
    assert len(second.context["articles"]) == 12 - settings.NEWSROOM_PAGE_SIZE
    assert client.get("/?page=last").status_code == 200


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "99999999999999999999", "%00"])
def test_out_of_range_or_junk_page_is_404(client, article_factory, page):
    article_factory.create_batch(12)
    assert client.get(f"/?page={page}").status_code == 404


def test_search_finds_by_title_and_body(client, article_factory):
    article_factory(title="Drought hits olive growers", body="<p>Andalusia is dry.</p>")
    article_factory(title="Other", body="<p>The olive harvest was small.</p>")
    article_factory(title="Unrelated", body="<p>Nothing here.</p>")
    response = client.get("/search/", {"q": "olive"})
    assert response.status_code == 200
    assert titles(response)[0] == "Drought hits olive growers"
    assert set(titles(response)) == {"Drought hits olive growers", "Other"}
    assert b"<mark>" in response.content


def test_search_never_shows_unpublished_articles(client, hidden):
    assert titles(client.get("/search/", {"q": "story"})) == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "\x00", "'\"", "a" * 5000, "<script>alert(1)</script>", "%", "_", "!!!", "& | !"],
)
def test_odd_search_queries_do_not_fail(client, live, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_long_query_is_shortened_with_a_notice(client, live):
    response = client.get("/search/", {"q": "word " * 1000})
    assert response.context["query_shortened"]
    assert len(response.context["query"]) <= 200


def parse_feed(response):
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)


def test_rss_feed_lists_published_articles(client, live, hidden):
    root = parse_feed(client.get("/feed/"))
    assert [item.findtext("title") for item in root.iter("item")] == ["Live story"]


def test_atom_feed_lists_published_articles(client, live, hidden):
    root = parse_feed(client.get("/feed/atom/"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)] == [
        "Live story"
    ]


def test_section_feeds_list_their_articles(
    client, article_factory, category_factory, source_factory
):
    category = category_factory(name="Science")
    source = source_factory(name="Meridian Review")
    article = article_factory(title="In all", categories=[category], tags=["lab"], source=source)
    article_factory(title="Elsewhere")
    for url in (
        f"{category.get_absolute_url()}feed/",
        "/tag/lab/feed/",
        f"{source.get_absolute_url()}feed/",
        f"{article.author.get_absolute_url()}feed/",
    ):
        root = parse_feed(client.get(url))
        assert [item.findtext("title") for item in root.iter("item")] == ["In all"], url


def test_feed_for_unknown_section_is_404(client):
    assert client.get("/category/nope/feed/").status_code == 404


def test_sitemap_lists_permalinks_with_last_modified(client, live, hidden):
    index = parse_feed(client.get("/sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert any("sitemap-articles.xml" in loc.text for loc in index.iterfind(".//s:loc", ns))
    root = parse_feed(client.get("/sitemap-articles.xml"))
    urls = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert urls == [f"http://testserver{live.get_absolute_url()}"]
    assert root.find("s:url/s:lastmod", ns) is not None


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert b"Sitemap: http://testserver/sitemap.xml" in response.content


def test_sidebar_shows_categories_tags_sources_and_archives(
    client, article_factory, category_factory, source_factory
):
    article_factory(
        categories=[category_factory(name="Economics")],
        tags=["energy"],
        source=source_factory(name="Field & Market"),
    )
    html = client.get("/").content.decode()
    assert 'Economics</a> <span class="count">(1)</span>' in html
    assert ">energy<" in html
    assert "Field &amp; Market</a>" in html
    assert timezone.now().strftime("%B %Y") in html


def test_sidebar_updates_when_an_article_is_published(client, article_factory):
    draft = article_factory(title="Soon public", status=Article.Status.DRAFT)
    assert b"Soon public" not in client.get("/").content
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert (
        b"Soon public" in client.get("/tag/x/").content or b"Soon public" in client.get("/").content
    )
