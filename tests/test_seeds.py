from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Category, Source
from articles.seeds import SeedError, parse_seed
from comments.models import Comment
from newsroom.models import SiteSettings

pytestmark = pytest.mark.django_db

SEED_TITLE = "Iraq boosts security on Syrian border after US proxies free hundreds of ISIS fighters"

VALID = """Site

Tagline

A title

Northern Dispatch | March 5, 2024

First paragraph.

Second paragraph.

March 6, 2024 - Posted by | Maria Kostas | Economics, Europe | energy, coal

No comments yet.

Leave a comment
"""


def load(*paths):
    out, err = StringIO(), StringIO()
    try:
        call_command("load_seeds", *map(str, paths), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error)
    return out.getvalue(), err.getvalue()


def test_seed_article_is_loaded_field_by_field(seed_path):
    load(seed_path)
    article = Article.objects.posts().get()
    assert article.title == SEED_TITLE
    assert article.source.name == "The Cradle"
    assert article.source_published_on == date(2024, 8, 1)
    assert timezone.localtime(article.publish_at).date() == date(2024, 8, 1)
    assert article.author.get_display_name() == "Aletho News"
    assert article.status == Article.Status.PUBLISHED
    assert article.body.count("<p>") == 11
    assert article.body.startswith("<p>The Iraqi armed forces have increased security")
    assert article.body.endswith("an ISIS “army in waiting.”</p>")
    assert list(article.categories.all()) == []
    assert list(article.tags.all()) == []


def test_seed_boilerplate_stays_out_of_the_body(seed_path):
    load(seed_path)
    body = Article.objects.posts().get().body
    for boilerplate in (
        "No comments yet",
        "Leave a comment",
        "Akismet",
        "Posted by",
        "The Cradle |",
    ):
        assert boilerplate not in body


def test_seed_names_the_site(seed_path):
    load(seed_path)
    site = SiteSettings.load()
    assert (site.name, site.tagline) == ("Aletho News", "ΑΛΗΘΩΣ")


def test_seed_does_not_overwrite_a_site_name_an_admin_chose(seed_path):
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "My Paper", "tagline": "Daily"})
    load(seed_path)
    assert SiteSettings.load().name == "My Paper"


def test_loading_twice_changes_and_duplicates_nothing(seed_path):
    load(seed_path)
    first = Article.objects.posts().get()
    out, _ = load(seed_path)
    assert "0 created, 0 updated, 1 unchanged" in out
    again = Article.objects.posts().get()
    assert again.updated_at == first.updated_at
    assert Source.objects.count() == 1


def test_project_seeds_load_with_categories_and_tags():
    out, err = load()
    assert err == ""
    assert Article.objects.posts().count() >= 6
    assert Category.objects.exists()
    assert Article.objects.filter(tags__isnull=False).exists()


def test_seed_with_categories_and_tags(tmp_path):
    (tmp_path / "a.txt").write_text(VALID, encoding="utf-8")
    load(tmp_path / "a.txt")
    article = Article.objects.posts().get()
    assert sorted(c.name for c in article.categories.all()) == ["Economics", "Europe"]
    assert sorted(article.tags.names()) == ["coal", "energy"]
    assert article.source_published_on == date(2024, 3, 5)
    assert timezone.localtime(article.publish_at).date() == date(2024, 3, 6)


def test_windows_line_endings_nbsp_and_no_final_newline_are_read():
    text = VALID.replace("\n", "\r\n").replace(
        "Northern Dispatch |", "Northern\u00a0Dispatch\u00a0|"
    )
    document = parse_seed(text.rstrip())
    assert document.credit.name == "Northern Dispatch"
    assert document.paragraphs == ["First paragraph.", "Second paragraph."]


