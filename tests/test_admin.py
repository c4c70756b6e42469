from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.forms import article_add_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_source_changelist",
        "admin:articles_category_changelist",
        "admin:taggit_tag_changelist",
    ],
)
def test_editor_can_open_the_editorial_admin_pages(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 200


def test_editor_sees_the_rich_text_editor_and_filters(editor_client, article_factory):
    article_factory(title="Listed article")
    changelist = editor_client.get(reverse("admin:articles_article_changelist"))
    assert b"Listed article" in changelist.content
    assert b"Scheduled" in changelist.content  # the status filter offers it
    add = editor_client.get(reverse("admin:articles_article_add"))
    assert b"prose-editor" in add.content


def test_editor_writes_an_article_through_the_admin(editor_client, editor, source_factory):
    source = source_factory(name="The Cradle")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_add_form(
            editor,
            body="<p>Hello <script>alert(1)</script>readers.</p>",
            source=source.pk,
            source_url="https://thecradle.example/news/1",
            source_published_on="2024-08-01",
            tags="iraq, syria",
        ),
    )
    assert response.status_code == 302, response.content
    article = Article.objects.get(slug="written-in-the-admin")
    assert article.body == "<p>Hello readers.</p>"
    assert sorted(article.tags.names()) == ["iraq", "syria"]
    assert article.get_absolute_url() == "/2024/08/01/written-in-the-admin/"


def test_publish_action_publishes_and_unpublish_takes_down(editor_client, article_factory):
    draft = article_factory(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    editor_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    editor_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_changelist_shows_scheduled_articles_as_scheduled(editor_client, article_factory):
    article_factory(title="Tomorrow's news", publish_at=timezone.now() + timedelta(days=1))
    response = editor_client.get(
        reverse("admin:articles_article_changelist"), {"state": "scheduled"}
    )
    assert b"Tomorrow&#x27;s news" in response.content


def test_source_and_category_lists_count_articles(
    editor_client, article_factory, source_factory, category_factory
):
    source = source_factory(name="Counted Source")
    category = category_factory(name="Counted Category")
    article_factory.create_batch(3, source=source, categories=[category])
    for name in ("source", "category"):
        response = editor_client.get(reverse(f"admin:articles_{name}_changelist"))
        assert b'<td class="field-article_count">3</td>' in response.content


def test_moderator_cannot_change_articles(client, moderator, article_factory):
    article = article_factory()
    client.force_login(moderator)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(change, {"title": "Hijacked"}).status_code == 403
    article.refresh_from_db()
    assert article.title != "Hijacked"


def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_staff_can_preview_a_draft_that_readers_cannot_see(client, editor, article_factory):
    draft = article_factory(status=Article.Status.DRAFT, title="Secret draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview: this article is" in response.content
    assert response["X-Robots-Tag"] == "noindex"
