"""Every writer of articles goes through ``articles.services``, and readers see
its change at once, with the page cache and the fragment cache on.

The tests commit for real (``transaction=True``): what runs after commit
(renditions, cache refreshes) runs as in production. Run them with
``REDIS_URL=redis://…`` too: the caches are then Redis, as on a live site.
"""

from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles import html
from articles.models import Article
from articles.seeds import load_seed, parse_seed
from articles.services import article_save
from tests.forms import article_add_form

pytestmark = pytest.mark.django_db(transaction=True)

SEED = """Site

Tagline

A seeded story

Northern Dispatch | March 5, 2024

First paragraph.

Second paragraph.

March 6, 2024 - Posted by | Maria Kostas | Economics | energy, coal
"""


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.NEWSROOM_FRAGMENT_CACHE = True
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def sanitisations(monkeypatch):
    """Each body ``sanitize_html`` cleaned, wherever it was called from."""
    calls = []
    cleaner = html._cleaner

    class CountingCleaner:
        def clean(self, text):
            calls.append(text)
            return cleaner.clean(text)

    monkeypatch.setattr(html, "_cleaner", CountingCleaner())
    return calls


def page(url: str) -> str:
    """The page as an anonymous reader gets it (from the cache when it is there)."""
    return Client().get(url).content.decode()


def in_cache(*urls: str) -> None:
    for url in urls:
        Client().get(url)
        assert Client().get(url)["X-Cache"] == "HIT", url


def jpeg(width=2000, height=1000) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (30, 90, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def change_form(client, article, **fields) -> dict:
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "all")}
    for name in ("categories", "source", "source_published_on", "featured_image"):
        data.pop(name, None)
    data.update(
        {
            "publish_at_0": article.publish_at.strftime("%Y-%m-%d"),
            "publish_at_1": article.publish_at.strftime("%H:%M:%S"),
            "tags": ", ".join(article.tags.names()),
            "comments_enabled": "on",
            **fields,
        }
    )
    return data


# --- Each writer: the post page and the home page show its change at once ------------------


def test_admin_add_shows_on_the_home_page_and_sidebar_at_once(editor_client, editor):
    in_cache("/")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(editor, title="Added just now", tags="freshly-added"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Added just now")
    home = page("/")
    assert "Added just now" in home
    assert "freshly-added" in home  # the sidebar's tag cloud (a cached fragment)
    assert "Added just now" in page(article.get_absolute_url())


def test_admin_change_shows_on_the_post_and_home_pages_at_once(editor_client, article_factory):
    article = article_factory(title="Before the edit", body="<p>Body.</p>", tags=["old-tag"])
    in_cache("/", article.get_absolute_url())
    data = change_form(editor_client, article, title="After the edit", tags="new-tag")
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert editor_client.post(url, data).status_code == 302
    for url in ("/", article.get_absolute_url()):
        shown = page(url)
        assert "After the edit" in shown
        assert "Before the edit" not in shown
        assert "new-tag" in shown
        assert "old-tag" not in shown


def test_load_seeds_rerun_with_a_changed_file_shows_at_once(tmp_path):
    seed = tmp_path / "story.txt"
    seed.write_text(SEED, encoding="utf-8")
    call_command("load_seeds", str(seed), stdout=StringIO())
    article = Article.objects.posts().get()
    in_cache("/", article.get_absolute_url())

    changed = SEED.replace("First paragraph.", "A rewritten opening.")
    seed.write_text(changed.replace("energy, coal", "energy, solar"), encoding="utf-8")
    out = StringIO()
    call_command("load_seeds", str(seed), stdout=out)
    assert "1 updated" in out.getvalue()
    for url in ("/", article.get_absolute_url()):
        shown = page(url)
        assert "A rewritten opening." in shown  # the home page's card shows the summary
        assert "First paragraph." not in shown
        assert "solar" in shown
        assert "coal" not in shown


def test_publish_and_unpublish_actions_show_at_once(editor_client, article_factory):
    article = article_factory(title="Held back", status=Article.Status.DRAFT)
    changelist = reverse("admin:articles_article_changelist")
    in_cache("/")
    editor_client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    assert "Held back" in page("/")
    assert "Held back" in page(article.get_absolute_url())

    in_cache("/", article.get_absolute_url())
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [article.pk]})
    assert "Held back" not in page("/")
    assert Client().get(article.get_absolute_url()).status_code == 404


# --- The body is sanitised once per write ---------------------------------------------------


def test_the_admin_sanitises_once_in_the_service_not_in_the_form(
    editor_client, editor, sanitisations
):
    body = "<p>Hello <script>alert(1)</script>readers.</p>"
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_add_form(editor, title="Once", body=body)
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Once")
    assert article.body == "<p>Hello readers.</p>"
    assert sanitisations == [body]

    sanitisations.clear()
    data = change_form(editor_client, article, body="<p onclick='x()'>Edited.</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Edited.</p>"
    assert len(sanitisations) == 1


def test_load_seed_sanitises_once_per_write_and_not_when_unchanged(sanitisations):
    outcome, _ = load_seed(parse_seed(SEED))
    assert outcome == "created"
    assert len(sanitisations) == 1
    sanitisations.clear()
    outcome, _ = load_seed(parse_seed(SEED.replace("First", "New first")))
    assert outcome == "updated"
    assert len(sanitisations) == 1
    assert "<p>New first paragraph.</p>" in Article.objects.posts().get().body


def test_article_save_sanitises_title_excerpt_and_body(editor, sanitisations):
    article = Article(
        title="Bell\x07 rings",
        excerpt="Short\x00 excerpt",
        body="<p>Text<img src=x onerror=alert(1)></p>",
        author=editor,
    )
    article_save(article=article, tags=["one"])
    article.refresh_from_db()
    assert (article.title, article.excerpt) == ("Bell rings", "Short excerpt")
    assert article.body == '<p>Text<img src="x"></p>'
    assert article.summary == "Short excerpt"
    assert article.slug == "bell-rings"
    assert article.tags.names()[0] == "one"
    assert len(sanitisations) == 1


def test_article_save_leaves_categories_and_tags_alone_when_not_given(
    article_factory, category_factory
):
    article = article_factory(categories=[category_factory(name="Kept")], tags=["kept"])
    article.title = "Renamed"
    article_save(article=article)
    article.refresh_from_db()
    assert [c.name for c in article.categories.all()] == ["Kept"]
    assert article.tags.names()[0] == "kept"
    article_save(article=article, categories=[], tags=[])
    assert not article.categories.exists()
    assert not article.tags.exists()


# --- Renditions are built after commit ------------------------------------------------------


def test_an_image_uploaded_in_the_admin_gets_renditions_on_its_page_at_once(
    editor_client, editor, settings
):
    in_cache("/")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(
            editor, title="Pictured", featured_image=jpeg(), featured_image_alt="Green"
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Pictured")
    assert sorted(article.featured_image_renditions, key=int) == ["480", "960", "1440"]
    for name in article.featured_image_renditions.values():
        assert (settings.MEDIA_ROOT / name).exists()
    assert "-960w.jpg 960w" in page(article.get_absolute_url())
    assert "Pictured" in page("/")


def test_removing_the_image_drops_its_renditions_in_the_same_save(article_factory):
    article = article_factory(featured_image=jpeg(600, 400))
    assert list(article.featured_image_renditions) == ["480"]
    article.featured_image = None
    article_save(article=article)
    article.refresh_from_db()
    assert article.featured_image_renditions == {}
