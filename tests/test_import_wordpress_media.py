"""``import_wordpress --media-dir``: images in post bodies that point at the old
site's uploads are moved into the media library (stored once, with alt text
and renditions, shown with a ``srcset``) and the body rewritten, links to them
too; those left behind are reported (tests/wxr/body-images.xml)."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from images.models import Image as LibraryImage
from tests.imported import reported_about, table_row, wp_article

pytestmark = pytest.mark.django_db

WXR = Path(__file__).resolve().parent / "wxr" / "body-images.xml"


def run_import(*args) -> str:
    out = StringIO()
    call_command("import_wordpress", str(WXR), *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def media_dir(tmp_path) -> Path:
    """A copy of wp-content/uploads: the originals only (no size variants), and
    not gone.jpg. The harbour photo is big enough for renditions."""
    folder = tmp_path / "uploads"
    for month, name, colour, size in (
        ("2022/11", "harbour.jpg", (20, 60, 120), (1200, 800)),
        ("2023/04", "boat.jpg", (200, 200, 40), (64, 40)),
        ("2023/04", "nets.jpg", (90, 40, 40), (64, 40)),
    ):
        (folder / month).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, colour).save(folder / month / name)
    return folder


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_body_images_are_moved_into_the_library_under_the_post_date(media_dir):
    run_import("--media-dir", media_dir)
    body = wp_article(21).body
    assert "photos.example" not in body
    assert 'src="/media/images/2023/03/harbour.jpg"' in body
    # The variant, the original and the link around the variant: one copy.
    assert body.count('"/media/images/2023/03/harbour.jpg"') == 3
    assert "300x200" not in body
    assert 'src="https://friend.example/wp-content/uploads/2023/01/pier.jpg"' in body
    assert 'src="/media/images/2023/04/boat.jpg"' in wp_article(22).body
    assert [f for f in media_files() if f.parts[0] == "images"] == [
        Path("images/2023/03/harbour.jpg"),
        Path("images/2023/04/boat.jpg"),
        Path("images/2023/04/nets.jpg"),
    ]
    assert LibraryImage.objects.count() == 3
    with Image.open(Path(settings.MEDIA_ROOT) / "images/2023/04/boat.jpg") as image:
        assert image.size == (64, 40)


def test_moved_images_are_shown_with_srcset_renditions(media_dir):
    run_import("--media-dir", media_dir)
    body = wp_article(21).body
    assert "/media/renditions/images/2023/03/harbour-480w.jpg 480w" in body
    assert "/media/images/2023/03/harbour.jpg 1200w" in body
    assert 'width="1200" height="800" loading="lazy"' in body
    assert "photos.example" not in body  # the old site's srcset is gone


def test_a_link_around_an_image_points_at_the_local_original(media_dir):
    run_import("--media-dir", media_dir)
    assert (
        '<a href="/media/images/2023/03/harbour.jpg" rel="noopener noreferrer">'
        '<img class="aligncenter" src="/media/images/2023/03/harbour.jpg"'
    ) in wp_article(21).body


def test_the_library_takes_the_attachments_alt_text(media_dir):
    run_import("--media-dir", media_dir)
    assert LibraryImage.objects.get(file="images/2023/04/boat.jpg").alt == (
        "The new boat at its mooring"
    )
    assert 'alt="The new boat"' in wp_article(22).body  # what the post said stays


def test_an_image_without_alt_text_takes_its_title_and_is_reported(media_dir):
    output = run_import("--media-dir", media_dir)
    assert LibraryImage.objects.get(file="images/2023/04/nets.jpg").alt == "Fishing nets drying"
    assert '<img alt="Fishing nets drying" src="/media/images/2023/04/nets.jpg"' in (
        wp_article(22).body
    )
    assert (
        "image 2023/04/nets.jpg has no alt text; its file name stands in for it"
        in reported_about(output, "New boat")
    )


def test_a_file_that_is_not_an_image_is_reported_and_keeps_its_old_url(media_dir):
    (media_dir / "2023/04/boat.jpg").write_bytes(b"not a picture")
    output = run_import("--media-dir", media_dir)
    assert "image 2023/04/boat.jpg was not moved in: The file is not an image" in output
    assert "/wp-content/uploads/2023/04/boat-1024x768.jpg" in wp_article(22).body


def test_a_missing_file_is_reported_and_keeps_its_old_url(media_dir):
    output = run_import("--media-dir", media_dir)
    assert (
        "image 2023/04/gone.jpg not found in the media dir; still points at the old site"
        in reported_about(output, "New boat")
    )
    assert "https://photos.example/wp-content/uploads/2023/04/gone.jpg" in wp_article(22).body
    assert "1 in-body image in 1 post still points at the old site" in output


def test_without_a_media_dir_the_images_left_on_the_old_site_are_counted():
    output = run_import()
    left = "in-body images still point at the old site (no --media-dir given)"
    assert reported_about(output, "The harbour at dawn") == [f"2 {left}"]
    assert reported_about(output, "New boat") == [f"3 {left}"]
    assert (
        "5 in-body images in 2 posts still point at the old site (no --media-dir given)" in output
    )
    assert "photos.example/wp-content/uploads/2022/11/harbour.jpg" in wp_article(21).body
    assert media_files() == []


def test_a_second_run_copies_nothing_and_changes_nothing(media_dir):
    run_import("--media-dir", media_dir)
    first = media_files()
    bodies = [wp_article(21).body, wp_article(22).body]
    output = run_import("--media-dir", media_dir)
    assert media_files() == first
    assert LibraryImage.objects.count() == 3
    assert [wp_article(21).body, wp_article(22).body] == bodies
    assert table_row(output, "posts")[:3] == (0, 0, 2)


def test_a_media_dir_given_later_moves_the_images_in(media_dir):
    run_import()
    output = run_import("--media-dir", media_dir)
    assert table_row(output, "posts")[:3] == (0, 2, 0)
    assert "/media/images/2023/03/harbour.jpg" in wp_article(21).body
