from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db


def jpeg(width=2000, height=1000) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (120, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_featured_image_gets_renditions_once(article_factory, settings):
    article = article_factory(featured_image=jpeg(), featured_image_alt="A red square")
    assert sorted(article.featured_image_renditions, key=int) == ["480", "960", "1440"]
    for name in article.featured_image_renditions.values():
        assert (settings.MEDIA_ROOT / name).exists()
    made = {
        n: (settings.MEDIA_ROOT / n).stat().st_mtime_ns
        for n in article.featured_image_renditions.values()
    }

    article.title = "Edited, image unchanged"
    article.save()
    assert {
        n: (settings.MEDIA_ROOT / n).stat().st_mtime_ns
        for n in article.featured_image_renditions.values()
    } == made


def test_small_image_gets_only_smaller_renditions(article_factory):
    article = article_factory(featured_image=jpeg(600, 400))
    assert list(article.featured_image_renditions) == ["480"]


def test_post_page_serves_srcset_and_alt_text(client, article_factory):
    article = article_factory(featured_image=jpeg(), featured_image_alt="A red square")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="A red square"' in html
    assert "-480w.jpg 480w" in html
    assert '<meta property="og:image" content="http://testserver/media/articles/' in html


def test_editor_uploads_a_featured_image_in_the_admin(
    client, editor, article_factory, django_capture_on_commit_callbacks
):
    article = article_factory(author=editor)
    client.force_login(editor)
    from django.urls import reverse

    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "all")}
    data.update(
        {
            "publish_at_0": article.publish_at.strftime("%Y-%m-%d"),
            "publish_at_1": article.publish_at.strftime("%H:%M:%S"),
            "tags": "",
            "featured_image": jpeg(),
            "featured_image_alt": "Uploaded",
            "comments_enabled": "on",
        }
    )
    data.pop("categories", None)
    data.pop("source", None)
    data.pop("source_published_on", None)
    with django_capture_on_commit_callbacks(execute=True):  # renditions are built after commit
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.featured_image.name.startswith("articles/")
    assert "960" in article.featured_image_renditions
    admin_page = client.get(url).content.decode()
    assert 'alt="Uploaded" width="320"' in admin_page
