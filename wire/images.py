"""Images of a reposted page, brought into the site's media: the lead image as the
featured image, and the body's images into the media library (or the body
without them).

Called by ``wire.reposting``. Every image is fetched through the safe fetcher
(``newsroom.fetching``) and must open in Pillow as JPEG, PNG, GIF or WebP (no
decompression bombs). The lead image is stored where the article form stores
uploads (``articles/<year>/<month>/``); a body image becomes a library image
through ``images.services.image_create`` — stored once by SHA-256 (the same
image reposted twice is one file), renditions made, so ``article_save`` gives
it ``srcset`` (``images.html``) — with the ``<img>``'s alt text, else the
article's title (and a note saying so). An image that fails is left out and
named in the notes the editor sees, never dropped silently.
"""

import time
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image

from images.services import image_create
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


def body_with_images(body: str, *, images: str, title: str, editor: Any = None) -> BodyImages:
    """``body`` with each ``<img>`` made a library image (``images="download"``)
    or removed (``"drop"``); an image that cannot be brought in is removed and
    noted. ``title`` (the article's) is the alt text of an image without one;
    ``editor`` uploaded them."""
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
            _bring_in(element, src, title=title, editor=editor, result=result)
    if images == "drop":
        result.notes.append("The original's images were left out, as asked.")
    result.html = (container.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in container
    )
    return result


def _bring_in(element, src: str, *, title: str, editor: Any, result: BodyImages) -> None:
    """Point ``element`` at the library image of ``src``, or remove it with a note."""
    alt = " ".join((element.get("alt") or "").split())
    try:
        image = image_create(file=download_image(src), alt=alt or title, uploaded_by=editor)
    except ImageRefused as error:
        _remove(element)
        result.notes.append(f"Image left out: {error}")
        return
    except ValidationError as error:  # too big for the library, or unreadable to the end
        _remove(element)
        result.notes.append(f"Image left out: {src}: {' '.join(error.messages)}")
        return
    except OSError as error:  # the media storage is full or read-only
        _remove(element)
        result.notes.append(f"Image left out, not stored ({error.strerror or error}): {src}")
        return
    element.set("src", image.file.url)
    element.set("alt", alt or image.alt)
    result.stored.append(image.file.url)
    if not alt:
        result.notes.append(_alt_note(src, image.alt, title=title))


def _alt_note(src: str, alt: str, *, title: str) -> str:
    """What the editor should know of an image the original gave no alt text."""
    if alt == " ".join(title.split())[:300]:
        given = "the article's title as alt text"
    else:
        given = f"the alt text it already had in the media library, “{alt}”"
    return f"An image had no alt text in the original ({src}): it was given {given}; check it."


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
