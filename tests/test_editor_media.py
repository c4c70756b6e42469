"""The article editor's media (issue 14): uploading to the library and asking
for an embed, as the editor's script does; the CSP's ``media-src``."""

import importlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as Pillow

from images.models import Image

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg", size=(1600, 900)):
    buffer = BytesIO()
    Pillow.new("RGB", size, (200, 120, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_upload_answers_with_the_image_to_insert(editor_client):
    response = editor_client.post(
        reverse("images:upload"), {"file": jpeg(), "alt": "Harbour at dusk", "caption": "Dusk"}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["alt"] == "Harbour at dusk"
    assert (data["width"], data["height"]) == (1600, 900)
    image = Image.objects.get()
    assert data["src"] == image.file.url
    assert image.caption == "Dusk"


def test_a_file_that_is_not_an_image_is_a_400_with_a_message(editor_client, settings):
    fake = SimpleUploadedFile("photo.jpg", b"GIF89a but not really", content_type="image/gif")
    response = editor_client.post(reverse("images:upload"), {"file": fake, "alt": "x"})
    assert response.status_code == 400
    assert "not an image" in response.json()["message"]
    assert not Image.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.*"))


def test_an_upload_without_alt_text_is_a_400(editor_client):
    response = editor_client.post(reverse("images:upload"), {"file": jpeg(), "alt": ""})
    assert response.status_code == 400
    assert "Alt text is required" in response.json()["message"]


def test_an_upload_without_a_file_is_a_400(editor_client):
    response = editor_client.post(reverse("images:upload"), {"alt": "Nothing"})
    assert response.status_code == 400
    assert response.json()["message"] == "Choose an image file to upload."


def test_an_upload_over_the_size_limit_is_a_400(editor_client, settings):
    settings.IMAGES_MAX_UPLOAD_BYTES = 2048
    response = editor_client.post(reverse("images:upload"), {"file": jpeg(), "alt": "Big"})
    assert response.status_code == 400
    assert "at most 2.0\xa0KB" in response.json()["message"]


def test_the_upload_endpoint_answers_only_post(editor_client):
    assert editor_client.get(reverse("images:upload")).status_code == 405


def test_a_provider_url_gives_the_canonical_player(editor_client):
    response = editor_client.get(
        reverse("articles_editor:embed"),
        {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["src"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=65"
    assert data["provider"] == "YouTube"
    assert (
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=65"' in data["html"]
    )


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/watch?v=dQw4w9WgXcQ", "javascript:alert(1)", "", "not a url"],
)
def test_any_other_address_is_a_400_naming_the_providers(editor_client, url):
    response = editor_client.get(reverse("articles_editor:embed"), {"url": url})
    assert response.status_code == 400
    assert "YouTube" in response.json()["message"]


def test_the_admin_editor_loads_the_media_extension(editor_client):
    response = editor_client.get(reverse("admin:articles_article_add"))
    html = response.content.decode()
    assert "js/editor-media.js" in html
    assert reverse("images:upload") in html
    assert reverse("articles_editor:embed") in html


# -- CSP media-src ------------------------------------------------------------------


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


def test_the_csp_lets_audio_and_video_play_from_this_site_only(client, article_factory):
    article = article_factory(body='<video src="/media/clip.mp4" controls></video>')
    response = client.get(article.get_absolute_url())
    assert directives(response)["media-src"] == "'self'"


def test_media_on_another_host_is_named_in_media_src(monkeypatch):
    import newsroom.settings

    monkeypatch.setenv("MEDIA_URL", "https://cdn.example.net/media/")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x")
    try:
        reloaded = importlib.reload(newsroom.settings)
        assert reloaded.SECURE_CSP["media-src"] == ["'self'", "https://cdn.example.net"]
    finally:
        monkeypatch.delenv("MEDIA_URL")
        importlib.reload(newsroom.settings)
