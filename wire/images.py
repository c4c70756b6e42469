"""Images of a reposted page, brought into the site's media: the lead image as the
featured image, and the body's images (or the body without them).

Called by ``wire.reposting``. Every image is fetched through the safe fetcher
(``newsroom.fetching``), must open in Pillow as JPEG, PNG, GIF or WebP (no
decompression bombs), and is stored where the article form stores uploads
(``articles/<year>/<month>/``). An image that fails is left out and named in
the notes the editor sees, never dropped silently.
"""

import time
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import lxml.html
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from newsroom.fetching import IMAGE_TYPES, FetchRefused, fetch

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# A page with more images than this keeps the first ones, and downloading stops
# after this many seconds (the editor is waiting): the rest are left out, and
# the editor is told which.
MAX_BODY_IMAGES = 30
BODY_IMAGES_SECONDS = 60


class ImageRefused(Exception):
    """The image could not be fetched or is not a picture; the message says why."""


@dataclass
class BodyImages:
    """The body with its images brought home (or taken out), and what the editor should know."""

    html: str
    stored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def download_image(url: str) -> ContentFile:
    """The image at ``url``, checked with Pillow, as a file named after it."""
    try:
        fetched = fetch(url, accept=IMAGE_TYPES)
    except FetchRefused as error:
        raise ImageRefused(str(error)) from error
    if not fetched.ok:
        raise ImageRefused(f"{url} answered {fetched.status}.")
    extension = _picture_format(fetched.content, url)
    stem = slugify(PurePosixPath(unquote(urlsplit(fetched.url).path)).stem)[:60] or "image"
    return ContentFile(fetched.content, name=f"{stem}.{extension}")


def _picture_format(content: bytes, url: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content)) as image:
                kind = image.format
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(f"{url} is not an image Newsroom can use ({error}).") from error
    if kind not in FORMATS:
        raise ImageRefused(f"{url} is a {kind} image; JPEG, PNG, GIF and WebP are taken.")
    return FORMATS[kind]


def body_with_images(body: str, *, images: str) -> BodyImages:
    """``body`` with each ``<img>`` downloaded into media (``images="download"``)
    or removed (``"drop"``); an image that cannot be downloaded is removed and noted."""
    if "<img" not in body:
        return BodyImages(html=body)
    container = lxml.html.document_fromstring(f"<body>{body}</body>").body
    result = BodyImages(html="")
    deadline = time.monotonic() + BODY_IMAGES_SECONDS
    for index, element in enumerate(list(container.iter("img"))):
        src = element.get("src") or ""
        if images == "drop":
            _remove(element)
        elif index >= MAX_BODY_IMAGES or time.monotonic() > deadline:
            _remove(element)
            result.notes.append(
                f"Image left out (more than {MAX_BODY_IMAGES}, or over "
                f"{BODY_IMAGES_SECONDS} seconds of downloading): {src}"
            )
        else:
            try:
                element.set("src", _store(download_image(src)))
            except ImageRefused as error:
                _remove(element)
                result.notes.append(f"Image left out: {error}")
            except OSError as error:  # the media storage is full or read-only
                _remove(element)
                result.notes.append(
                    f"Image left out, not stored ({error.strerror or error}): {src}"
                )
            else:
                result.stored.append(element.get("src"))
    if images == "drop":
        result.notes.append("The original's images were left out, as asked.")
    result.html = (container.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in container
    )
    return result


def _store(image: ContentFile) -> str:
    """Store ``image`` beside featured images; return its public URL."""
    folder = timezone.localdate().strftime("articles/%Y/%m")
    return default_storage.url(default_storage.save(f"{folder}/{image.name}", image))


def _remove(element) -> None:
    """Remove an image, and the figure or link around it when nothing else is left there."""
    parent = element.getparent()
    element.drop_tree()
    while parent is not None and parent.tag in ("figure", "a", "picture"):
        if parent.text_content().strip() and parent.tag != "figure":
            return
        if parent.tag == "figure" and any(c.tag != "figcaption" for c in parent):
            return
        grandparent = parent.getparent()
        parent.drop_tree()
        parent = grandparent
