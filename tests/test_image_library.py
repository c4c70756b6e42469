"""The media library (issue 14): images stored once, with alt text and
renditions; library images in article bodies get a ``srcset``."""

from datetime import UTC
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as Pillow

from articles.html import sanitize_html
from articles.services import article_save
from images.html import responsive_images
from images.models import Image
from images.services import image_create, image_update

pytestmark = pytest.mark.django_db


def picture(width=2000, height=1000, *, colour=(20, 90, 160), kind="JPEG", name="photo.jpg"):
    buffer = BytesIO()
    Pillow.new("RGB", (width, height), colour).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_an_uploaded_image_is_stored_with_its_size_and_renditions(settings, editor):
    image = image_create(file=picture(), alt="A blue field", uploaded_by=editor)

    assert image.file.name.startswith("images/")
    assert (image.width, image.height) == (2000, 1000)
    assert sorted(image.renditions, key=int) == ["480", "960", "1440"]
    assert all((settings.MEDIA_ROOT / name).exists() for name in image.renditions.values())
    assert image.uploaded_by == editor


def test_the_same_file_uploaded_twice_is_one_image_and_one_file(settings, editor):
    first = image_create(file=picture(), alt="A blue field", uploaded_by=editor)
    files = stored_files(settings)

    second = image_create(file=picture(), alt="Another description", uploaded_by=editor)

    assert second.pk == first.pk
    assert Image.objects.count() == 1
    assert stored_files(settings) == files


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(settings, editor):
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'not an image'; ?>")

    with pytest.raises(ValidationError, match="not an image"):
        image_create(file=fake, alt="Nothing", uploaded_by=editor)

    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_a_truncated_image_is_refused_and_leaves_no_file(settings, editor):
    whole = picture().read()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2])

    with pytest.raises(ValidationError):
        image_create(file=cut, alt="Half a picture", uploaded_by=editor)

    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_an_image_without_alt_text_is_refused(settings, editor):
    with pytest.raises(ValidationError, match="Alt text is required"):
        image_create(file=picture(), alt="   ", uploaded_by=editor)
    assert stored_files(settings) == []


def test_an_image_over_the_size_limit_is_refused(settings, editor):
    settings.IMAGES_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(ValidationError, match="at most 1000"):
        image_create(file=picture(), alt="Too big", uploaded_by=editor)
    assert stored_files(settings) == []


def test_a_tiff_is_refused_because_browsers_cannot_show_it(editor):
    with pytest.raises(ValidationError, match="TIFF"):
        image_create(file=picture(kind="TIFF", name="scan.tif"), alt="A scan", uploaded_by=editor)


def test_an_animated_gif_keeps_its_animation_at_every_width(editor):
    frames = [Pillow.new("P", (900, 600), n) for n in (1, 2, 3)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    upload = SimpleUploadedFile("spin.gif", buffer.getvalue(), content_type="image/gif")

    image = image_create(file=upload, alt="A spinning wheel", uploaded_by=editor)

    assert image.renditions == {}
    assert image.srcset() == ""


def test_a_transparent_png_gets_renditions_on_white(settings, editor):
    buffer = BytesIO()
    Pillow.new("RGBA", (1000, 500), (0, 0, 0, 0)).save(buffer, "PNG")
    upload = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")

    image = image_create(file=upload, alt="A logo", uploaded_by=editor)

    with Pillow.open(settings.MEDIA_ROOT / image.renditions["480"]) as rendition:
        assert rendition.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_an_imported_image_is_filed_under_the_posts_month(editor):
    from datetime import datetime

    image = image_create(file=picture(), alt="Old", created_at=datetime(2019, 3, 4, 12, tzinfo=UTC))
    assert image.file.name.startswith("images/2019/03/")


def test_alt_text_and_caption_are_changed_by_image_update(editor):
    image = image_create(file=picture(), alt="First", uploaded_by=editor)
    image_update(image=image, alt="Second", caption="By the river")
    image.refresh_from_db()
    assert (image.alt, image.caption) == ("Second", "By the river")


# -- srcset in article bodies -----------------------------------------------------


def test_a_library_image_in_a_body_gets_srcset_sizes_and_lazy_loading(article_factory, editor):
    image = image_create(file=picture(), alt="A blue field", uploaded_by=editor)
    article = article_factory(body=f'<p>Text</p><img src="{image.file.url}" alt="A blue field">')

    assert f'src="{image.file.url}"' in article.body
    assert "-480w.jpg 480w" in article.body
    assert f"{image.file.url} 2000w" in article.body
    assert 'sizes="(min-width: 60em) 44rem, 100vw"' in article.body
    assert 'width="2000" height="1000" loading="lazy"' in article.body


def test_srcset_for_every_image_of_a_body_costs_one_query(editor, django_assert_num_queries):
    images = [
        image_create(file=picture(colour=(n, 0, 0)), alt=f"Picture {n}", uploaded_by=editor)
        for n in range(5)
    ]
    body = sanitize_html("".join(f'<img src="{image.file.url}" alt="x">' for image in images))

    with django_assert_num_queries(1):
        body = responsive_images(body)

    assert body.count("srcset=") == 5


def test_article_save_costs_the_same_queries_for_one_image_or_five(
    article_factory, editor, django_assert_num_queries
):
    images = [
        image_create(file=picture(colour=(0, n, 0)), alt=f"Picture {n}", uploaded_by=editor)
        for n in range(5)
    ]
    article = article_factory(body=f'<img src="{images[0].file.url}" alt="x">')
    article.body = f'<img src="{images[1].file.url}" alt="x">'
    with CaptureQueriesContext(connection) as one:
        article_save(article=article)

    article.body = "".join(f'<img src="{image.file.url}" alt="x">' for image in images)
    with django_assert_num_queries(len(one)):
        article_save(article=article)
    assert article.body.count("srcset=") == 5


def test_an_image_not_in_the_library_is_left_as_it_is(article_factory):
    article = article_factory(body='<img src="https://elsewhere.example/a.jpg" alt="x">')
    assert article.body == '<img src="https://elsewhere.example/a.jpg" alt="x">'


def test_saving_a_body_again_keeps_one_srcset(article_factory, editor):
    image = image_create(file=picture(), alt="A blue field", uploaded_by=editor)
    article = article_factory(body=f'<img src="{image.file.url}" alt="A blue field">')
    first = article.body
    article.body = str(article.body)
    article_save(article=article)
    assert article.body == first
    assert first.count("srcset=") == 1


# -- the sanitiser's srcset rule ---------------------------------------------------

LOCAL_SRCSET = "/media/renditions/images/a-480w.jpg 480w, /media/images/a.jpg 2000w"


def test_the_sanitiser_keeps_a_srcset_of_media_urls():
    html = f'<img src="/media/images/a.jpg" srcset="{LOCAL_SRCSET}" sizes="100vw" alt="x">'
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "srcset",
    [
        "javascript:alert(1) 1x",
        "data:image/png;base64,iVBORw0KGgo= 1x",
        "https://evil.example/a.jpg 480w",
        "//evil.example/media/a.jpg 480w",
        "/media/a.jpg 480w, https://evil.example/a.jpg 960w",
        "/media/../admin/a.jpg 1x",
        "/media/a.jpg 480w onerror=alert(1)",
        "/static/a.jpg 480w",
    ],
)
def test_the_sanitiser_drops_a_srcset_naming_anything_else(srcset):
    html = f'<img src="/media/images/a.jpg" srcset="{srcset}" alt="x">'
    assert sanitize_html(html) == '<img src="/media/images/a.jpg" alt="x">'


