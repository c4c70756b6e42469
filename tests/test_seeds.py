from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Category, Source
from articles.seeds import SeedError, parse_seed
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
