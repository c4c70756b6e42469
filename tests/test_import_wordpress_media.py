"""``import_wordpress --media-dir``: images in post bodies that point at the old
site's uploads are copied into Newsroom's media and the body rewritten; those
left behind are reported (tests/wxr/body-images.xml)."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

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
    not gone.jpg."""
    folder = tmp_path / "uploads"
    for month, name, colour in (
        ("2022/11", "harbour.jpg", (20, 60, 120)),
        ("2023/04", "boat.jpg", (200, 200, 40)),
    ):
        (folder / month).mkdir(parents=True)
        Image.new("RGB", (64, 40), colour).save(folder / month / name)
    return folder


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_body_images_are_copied_under_the_post_date_and_the_body_rewritten(media_dir):
    run_import("--media-dir", media_dir)
    body = wp_article(21).body
    assert "photos.example" not in body
    assert 'src="/media/articles/2023/03/harbour.jpg"' in body
    assert body.count("/media/articles/2023/03/harbour.jpg") == 2  # variant → the original
    assert "srcset" not in body
    assert "300x200" not in body
    assert 'src="https://friend.example/wp-content/uploads/2023/01/pier.jpg"' in body
    assert 'src="/media/articles/2023/04/boat.jpg"' in wp_article(22).body
    assert media_files() == [
        Path("articles/2023/03/harbour.jpg"),
        Path("articles/2023/04/boat.jpg"),
    ]
    with Image.open(Path(settings.MEDIA_ROOT) / "articles/2023/04/boat.jpg") as image:
        assert image.size == (64, 40)


def test_a_missing_file_is_reported_and_keeps_its_old_url(media_dir):
    output = run_import("--media-dir", media_dir)
    assert reported_about(output, "New boat") == [
        "image 2023/04/gone.jpg not found in the media dir; still points at the old site"
    ]
    assert "https://photos.example/wp-content/uploads/2023/04/gone.jpg" in wp_article(22).body
    assert "1 in-body image in 1 post still points at the old site" in output


def test_without_a_media_dir_the_images_left_on_the_old_site_are_counted():
    output = run_import()
    left = "2 in-body images still point at the old site (no --media-dir given)"
    assert reported_about(output, "The harbour at dawn") == [left]
    assert reported_about(output, "New boat") == [left]
    assert (
        "4 in-body images in 2 posts still point at the old site (no --media-dir given)" in output
    )
    assert "photos.example/wp-content/uploads/2022/11/harbour.jpg" in wp_article(21).body
    assert media_files() == []


def test_a_second_run_copies_nothing_and_changes_nothing(media_dir):
    run_import("--media-dir", media_dir)
    first = media_files()
    bodies = [wp_article(21).body, wp_article(22).body]
    output = run_import("--media-dir", media_dir)
    assert media_files() == first
    assert [wp_article(21).body, wp_article(22).body] == bodies
    assert table_row(output, "posts")[:3] == (0, 0, 2)


def test_a_media_dir_given_later_moves_the_images_in(media_dir):
    run_import()
    output = run_import("--media-dir", media_dir)
    assert table_row(output, "posts")[:3] == (0, 2, 0)
    assert "/media/articles/2023/03/harbour.jpg" in wp_article(21).body