@pytest.mark.parametrize("sizes", ["url(javascript:alert(1))", "expression(alert(1))", "<b>"])
def test_the_sanitiser_drops_sizes_that_are_not_lengths(sizes):
    html = f'<img src="/media/images/a.jpg" sizes="{sizes}" alt="x">'
    assert "sizes=" not in sanitize_html(html)


def test_srcset_on_anything_but_an_image_is_dropped():
    assert "srcset" not in sanitize_html(f'<source srcset="{LOCAL_SRCSET}">')


def test_a_media_url_on_a_cdn_counts_as_media(settings):
    settings.MEDIA_URL = "https://cdn.example/media/"
    html = '<img src="https://cdn.example/media/a.jpg" srcset="https://cdn.example/media/a-480w.jpg 480w">'
    assert "srcset=" in sanitize_html(html)
    assert "srcset=" not in sanitize_html(html.replace("cdn.example", "evil.example"))


# -- the library in the admin -------------------------------------------------------


def test_an_editor_adds_an_image_in_the_admin(client, editor, settings):
    client.force_login(editor)
    response = client.post(
        reverse("admin:images_image_add"),
        {"file": picture(), "alt": "A blue field", "caption": "Summer"},
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.alt, image.caption, image.uploaded_by) == ("A blue field", "Summer", editor)
    assert image.renditions


def test_adding_the_same_file_again_in_the_admin_opens_the_first(client, editor):
    first = image_create(file=picture(), alt="A blue field", uploaded_by=editor)
    client.force_login(editor)
    response = client.post(reverse("admin:images_image_add"), {"file": picture(), "alt": "Again"})
    assert response.status_code == 302
    assert Image.objects.get().pk == first.pk


def test_a_bad_file_in_the_admin_is_a_form_error_and_nothing_is_stored(client, editor, settings):
    client.force_login(editor)
    fake = SimpleUploadedFile("photo.jpg", b"not a picture")
    response = client.post(reverse("admin:images_image_add"), {"file": fake, "alt": "x"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"]
    assert not Image.objects.exists()
    assert stored_files(settings) == []


def test_the_library_lists_thumbnails(client, editor):
    image = image_create(file=picture(), alt="A blue field", uploaded_by=editor)
    client.force_login(editor)
    html = client.get(reverse("admin:images_image_changelist")).content.decode()
    assert image.file.storage.url(image.renditions["480"]) in html
    assert "A blue field" in html


def test_the_change_page_edits_alt_text_but_not_the_file(client, editor):
    image = image_create(file=picture(), alt="Old", uploaded_by=editor)
    client.force_login(editor)
    url = reverse("admin:images_image_change", args=[image.pk])
    response = client.post(url, {"alt": "New", "caption": "", "file": picture(colour=(1, 2, 3))})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "New"
    assert Image.objects.count() == 1
