"""``import_wordpress``, the reading side (issue 14): files strict XML refuses
but WordPress reads, exports without post IDs, the blog's time zone, and
commenters known only by their email. Fixtures in ``tests/wxr/``."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from taggit.models import Tag

from articles.models import Article, Category
from comments.models import Comment
from tests.imported import run_import, table_row, wp_article, wp_comment
from wordpress.models import ImportedItem, OldLink

pytestmark = pytest.mark.django_db

WXR = Path(__file__).resolve().parent / "wxr"
WPCOM_ATOM = WXR / "wpcom-2012-undeclared-atom.xml"
NO_POST_IDS = WXR / "no-post-ids.xml"
UTC8_BLOG = WXR / "utc8-blog.xml"


def written() -> dict[str, int]:
    return {
        "articles": Article.objects.posts().count(),
        "users": get_user_model().objects.count(),
        "categories": Category.objects.count(),
        "comments": Comment.objects.count(),
        "items": ImportedItem.objects.count(),
        "old links": OldLink.objects.count(),
    }


def edited(tmp_path, source: Path, old: str, new: str, count: int = -1) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, count), encoding="utf-8")
    return copy


# -- Lenient reading (case 5) -------------------------------------------------------


def test_export_using_the_atom_prefix_undeclared_imports_every_post_and_comment():
    output = run_import(WPCOM_ATOM)
    assert Article.objects.posts().count() == 2
    assert wp_comment(40).body == "My boots say it came up to the third."
    assert wp_article(12).categories.get().slug == "tides"
    assert "the file uses atom: without declaring it" in output


def test_export_using_wordpress_prefixes_undeclared_imports(tmp_path):
    # Even wp: and content: undeclared: WordPress reads it, so does the import.
    export = edited(
        tmp_path,
        WPCOM_ATOM,
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
        "",
    )
    export = edited(tmp_path, export, ' xmlns:wp="http://wordpress.org/export/1.2/"', "")
    output = run_import(export)
    assert wp_article(13).body == "<p>Barely a ripple at the slipway.</p>"
    assert "the file uses atom:, content:, wp: without declaring it" in output


def test_export_using_another_prefix_undeclared_imports(tmp_path):
    export = edited(
        tmp_path,
        WPCOM_ATOM,
        "<wp:is_sticky>0</wp:is_sticky>",
        "<wp:is_sticky>0</wp:is_sticky><georss:point>51.5 -0.1</georss:point>",
    )
    output = run_import(export)
    assert Article.objects.posts().count() == 2
    assert "the file uses atom:, georss: without declaring it" in output


def test_export_declaring_every_prefix_reports_nothing_about_namespaces():
    output = run_import(WXR / "newsroom-1.1.xml")
    assert "without declaring" not in output


def test_malformed_export_names_the_line_and_the_fix_and_writes_nothing(tmp_path):
    export = edited(tmp_path, WPCOM_ATOM, "<title>Neap tide</title>", "<title>Neap & tide</title>")
    line = export.read_text().splitlines().index("\t\t<title>Neap & tide</title>") + 1
    with pytest.raises(CommandError) as raised:
        run_import(export)
    message = str(raised.value)
    assert re.search(rf"line {line}, column \d+: not well-formed \(invalid token\)", message)
    assert "write &lt; or &amp;" in message
    assert "Nothing was imported" in message
    assert set(written().values()) == {0}  # not even the author and category before it


def test_html_entity_outside_cdata_is_named_with_its_fix(tmp_path):
    export = edited(
        tmp_path, WPCOM_ATOM, "<title>Neap tide</title>", "<title>Neap&nbsp;tide</title>"
    )
    with pytest.raises(CommandError, match=r"undefined entity — an HTML entity such as &nbsp;"):
        run_import(export)
    assert set(written().values()) == {0}


def test_cut_off_export_says_to_export_again_and_writes_nothing(tmp_path):
    text = WPCOM_ATOM.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<title>Neap tide</title>")], encoding="utf-8")
    with pytest.raises(CommandError, match=r"no element found — the file ends before"):
        run_import(cut)
    assert set(written().values()) == {0}


# -- Exports without wp:post_id (case 4) ---------------------------------------------


def test_items_without_post_ids_import_keyed_by_guid_else_link():
    run_import(NO_POST_IDS)
    keys = set(ImportedItem.objects.filter(kind="post").values_list("wp_id", flat=True))
    assert keys == {
        "guid:http://allotment.example/?p=7",
        "link:http://allotment.example/2009/10/20/first-frost/",
    }
    assert Article.objects.get(slug="first-frost").body == "<p>The dahlias are done for.</p>"


def test_export_without_post_ids_imports_again_without_change():
    run_import(NO_POST_IDS)
    before = written()
    again = run_import(NO_POST_IDS)
    assert written() == before
    assert table_row(again, "posts") == (0, 0, 2, 0)
    assert table_row(again, "comments") == (0, 0, 2, 0)


def test_comment_without_an_id_is_imported_under_its_post():
    run_import(NO_POST_IDS)
    article = Article.objects.get(slug="runner-beans-are-up")
    assert sorted(article.comments.values_list("author_name", flat=True)) == [
        "Neighbour",
        "Passer-by",
    ]


def test_category_given_again_without_a_domain_is_not_doubled():
    run_import(NO_POST_IDS)
    article = Article.objects.get(slug="runner-beans-are-up")
    assert sorted(article.categories.values_list("slug", flat=True)) == ["beans", "weather"]
    assert Category.objects.filter(name="Beans").count() == 1
    assert list(article.tags.names()) == ["Sowing"]
    assert Tag.objects.count() == 1


def test_category_given_only_without_a_domain_is_imported_and_reported():
    output = run_import(NO_POST_IDS)
    assert Article.objects.get(slug="first-frost").categories.get().name == "Weather"
    assert (
        "2 posts name categories with no domain attribute (WXR 1.0): imported as "
        "categories (Weather)" in output
    )


def test_run_that_imports_nothing_from_a_file_with_posts_fails_with_the_reason(tmp_path):
    export = edited(
        tmp_path, WPCOM_ATOM, "<wp:status>publish</wp:status>", "<wp:status>trash</wp:status>"
    )
    export = edited(tmp_path, export, "<wp:author>", "<wp:unused>")
    export = edited(tmp_path, export, "</wp:author>", "</wp:unused>")
    export = edited(tmp_path, export, "<wp:category>", "<wp:unused>", 1)
    export = edited(tmp_path, export, "</wp:category>", "</wp:unused>", 1)
    with pytest.raises(CommandError, match=r"Nothing was imported from .*: none of its 2 posts"):
        run_import(export)


def test_file_with_only_pages_fails_saying_it_holds_no_posts(tmp_path):
    export = edited(
        tmp_path,
        WPCOM_ATOM,
        "<wp:post_type>post</wp:post_type>",
        "<wp:post_type>nav_menu_item</wp:post_type>",
    )
    export = edited(tmp_path, export, "<wp:author>", "<wp:unused>")
    export = edited(tmp_path, export, "</wp:author>", "</wp:unused>")
    export = edited(tmp_path, export, "<wp:category>", "<wp:unused>", 1)
    export = edited(tmp_path, export, "</wp:category>", "</wp:unused>", 1)
    with pytest.raises(CommandError, match=r"it holds no posts \(only 2 nav_menu_item\)"):
        run_import(export)


# -- The blog's time zone (case 6) ----------------------------------------------------


def test_offset_that_differs_from_time_zone_is_warned_with_the_posts_it_moves():
    output = run_import(UTC8_BLOG)
    assert (
        "time zone: the blog's dates are UTC+08:00 (post_date − post_date_gmt), "
        "TIME_ZONE is UTC: 1 of 2 posts are filed under another day than on the blog"
    ) in output


def test_offset_that_matches_time_zone_is_not_warned(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    output = run_import(UTC8_BLOG)
    assert "time zone:" not in output
    assert wp_article(101).get_absolute_url() == "/2013/05/01/longjing/"


def test_posts_keep_their_instant_whatever_the_time_zone():
    run_import(UTC8_BLOG)
    assert wp_article(101).publish_at == datetime(2013, 4, 30, 23, 30, tzinfo=UTC)
    assert wp_article(101).get_absolute_url() == "/2013/04/30/longjing/"


def test_timezone_option_places_a_draft_on_the_blogs_clock():
    run_import(UTC8_BLOG, "--timezone", "Asia/Shanghai")
    assert wp_article(103).publish_at == datetime(2013, 5, 3, 1, 0, tzinfo=UTC)


def test_without_timezone_a_draft_is_placed_in_time_zone():
    run_import(UTC8_BLOG)
    assert wp_article(103).publish_at == datetime(2013, 5, 3, 9, 0, tzinfo=UTC)


def test_timezone_option_that_disagrees_with_the_export_is_reported():
    output = run_import(UTC8_BLOG, "--timezone", "+09:00")
    assert "time zone: --timezone UTC+09:00 does not match 2 of 2 posts" in output


def test_timezone_option_that_is_not_a_zone_is_refused():
    with pytest.raises(CommandError, match="--timezone Mars/Olympus: not a time zone"):
        run_import(UTC8_BLOG, "--timezone", "Mars/Olympus")


@pytest.mark.parametrize("later_zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_old_links_answer_one_redirect_after_time_zone_changes(client, settings, later_zone):
    run_import(UTC8_BLOG)  # under TIME_ZONE = UTC: filed under 2013-04-30
    newsroom_url = wp_article(101).get_absolute_url()
    settings.TIME_ZONE = later_zone
    now_url = wp_article(101).get_absolute_url()
    for old in ("/2013/05/01/longjing/", newsroom_url):  # the blog's link, the first import's
        response = client.get(old)
        if old == now_url:
            assert response.status_code == 200
            continue
        assert response.status_code == 301, old
        assert response["Location"] == now_url
        assert client.get(response["Location"]).status_code == 200


# -- Commenters known by email (case 9) -----------------------------------------------


def test_comment_by_the_owner_is_linked_to_her_account_by_email_in_any_case():
    output = run_import(UTC8_BLOG)
    owner = get_user_model().objects.get(username="meilin")
    assert wp_comment(502).user == owner
    assert "1 comment credited to the account with the commenter's email" in output


def test_visitor_comment_with_the_owners_email_stays_a_visitors():
    run_import(UTC8_BLOG)
    assert wp_comment(503).user is None
    assert wp_comment(501).user is None


def test_comment_with_no_user_id_is_linked_to_an_account_made_here_by_email(
    django_user_model,
):
    existing = django_user_model.objects.create(username="plot9", email="Plot9@Mail.example")
    run_import(NO_POST_IDS)  # its comments carry no wp:comment_user_id at all
    assert Comment.objects.get(author_name="Neighbour").user == existing
    assert Comment.objects.get(author_name="Passer-by").user is None  # no such account