def test_seed_without_a_source_line_has_no_source():
    document = parse_seed(VALID.replace("Northern Dispatch | March 5, 2024\n\n", ""))
    assert document.credit is None
    assert document.paragraphs == ["First paragraph.", "Second paragraph."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("Site\n\nTagline\n\nTitle\n\nBody\n", "no 'Posted by' line"),
        (VALID.replace("March 6, 2024 - Posted", "Someday - Posted"), "no readable date"),
        (VALID.replace("| Maria Kostas |", "|  |"), "names no author"),
        ("Site\n\nTitle\n\nMarch 6, 2024 - Posted by | A | |\n", "at least one body paragraph"),
    ],
)
def test_malformed_seed_is_refused_with_a_reason(text, message):
    with pytest.raises(SeedError, match=message):
        parse_seed(text)


def test_malformed_file_is_named_and_the_others_still_load(tmp_path):
    (tmp_path / "1_good.txt").write_text(VALID, encoding="utf-8")
    (tmp_path / "2_broken.txt").write_text("Just a line\n", encoding="utf-8")
    (tmp_path / "3_binary.txt").write_bytes(b"\xff\xfe\x00garbage")
    out, err = load(tmp_path)
    assert Article.objects.posts().count() == 1
    assert "2_broken.txt: no 'Posted by' line" in err
    assert "3_binary.txt: not UTF-8 text" in err
    assert "2 of 3 seed files could not be loaded" in err


def test_missing_path_is_a_clear_error(tmp_path):
    _, err = load(tmp_path / "nope.txt")
    assert "no such file or folder" in err


# -- Real Aletho News shapes (tests/data/seeds/, see its README) -----------------

REAL_SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
BYLINE_PAGE = REAL_SEEDS / "alethonews-2023-01-05-byline.txt"
RESPONSES = REAL_SEEDS / "alethonews-2022-08-18-responses.txt"


def page_with_responses(tmp_path, responses: str) -> Path:
    """The byline page with a comment section under it."""
    path = tmp_path / "with-responses.txt"
    path.write_text(BYLINE_PAGE.read_text(encoding="utf-8") + "\n" + responses, encoding="utf-8")
    return path


def test_a_byline_credits_the_source_and_keeps_the_writer():
    load(BYLINE_PAGE)
    article = Article.objects.posts().get()
    assert article.source.name == "Reclaim The Net"
    assert article.source_published_on == date(2023, 1, 5)
    assert article.body.startswith("<p>By Christina Maas</p>\n<p>Germany’s Minister for Digital")
    assert "Reclaim The Net |" not in article.body


def test_a_byline_in_capitals_is_read_too():
    document = parse_seed(
        VALID.replace(
            "Northern Dispatch | March 5, 2024",
            "BY DR GARY SIDLEY | THE DAILY SCEPTIC | JANUARY 17, 2024",
        )
    )
    assert (document.credit.name, document.credit.author) == ("THE DAILY SCEPTIC", "DR GARY SIDLEY")
    assert document.credit.published_on == date(2024, 1, 17)


def test_a_wordpress_com_posted_by_line_without_an_author_files_the_categories():
    load(BYLINE_PAGE)
    article = Article.objects.posts().get()
    assert sorted(c.name for c in article.categories.all()) == [
        "Civil Liberties",
        "Full Spectrum Dominance",
    ]
    assert article.author.get_display_name() == "Aletho News"  # the site's name stands in
    assert list(article.tags.all()) == []


def test_a_posted_by_line_naming_the_author_is_read():
    document = parse_seed(
        VALID.replace(
            "March 6, 2024 - Posted by | Maria Kostas | Economics, Europe | energy, coal",
            "January 27, 2024 Posted by aletho | Timeless or most popular, Video | "
            "European Union, United States | Leave a comment",
        )
    )
    assert document.author_name == "aletho"
    assert document.categories == ["Timeless or most popular", "Video"]
    assert document.tags == ["European Union", "United States"]


