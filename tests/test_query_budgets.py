"""Pages run a fixed number of queries, whatever is on them (taggit-style budgets)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import WireItemFactory
from wire.models import FeedState

pytestmark = pytest.mark.django_db

POST_PAGE_BUDGET = 10
# A page (``/about/team/``): its row, the sidebar and the comment thread from
# their fragments (measured: 0); one to spare.
PAGE_BUDGET = 1


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """Budgets are for rendering a page (fragments cached, as in production),
    not for serving the whole page from the page cache."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def no_fragment_cache(settings):
    """Render every part each time, so growth in any part would show."""
    settings.NEWSROOM_FRAGMENT_CACHE = False


LISTING_BUDGET = 8


def queries_for(client, url) -> int:
    # Warm the caches a live site has warm (site settings, sidebar, fragments).
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def build(article_factory, category_factory, source_factory):
    """A site of ``size`` articles sharing one source, ``size`` tags and categories each."""

    def build(size: int):
        source = source_factory(name=f"Source {size}")
        categories = [category_factory(name=f"Cat {size}-{i}") for i in range(size)]
        tags = [f"tag-{size}-{i}" for i in range(size)]
        articles = [
            article_factory(source=source, categories=categories, tags=tags) for _ in range(size)
        ]
        return articles, categories[0], tags[0], source

    return build


@pytest.mark.parametrize("size", [1, 30])
def test_post_page_query_count_is_constant(client, build, size):
    articles, *_ = build(size)
    assert queries_for(client, articles[0].get_absolute_url()) <= POST_PAGE_BUDGET


def test_a_post_page_whose_fragments_are_warm_runs_no_query(client, build, comment_factory):
    articles, *_ = build(3)
    comment_factory(article=articles[0])
    assert queries_for(client, articles[0].get_absolute_url()) == 0


def test_a_home_page_whose_cards_are_warm_runs_no_query(client, build):
    build(3)
    assert queries_for(client, "/") == 0


def test_a_category_page_whose_cards_are_warm_reads_only_the_category_tree(client, build):
    _, category, *_ = build(3)
    # Which categories are inside it (its articles are those filed in any).
    assert queries_for(client, category.get_absolute_url()) == 1


@pytest.mark.parametrize("listing", ["tag", "source"])
def test_a_tag_or_source_page_whose_cards_are_warm_runs_no_query(client, build, listing):
    _, _, tag, source = build(3)
    url = f"/tag/{tag}/" if listing == "tag" else source.get_absolute_url()
    assert queries_for(client, url) == 0


def test_post_page_costs_the_same_with_1_or_30_tags_and_categories(
    client, build, no_fragment_cache
):
    small, *_ = build(1)
    large, *_ = build(30)
    assert queries_for(client, small[0].get_absolute_url()) == queries_for(
        client, large[0].get_absolute_url()
    )


@pytest.mark.parametrize("size", [1, 30])
def test_page_query_count_is_constant(client, page_factory, comment_factory, size):
    about = page_factory(slug="about")
    team = page_factory(slug="team", parent=about)
    for _ in range(size):
        comment_factory(article=team)
    assert queries_for(client, "/about/team/") <= PAGE_BUDGET


def test_a_page_whose_fragments_are_warm_runs_no_query(client, page_factory, comment_factory):
    about = page_factory(slug="about")
    comment_factory(article=about)
    assert queries_for(client, "/about/") == 0


def test_page_costs_the_same_with_1_or_30_comments(
    client, page_factory, comment_factory, no_fragment_cache
):
    small, large = page_factory(slug="small"), page_factory(slug="large")
    comment_factory(article=small)
    for _ in range(30):
        comment_factory(article=large)
    assert queries_for(client, "/small/") == queries_for(client, "/large/")


def listing_urls(articles, category, tag, source):
    article = articles[0]
    local = article.publish_at
    return [
        "/",
        category.get_absolute_url(),
        f"/tag/{tag}/",
        source.get_absolute_url(),
        article.author.get_absolute_url(),
        f"/{local:%Y}/",
        f"/{local:%Y/%m}/",
        f"/{local:%Y/%m/%d}/",
        "/search/?q=body",
        "/feed/",
    ]


@pytest.mark.parametrize("size", [1, 30])
def test_every_listing_stays_within_budget(client, build, size):
    for url in listing_urls(*build(size)):
        assert queries_for(client, url) <= LISTING_BUDGET, url


def test_listings_cost_the_same_with_1_or_30_articles_on_the_page(
    client, settings, build, no_fragment_cache
):
    settings.NEWSROOM_PAGE_SIZE = 50
    small = [queries_for(client, url) for url in listing_urls(*build(1))]
    large = [queries_for(client, url) for url in listing_urls(*build(30))]
    assert small == large


def add_threads(article, comment_factory, count: int) -> None:
    """``count`` approved comments: threads of a comment and replies two deep."""
    made = 0
    while made < count:
        top = comment_factory(article=article)
        made += 1
        parent = top
        for _ in range(min(2, count - made)):
            parent = comment_factory(article=article, parent=parent)
            made += 1


@pytest.mark.parametrize("comments", [0, 1, 50, 200])
def test_post_page_costs_the_same_at_any_number_of_comments(
    client, article_factory, comment_factory, comments, settings
):
    baseline_article = article_factory(tags=["t"])
    article = article_factory(tags=["t"])
    add_threads(article, comment_factory, comments)
    assert queries_for(client, article.get_absolute_url()) <= POST_PAGE_BUDGET
    settings.NEWSROOM_FRAGMENT_CACHE = False
    expected = queries_for(client, baseline_article.get_absolute_url())
    assert queries_for(client, article.get_absolute_url()) == expected


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/admin/articles/article/", lambda f, n: f["article"].create_batch(n, tags=["a", "b"])),
        ("/admin/comments/comment/?status=all", lambda f, n: f["comment"].create_batch(n)),
        (
            "/admin/articles/source/",
            lambda f, n: [f["article"](source=f["source"]()) for _ in range(n)],
        ),
        (
            "/admin/articles/category/",
            lambda f, n: [f["article"](categories=[f["category"]()]) for _ in range(n)],
        ),
        # Every other item's link was reposted already (the column links the article).
        (
            "/admin/wire/wireitem/?state=all",
            lambda f, n: [
                f["article"](source_url=WireItemFactory().link) if i % 2 else WireItemFactory()
                for i in range(n)
            ],
        ),
        (
            "/admin/articles/source/",
            lambda f, n: [
                FeedState.objects.create(source=f["source"](feed_url="https://s.example/feed"))
                for _ in range(n)
            ],
        ),
    ],
)
def test_admin_changelists_cost_the_same_at_5_and_30_rows(
    client,
    admin_user,
    article_factory,
    comment_factory,
    source_factory,
    category_factory,
    url,
    make,
):
    factories = {
        "article": article_factory,
        "comment": comment_factory,
        "source": source_factory,
        "category": category_factory,
    }
    client.force_login(admin_user)
    make(factories, 5)
    small = queries_for(client, url)
    make(factories, 25)
    assert queries_for(client, url) == small
