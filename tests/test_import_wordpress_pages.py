"""``import_wordpress`` brings WordPress pages over as pages: WordPress's theme
unit test export has 21 (three levels deep, Greek slugs, two with comments)."""

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.test import Client

from articles.models import Article, Page
from comments.models import Comment
from tests.imported import (
    THEME_EXPORT,
    import_posts,
    page_xml,
    post_xml,
    reported_about,
    run_import,
    table_row,
)
from wordpress.models import ImportedItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(db):
    """The theme unit test export, imported; returns the command's output."""
    if not THEME_EXPORT.exists():
        pytest.skip(f"WordPress's theme unit test export is not at {THEME_EXPORT}")
    return run_import(THEME_EXPORT)


def wp_page(page_id: int) -> Page:
    item = ImportedItem.objects.get(kind=ImportedItem.Kind.PAGE, wp_id=str(page_id))
    return Page.objects.get(pk=item.object_id)


def test_every_page_of_the_export_becomes_a_page(theme):
    assert Page.objects.exclude(path="privacy").count() == 21  # the site's own privacy page
    assert ImportedItem.objects.filter(kind="page").count() == 21


def test_the_summary_counts_pages_apart_from_posts(theme):
    assert table_row(theme, "posts") == (58, 0, 0, 0)
    assert table_row(theme, "pages") == (21, 0, 0, 0)
    assert table_row(theme, "menu items") == (0, 0, 0, 70)


def old_page_paths() -> dict[str, str]:
    """WordPress page ID → the path of its old address (``<link>``), from the export."""
    wp = "{https://wordpress.org/export/1.2/}"
    paths = {}
    for item in ElementTree.parse(THEME_EXPORT).getroot().iter("item"):
        if item.findtext(f"{wp}post_type") == "page" and item.findtext(f"{wp}status") == "publish":
            # The test client reads "//greek/" as a host: one slash, as browsers send it.
            path = re.sub("/+", "/", urlsplit(item.findtext("link")).path)
            paths[item.findtext(f"{wp}post_id")] = path
    return paths


def test_every_published_page_answers_at_its_old_path(theme):
    client = Client()
    old_paths = old_page_paths()
    assert len(old_paths) == 21
    for wp_id, path in old_paths.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.context["page"] == wp_page(wp_id)


def test_nested_pages_keep_their_old_paths(theme):
    assert wp_page(172).path == "level-1/level-2/level-3"
    assert wp_page(1134).get_absolute_url() == "/about/page-markup-and-formatting/"
    assert wp_page(1813).path == "greek/επίπεδο-2/επίπεδο-3"


def test_a_nested_page_answers_directly_at_its_old_address(theme):
    response = Client().get("/level-1/level-2/level-3/")
    assert response.status_code == 200
    assert b"Level 3" in response.content


def test_a_subpage_has_its_parent_and_menu_order(theme):
    page = wp_page(155)
    assert (page.parent, page.menu_order) == (wp_page(2), 3)


def test_page_comments_are_imported_on_their_page(theme):
    assert Comment.objects.filter(article=wp_page(155)).count() == 4
    assert Comment.objects.filter(article=wp_page(703)).count() == 1
    assert table_row(theme, "comments")[0] == 33


def test_page_comments_are_shown_on_the_page(theme):
    page = wp_page(155)
    comment = Comment.objects.filter(article=page, status="approved").first()
    response = Client().get(page.get_absolute_url())
    assert f'id="comment-{comment.pk}"' in response.content.decode()


def test_pages_stay_out_of_the_post_listings(theme):
    assert not Article.objects.published().filter(kind="page").exists()
    assert Article.objects.published().count() == 55


def test_a_second_import_changes_nothing(theme):
    pages = list(Page.objects.values_list("pk", "path", "updated_at").order_by("pk"))
    again = run_import(THEME_EXPORT)
    assert table_row(again, "pages") == (0, 0, 21, 0)
    assert table_row(again, "comments") == (0, 0, 33, 0)
    assert list(Page.objects.values_list("pk", "path", "updated_at").order_by("pk")) == pages


def test_the_page_id_link_redirects_to_the_page(theme):
    response = Client().get("/?page_id=1134")
    assert response.status_code == 301
    assert response["Location"] == "/about/page-markup-and-formatting/"


def test_the_page_id_link_of_a_draft_page_is_a_404(theme):
    Page.objects.filter(pk=wp_page(2).pk).update(status="draft")
    assert Client().get("/?page_id=2").status_code == 404


def test_the_page_id_link_of_an_unknown_page_is_a_404(theme):
    assert Client().get("/?page_id=999999").status_code == 404


# --- Small exports: what the theme export lacks ------------------------------------


def test_a_page_whose_parent_is_missing_is_imported_at_the_top_level(tmp_path):
    report = import_posts(tmp_path, page_xml(5, "orphan", parent=99, link="/gone/orphan/"))
    assert wp_page(5).path == "orphan"
    assert reported_about(report, "Page 5") == [
        "its parent page 99 is not in the export; imported at the top level"
    ]
    assert Client().get("/gone/orphan/").status_code == 301  # the old address redirects


def test_parents_that_go_round_in_a_circle_are_cut_and_reported(tmp_path):
    report = import_posts(tmp_path, page_xml(5, "a", parent=6), page_xml(6, "b", parent=5))
    assert {wp_page(5).path, wp_page(6).path} in ({"a", "a/b"}, {"b", "b/a"})
    assert "is inside it (a circle)" in report


def test_a_page_at_an_address_newsroom_answers_is_reported(tmp_path):
    report = import_posts(tmp_path, page_xml(5, "search"))
    assert "its address /search/ is answered by Newsroom's articles:search" in " ".join(
        reported_about(report, "Page 5")
    )


def test_a_page_may_share_a_posts_slug_on_import(tmp_path):
    import_posts(tmp_path, post_xml(1, "about", link="/2024/about/"), page_xml(5, "about"))
    assert Client().get("/about/").context["page"] == wp_page(5)


def test_a_page_at_a_posts_old_address_is_reported(tmp_path):
    report = import_posts(tmp_path, post_xml(1, "about"), page_xml(5, "about"))
    assert "answers /about/, the old address of article" in " ".join(
        reported_about(report, "Page 5")
    )
