"""Library images in HTML get their renditions: ``srcset``, ``sizes``, their
size and ``loading="lazy"``.

``responsive_images`` is called by ``articles.services.article_save`` on a
body already through ``articles.html.sanitize_html`` (whose output it reads:
every attribute written ``name="value"``). An ``<img>`` whose ``src`` is a
library image (under ``MEDIA_URL``) is rewritten from the Image's row — one
query for all the images of a body; any other ``<img>`` is left as it is.
"""

import html
import re
from urllib.parse import unquote

from django.conf import settings
from django.utils.html import escape

from images.models import Image

# The width the body column takes (the post page's stylesheet), for ``sizes``.
BODY_SIZES = "(min-width: 60em) 44rem, 100vw"

_IMG = re.compile(r'<img((?:\s+[\w:.-]+="[^"]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'\s+([\w:.-]+)="([^"]*)"')
# Derived from the Image: whatever the body said is replaced.
_DERIVED = {"srcset", "sizes", "width", "height", "loading"}


def media_name(url: str) -> str | None:
    """The storage name of a URL under ``MEDIA_URL`` (as ``src`` holds it), else None."""
    url = html.unescape(url).strip()
    prefix = settings.MEDIA_URL
    if not url.startswith(prefix) or "?" in url or "#" in url:
        return None
    name = unquote(url[len(prefix) :])
    return name if name and ".." not in name.split("/") else None


def responsive_images(body: str) -> str:
    """``body`` with every library image given its renditions (one query)."""
    if "<img" not in body:
        return body
    tags = [(match, dict(_ATTRIBUTE.findall(match[1]))) for match in _IMG.finditer(body)]
    names = {name for _, attrs in tags if (name := media_name(attrs.get("src", "")))}
    if not names:
        return body
    images = {image.file.name: image for image in Image.objects.filter(file__in=names)}
    if not images:
        return body
    parts, last = [], 0
    for match, attrs in tags:
        image = images.get(media_name(attrs.get("src", "")) or "")
        if image is None:
            continue
        parts += [body[last : match.start()], _img(attrs, image)]
        last = match.end()
    return "".join([*parts, body[last:]])


def _img(attrs: dict[str, str], image: Image) -> str:
    kept = {name: value for name, value in attrs.items() if name not in _DERIVED}
    derived = {"width": str(image.width), "height": str(image.height), "loading": "lazy"}
    if srcset := image.srcset():
        derived |= {"srcset": escape(srcset), "sizes": BODY_SIZES}
    written = "".join(f' {name}="{value}"' for name, value in (kept | derived).items())
    return f"<img{written}>"