def test_responses_are_loaded_as_approved_comments_in_page_order(tmp_path):
    load(page_with_responses(tmp_path, RESPONSES.read_text(encoding="utf-8")))
    article = Article.objects.posts().get()
    comments = list(Comment.objects.filter(article=article).order_by("pk"))
    assert [c.author_name for c in comments] == ["Victor G.", "Bill Francis"]
    assert {c.status for c in comments} == {Comment.Status.APPROVED}
    assert {c.parent_id for c in comments} == {None}
    assert comments[0].body.startswith("“Britain appears to be turning into Italy … ” Maybe")
    assert comments[0].body.endswith("unless you’re indulging in your prejudices.")
    assert comments[1].body.endswith("But, hey, that’s ‘democracy’!")
    assert timezone.localtime(comments[0].created_at).date() == date(2022, 8, 18)
    assert "Leave a Reply" not in article.body


def test_loaded_responses_show_on_the_post_page(tmp_path, client):
    load(page_with_responses(tmp_path, RESPONSES.read_text(encoding="utf-8")))
    html = client.get(Article.objects.posts().get().get_absolute_url()).content.decode()
    assert "Victor G." in html
    assert "perfidious Albion" in html


def test_loading_responses_twice_duplicates_none(tmp_path):
    path = page_with_responses(tmp_path, RESPONSES.read_text(encoding="utf-8"))
    load(path)
    out, err = load(path)
    assert err == ""
    assert "comments 0 created, 2 unchanged" in out
    assert Comment.objects.count() == 2


THREAD = """3 Responses to “A title”

A first comment.

Comment by Ann | March 7, 2024 at 9:15 am | Reply

    A reply to Ann,
    over two lines.

    Comment by aletho | March 7, 2024 | Reply

A second comment.

Comment by Ben | March 8, 2024 | Reply

Leave a Reply
"""


def test_an_indented_response_is_a_reply_to_the_one_above(tmp_path):
    (tmp_path / "thread.txt").write_text(VALID.replace("No comments yet.\n", THREAD), "utf-8")
    load(tmp_path / "thread.txt")
    ann, reply, ben = (Comment.objects.get(author_name=n) for n in ("Ann", "aletho", "Ben"))
    assert reply.parent == ann
    assert reply.body == "A reply to Ann, over two lines."
    assert (ann.parent, ben.parent) == (None, None)
    assert timezone.localtime(ann.created_at).time().isoformat() == "09:15:00"


def test_a_response_count_that_does_not_match_names_the_line(tmp_path):
    text = VALID.replace("No comments yet.\n", THREAD.replace("3 Responses", "4 Responses"))
    (tmp_path / "count.txt").write_text(text, "utf-8")
    _, err = load(tmp_path / "count.txt")
    line = text.splitlines().index("4 Responses to “A title”") + 1
    assert f"count.txt:{line}: the page says '4 Responses to “A title”' but 3 responses" in err
    assert not Article.objects.posts().exists()  # the file goes in whole or not at all
    assert not Comment.objects.exists()


def test_response_text_without_its_comment_by_line_names_the_line(tmp_path):
    text = VALID.replace("No comments yet.\n", "1 Response to “A title”\n\nOrphan text.\n")
    (tmp_path / "orphan.txt").write_text(text, "utf-8")
    _, err = load(tmp_path / "orphan.txt")
    line = text.splitlines().index("Orphan text.") + 1
    assert f"orphan.txt:{line}: this text under the responses is not followed by" in err


def test_an_indented_paragraph_is_a_quotation():
    text = VALID.replace(
        "Second paragraph.", "    “Quoted words,\n    said twice.”\n\nSecond paragraph."
    )
    document = parse_seed(text)
    assert document.body_html == (
        "<p>First paragraph.</p>\n"
        "<blockquote><p>“Quoted words, said twice.”</p></blockquote>\n"
        "<p>Second paragraph.</p>"
    )


def test_bare_web_addresses_become_links_and_nothing_else_does():
    text = VALID.replace(
        "Second paragraph.",
        "Full report: https://example.org/report?id=3&x=1. Also javascript:alert(1) and ftp://x.example",
    )
    html = parse_seed(text).body_html
    assert (
        '<a href="https://example.org/report?id=3&amp;x=1">https://example.org/report?id=3&amp;x=1</a>.'
        in html
    )
    assert html.count("<a ") == 1
