"""Issue 11, finding 11: an article too big for the search index, and saves
the database refuses, never cost an editor their work."""

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import ARTICLE_BODY_MAX_LENGTH, Article
from articles.search import search
from tests.forms import article_add_form

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search vector is PostgreSQL's"
)


def distinct_words(characters: int) -> str:
    """Text of about ``characters`` characters in which no word repeats, the
    worst case for a tsvector (each word is a lexeme of its own)."""
    words, size, n = [], 0, 0
    while size < characters:
        word = f"w{n:x}q"
        words.append(word)
        size += len(word) + 1
        n += 1
    return " ".join(words)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@on_postgres
def test_an_article_with_a_megabyte_of_distinct_words_saves_and_is_found_by_search(
    editor_client, editor
):
    text = distinct_words(ARTICLE_BODY_MAX_LENGTH - 20_000)
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(editor, title="A very long read", body=f"<p>{text}</p>"),
    )

    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get(slug="a-very-long-read")
    assert search(Article.objects.published(), "w0q").filter(pk=article.pk).exists()


def test_a_body_over_the_limit_is_a_form_error_and_nothing_is_saved(editor_client, editor):
    body = "<p>" + "x" * ARTICLE_BODY_MAX_LENGTH + "</p>"
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(editor, title="A very long read", body=body),
    )

    assert response.status_code == 200
    assert b"Ensure this value has at most" in response.content
    assert not Article.objects.posts().exists()


@pytest.fixture
def database_refuses_a_title():
    """A real database trigger that refuses one title, as a constraint or a
    limit of the database would refuse a row the form let through."""
    if connection.vendor == "postgresql":
        create = [
            """CREATE FUNCTION test_refuse_title() RETURNS trigger AS $$
            BEGIN
                IF NEW.title = 'Refused by the database' THEN
                    RAISE EXCEPTION 'string is too long for tsvector' USING ERRCODE = '54000';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER test_refuse_title BEFORE INSERT OR UPDATE ON articles_article
            FOR EACH ROW EXECUTE FUNCTION test_refuse_title()""",
        ]
        drop = [
            "DROP TRIGGER test_refuse_title ON articles_article",
            "DROP FUNCTION test_refuse_title()",
        ]
    else:
        create = [
            """CREATE TRIGGER test_refuse_title BEFORE INSERT ON articles_article
            WHEN NEW.title = 'Refused by the database'
            BEGIN SELECT RAISE(ABORT, 'string is too long for tsvector'); END"""
        ]
        drop = ["DROP TRIGGER test_refuse_title"]
    with connection.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


@pytest.mark.usefixtures("database_refuses_a_title")
def test_a_save_the_database_refuses_is_shown_as_a_form_error_with_the_editors_text(
    editor_client, editor
):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(editor, title="Refused by the database", body="<p>My precious draft.</p>"),
    )

    assert response.status_code == 200
    assert b"could not be saved: the database refused it" in response.content
    assert b"My precious draft." in response.content  # the editor's text is still there
    assert not Article.objects.posts().exists()


@pytest.mark.usefixtures("database_refuses_a_title")
def test_after_a_refused_save_the_editor_can_save_a_corrected_article(editor_client, editor):
    editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(editor, title="Refused by the database"),
    )
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_add_form(editor, title="Accepted now")
    )

    assert response.status_code == 302
    assert Article.objects.posts().get().title == "Accepted now"
