"""Importing excerpts of real blogs' WordPress exports (tests/wxr/real/, see its
README): what a site owner moving that blog would check — the counts in the
import table, dates in UTC, videos as players, images left on the old host,
every address answering, and a second run changing nothing."""

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError
from PIL import Image

from articles.models import Article
from comments.models import Comment
from tests.imported import reported_about, run_import, table_row, wp_article, wp_comment
from wordpress.models import ImportedItem

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parent / "wxr" / "real"
ALEXRIO = REAL / "alexrio-fr.xml"  # self-hosted WordPress 3.5.1, Paris time, French
CODEAWESOME = REAL / "codeaweso-me.xml"  # self-hosted WordPress 3.8.1, Pacific time
ICHTHYOSAURS = REAL / "ichthyosaurs-wordpress-com.xml"  # a WordPress.com blog
EXPORTS = [ALEXRIO, CODEAWESOME, ICHTHYOSAURS]


def players(html: str) -> list[str]:
    return re.findall(r'<iframe src="([^"]*)"', html)


def old_links(export: Path) -> list[str]:
    """The old addresses of the export's published posts."""
    text = export.read_text(encoding="utf-8")
    return [
        urlsplit(re.search(r"<link>([^<]*)</link>", item)[1]).path
        for item in re.findall(r"<item>.*?</item>", text, re.S)
        if re.search(r"<wp:post_type>(?:<!\[CDATA\[)?post\b", item)
        and re.search(r"<wp:status>(?:<!\[CDATA\[)?publish\b", item)
    ]


# -- The import table ------------------------------------------------------------


def test_a_french_blog_on_paris_time_is_counted_kind_by_kind():
    report = run_import(ALEXRIO)
    assert table_row(report, "authors") == (1, 0, 0, 0)
    assert table_row(report, "categories") == (10, 0, 0, 0)
    assert table_row(report, "posts") == (5, 0, 0, 0)
    assert table_row(report, "comments") == (16, 0, 0, 0)
    assert table_row(report, "menu items") == (0, 0, 0, 1)
    # Its old links are already Newsroom's: /2011/01/03/<slug>/ on the same day.
    assert table_row(report, "redirects") == (0, 0, 0, 0)


def test_a_blog_on_pacific_time_is_counted_kind_by_kind():
    report = run_import(CODEAWESOME)
    assert table_row(report, "categories") == (27, 0, 0, 0)
    assert table_row(report, "tags") == (11, 0, 0, 0)
    assert table_row(report, "posts") == (5, 0, 0, 0)  # one a draft
    assert table_row(report, "attachments") == (3, 0, 0, 0)
    assert table_row(report, "comments") == (11, 0, 0, 0)
    # /2008/12/<slug>/ (no day) → the article's address, for the 4 published posts.
    assert table_row(report, "redirects") == (4, 0, 0, 0)


def test_a_wordpress_com_blog_is_counted_kind_by_kind():
    report = run_import(ICHTHYOSAURS)
    assert table_row(report, "authors") == (2, 0, 0, 0)
    assert table_row(report, "categories") == (21, 0, 0, 0)
    assert table_row(report, "tags") == (7, 0, 0, 0)
    assert table_row(report, "posts") == (5, 0, 0, 0)
    assert table_row(report, "attachments") == (8, 0, 0, 0)
    assert table_row(report, "comments") == (8, 0, 0, 0)  # one on the About page, imported with it
    assert table_row(report, "menu items") == (0, 0, 0, 1)


@pytest.mark.parametrize(("export", "pages"), [(ALEXRIO, 2), (CODEAWESOME, 2), (ICHTHYOSAURS, 1)])
def test_every_page_is_counted_in_the_table(export, pages):
    assert sum(table_row(run_import(export), "pages")) == pages


@pytest.mark.parametrize("export", EXPORTS)
def test_a_second_import_changes_nothing(export):
    run_import(export)
    counts = (Article.objects.count(), Comment.objects.count(), ImportedItem.objects.count())
    again = run_import(export)
    created, updated, _, _ = table_row(again, "total")
    assert (created, updated) == (0, 0)
    assert (Article.objects.count(), Comment.objects.count(), ImportedItem.objects.count()) == (
        counts
    )


def test_the_report_file_is_the_same_table_in_markdown(tmp_path):
    run_import(CODEAWESOME, "--report", tmp_path / "import.md")
    markdown = (tmp_path / "import.md").read_text(encoding="utf-8")
    assert markdown.startswith("# WordPress import of codeaweso-me.xml (WXR 1.2)\n")
    assert "| | created | updated | unchanged | skipped |" in markdown
    assert "| posts | 5 | 0 | 0 | 0 |" in markdown
    assert (
        "### Post 320 “Processing, week 4: Case-Shiller Home Price Indices” — "
        "<https://codeaweso.me/2009/04/processing-week-4-case-shiller-home-price-indices/>\n\n"
        "- 2 in-body images still point at the old site (no --media-dir given)\n"
    ) in markdown


# -- Dates, threads, bodies ------------------------------------------------------


def test_dates_are_kept_in_utc_whatever_the_blogs_zone():
    run_import(ALEXRIO)
    run_import(CODEAWESOME)
    # 17:56 in Paris in winter; 12:41 in Seattle.
    assert wp_article(22).publish_at == datetime(2011, 1, 3, 16, 56, 45, tzinfo=UTC)
    assert wp_article(64).publish_at == datetime(2008, 12, 18, 20, 41, 45, tzinfo=UTC)


