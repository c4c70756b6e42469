"""The article editor's media, in chromium under the admin's Content Security
Policy: an image uploaded to the library with its alt text, a pasted YouTube
address, and an imported body (player, linked image, caption, video) that
survives being opened and saved in the editor."""

from io import BytesIO

import pytest
from PIL import Image as Pillow
from playwright.sync_api import expect

from articles.models import Article
from images.models import Image

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-42"


def jpeg_bytes() -> bytes:
    buffer = BytesIO()
    Pillow.new("RGB", (1800, 1200), (40, 110, 170)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def csp_violations(page):
    found = []
    page.on(
        "console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None
    )
    return found


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def publish_and_save(page):
    page.locator("#id_status").select_option("published")
    page.locator("#id_publish_at_0").fill("2024-08-01")
    page.locator("#id_publish_at_1").fill("12:00:00")
    page.locator("input[name=_save]").first.click()


def test_an_editor_uploads_an_image_with_alt_text_and_readers_get_srcset(
    live_server, page, editor, csp_violations, screenshot
):
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.locator("#id_title").fill("A picture in the body")
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.type("Before the picture.")

    page.get_by_title("Insert image").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.locator("input[type=file]").set_input_files(
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    dialog.locator("input[name=alt]").fill("Boats in the harbour at dawn")
    dialog.locator("input[name=caption]").fill("The harbour, this morning")
    screenshot(page, "admin-editor-insert-image")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(body.locator("figure img")).to_have_attribute("alt", "Boats in the harbour at dawn")
    publish_and_save(page)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    image = Image.objects.get()
    article = Article.objects.get(title="A picture in the body")
    assert f'<img src="{image.file.url}" alt="Boats in the harbour at dawn"' in article.body
    assert "<figcaption>The harbour, this morning</figcaption>" in article.body
    page.goto(live_server.url + article.get_absolute_url())
    shown = page.locator(".post__body figure img")
    expect(shown).to_have_attribute("alt", "Boats in the harbour at dawn")
    assert "-480w.jpg 480w" in shown.get_attribute("srcset")
    assert shown.get_attribute("loading") == "lazy"
    assert page.evaluate("document.querySelector('.post__body figure img').naturalWidth") > 0
    assert csp_violations == []
    assert page.errors == []


def test_a_bad_file_is_refused_in_the_dialog_and_nothing_is_inserted(
    live_server, page, editor, csp_violations
):
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_title("Insert image").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.locator("input[type=file]").set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture at all"}
    )
    dialog.locator("input[name=alt]").fill("Notes")
    dialog.get_by_role("button", name="Upload and insert").click()

    expect(dialog.get_by_role("alert")).to_contain_text("not an image")
    assert page.locator(".ProseMirror img").count() == 0
    assert Image.objects.count() == 0
    assert csp_violations == []


def paste(page, text: str) -> None:
    """Copy ``text`` and press Ctrl+V, as an editor does (a trusted paste event).

    The clipboard answers only a focused page, and a write that is never
    answered would wait for ever (``evaluate`` has no timeout): so the page is
    brought to the front first, and the write gives up after five seconds."""
    page.bring_to_front()
    page.evaluate(
        """text => Promise.race([
            navigator.clipboard.writeText(text),
            new Promise((_, reject) => setTimeout(
                () => reject(new Error("the clipboard did not answer")), 5000)),
        ])""",
        text,
    )
    page.keyboard.press("Control+V")


def test_pasting_a_youtube_address_saves_a_privacy_friendly_player(
    live_server, page, editor, csp_violations
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.locator("#id_title").fill("A video in the body")
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.type("Watch this:")
    page.keyboard.press("Enter")

    paste(page, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    expect(body.locator("iframe")).to_have_count(1)
    paste(page, "https://example.org/not-a-player")
    expect(body.locator("p").last).to_have_text("https://example.org/not-a-player")
    publish_and_save(page)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    article = Article.objects.get(title="A video in the body")
    assert (
        '<figure><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"'
        ' title="YouTube video" loading="lazy"></iframe></figure>'
    ) in article.body
    assert "<p>https://example.org/not-a-player</p>" in article.body
    assert csp_violations == []


def test_an_unknown_address_in_the_embed_dialog_inserts_nothing(live_server, page, editor):
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_title("Embed a video, track or post").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.locator("input[name=url]").fill("https://evil.example/watch?v=dQw4w9WgXcQ")
    dialog.get_by_role("button", name="Embed").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not a player this site can embed")
    assert page.locator(".ProseMirror iframe").count() == 0


IMPORTED_BODY = (
    '<p>An imported post. <img class="alignright" src="/media/images/2019/03/inline.jpg"'
    ' alt="In the text"> And more text.</p>'
    '<p class="aligncenter">A centred line.</p>'
    '<figure><iframe src="https://player.vimeo.com/video/76979871?dnt=1" title="Vimeo video"'
    ' loading="lazy"></iframe><figcaption>The film</figcaption></figure>'
    '<figure class="aligncenter"><a href="/media/images/2019/03/original.jpg">'
    '<img src="/media/images/2019/03/original.jpg" alt="The original"></a>'
    "<figcaption>A caption</figcaption></figure>"
    '<video controls="" preload="none"><source src="/media/clip.mp4" type="video/mp4"></video>'
    '<audio controls=""><source src="/media/talk.mp3" type="audio/mpeg"></audio>'
)


def test_an_imported_body_survives_opening_and_saving_in_the_editor(
    live_server, page, editor, article_factory, csp_violations
):
    article = article_factory(author=editor, body=IMPORTED_BODY)
    stored = article.body
    sign_in(page, live_server, editor)
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    expect(page.locator(".ProseMirror iframe")).to_have_count(1)
    page.locator("#id_title").fill("Opened and saved")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    article.refresh_from_db()
    assert article.title == "Opened and saved"
    for kept in (
        '<iframe src="https://player.vimeo.com/video/76979871?dnt=1" title="Vimeo video" loading="lazy"></iframe>',
        "<figcaption>The film</figcaption>",
        '<a href="/media/images/2019/03/original.jpg" rel="noopener noreferrer"><img src="/media/images/2019/03/original.jpg" alt="The original"></a>',
        "<figcaption>A caption</figcaption>",
        '<img class="alignright" src="/media/images/2019/03/inline.jpg" alt="In the text">',
        "And more text.",
        '<p class="aligncenter">A centred line.</p>',
        '<source src="/media/clip.mp4" type="video/mp4">',
        '<source src="/media/talk.mp3" type="audio/mpeg">',
    ):
        assert kept in article.body, (kept, article.body)
    assert 'class="aligncenter"' in stored
    assert 'class="aligncenter"' in article.body
    assert csp_violations == []