def test_a_post_written_in_the_evening_in_seattle_is_filed_under_the_next_utc_day(client):
    report = run_import(CODEAWESOME)
    article = wp_article(2948)  # 2012-06-03 20:25 in Seattle
    assert article.get_absolute_url().startswith("/2012/06/04/")
    assert "UTC-08:00" in report
    response = client.get("/2012/06/more-incomplete-thoughts-on-git/")
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_replies_stay_threaded_and_approved():
    run_import(ALEXRIO)
    on_the_casio_post = Comment.objects.filter(article=wp_article(95))
    assert on_the_casio_post.count() == 9
    assert on_the_casio_post.filter(parent__isnull=False).count() == 4
    assert set(on_the_casio_post.values_list("status", flat=True)) == {Comment.Status.APPROVED}
    assert Comment.objects.filter(parent__isnull=False).count() == 7


def test_a_draft_stays_out_of_the_readers_site():
    run_import(CODEAWESOME)
    assert wp_article(38).status == Article.Status.DRAFT
    assert Article.objects.published().count() == 4


def test_a_wordpress_com_comment_by_the_blogger_is_credited_to_their_account():
    report = run_import(ICHTHYOSAURS)
    assert "1 comment credited to the account with the commenter's email" in report
    credited = Comment.objects.exclude(user=None).get()
    assert credited.user.email == credited.author_email


# -- Videos ----------------------------------------------------------------------


def test_youtube_flash_code_inside_a_link_becomes_one_player():
    run_import(ALEXRIO)
    body = wp_article(7).body
    assert players(body) == ["https://www.youtube-nocookie.com/embed/I6IQ_FOCE6I"]
    assert "<object" not in body
    assert not re.search(r"<a [^>]*>\s*</a>", body)  # no empty link left behind
    assert "<figure><figure>" not in body.replace("\n", "")


def test_youtube_flash_code_alone_becomes_a_player():
    run_import(ALEXRIO)
    assert players(wp_article(104).body) == ["https://www.youtube-nocookie.com/embed/EqQuihD0hoI"]


def test_a_youtube_address_in_a_comment_stays_text_as_on_wordpress():
    run_import(CODEAWESOME)
    comment = wp_comment(2949)  # WordPress shows no players in comments either
    assert "http://www.youtube.com/watch?v=ZDR433b0HJY" in comment.body
    assert "<iframe" not in comment.body


def test_a_wordpress_com_youtube_shortcode_becomes_a_player():
    run_import(ICHTHYOSAURS)
    body = wp_article(131).body
    assert players(body) == ["https://www.youtube-nocookie.com/embed/WwOI7zILBX8"]
    assert "[youtube" not in body


# -- Images ----------------------------------------------------------------------


def test_images_on_the_old_host_are_counted_and_named_by_post():
    report = run_import(ICHTHYOSAURS)
    assert table_row(report, "media") == (0, 0, 0, 9)
    assert "9 in-body images in 3 posts still point at the old site" in report
    assert reported_about(report, "Who’s useless at writing a blog: I am!") == [
        "4 in-body images still point at the old site (no --media-dir given)"
    ]
    featured = reported_about(report, "Ichthyosaurs: what are they?")[0]
    assert featured.startswith("featured image https://ichthyosaurs.files.wordpress.com/2011/11/")


def test_images_are_copied_from_a_copy_of_the_uploads_folder(tmp_path):
    # Stand-ins for the three screenshots of the Samba tutorial (the export
    # links their 300-pixel variants; the uploads folder has the originals).
    uploads = tmp_path / "uploads" / "2011" / "01"
    uploads.mkdir(parents=True)
    for shade, name in enumerate(("tuto-1.png", "tuto2.png", "tuto-3.png")):
        # Different pictures: the media library stores identical files once.
        Image.new("RGB", (30, 30), (90 + shade, 90, 90)).save(uploads / name)
    report = run_import(ALEXRIO, "--media-dir", tmp_path / "uploads")
    # The Partenariat page's image is not in this copy of the uploads: skipped.
    assert table_row(report, "media") == (3, 0, 0, 1)
    sources = re.findall(r'<img [^>]*src="([^"]*)"', wp_article(22).body)
    assert sources == [
        "/media/images/2011/01/tuto-1.png",
        "/media/images/2011/01/tuto2.png",
        "/media/images/2011/01/tuto-3.png",
    ]


def test_an_image_a_browser_extension_left_in_a_post_is_not_kept():
    run_import(ALEXRIO)
    assert "chrome://" not in wp_article(134).body


# -- Addresses -------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTS)
def test_every_imported_address_answers_at_once_or_after_one_redirect(client, export):
    run_import(export)
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200
    for path in old_links(export):
        response = client.get(path)
        if response.status_code == 301:
            response = client.get(response["Location"])
        assert response.status_code == 200, path


def test_a_report_file_in_a_missing_folder_is_refused_before_importing(tmp_path):
    with pytest.raises(CommandError, match=r"--report .*: no such folder"):
        run_import(CODEAWESOME, "--report", tmp_path / "nope" / "import.md")
    assert not Article.objects.exclude(path="privacy").exists()  # the privacy page: 0008
