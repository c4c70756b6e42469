"""WordPress attachments: recorded from the first pass, then used by posts as
featured images (copied from ``--media-dir``, a copy of wp-content/uploads;
nothing is downloaded) and as ``[gallery]`` images; and the images in post
bodies that point at the old site's uploads (``body_images``), copied into
Newsroom's media the same way, their ``src`` rewritten.

Called by ``reading`` (``import_attachments``, ``note_site_url``,
``report_old_images``) and ``posts`` (``featured_image``, ``gallery``,
``body_images``).
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from wordpress.content import GalleryImage, plain_text
from wordpress.importer.records import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Kind,
    digest,
    imported_items,
    number,
)
from wordpress.importer.state import ImportState
from wordpress.models import ImportedItem
from wordpress.wxr import WxrItem

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff"}


@dataclass
class Attachment:
    """An attachment as the first pass recorded it (``ImportedItem.data``)."""

    wp_id: str
    url: str
    file: str
    title: str
    alt: str
    caption: str
    menu_order: int

    @classmethod
    def from_item(cls, item: ImportedItem) -> "Attachment":
        data = item.data or {}
        return cls(
            wp_id=item.wp_id,
            url=data.get("url", ""),
            file=data.get("file", ""),
            title=data.get("title", ""),
            alt=data.get("alt", ""),
            caption=data.get("caption", ""),
            menu_order=data.get("menu_order", 0),
        )

    @property
    def is_image(self) -> bool:
        return PurePosixPath(urlsplit(self.url).path or self.file).suffix.lower() in IMAGE_SUFFIXES


def import_attachments(state: ImportState, attachments: list[WxrItem]) -> None:
    """Record the attachments (their URL, file, alt text …) for the posts to use."""
    if not attachments:
        return
    known = imported_items(Kind.ATTACHMENT, [a.post_id for a in attachments])
    new, changed = [], []
    for attachment in attachments:
        note_site_url(state, attachment.attachment_url)
        if not attachment.post_id:
            state.summary.add("attachment", SKIPPED)
            continue
        data = _attachment_data(attachment)
        parent = attachment.post_parent.strip()
        parent = "" if parent in ("", "0") else parent
        checksum = digest(data, parent)
        item = known.get(attachment.post_id)
        if item is None:
            item = ImportedItem(
                kind=Kind.ATTACHMENT,
                wp_id=attachment.post_id,
                parent_wp_id=parent,
                checksum=checksum,
                data=data,
            )
            new.append(item)
            known[attachment.post_id] = item
            state.summary.add("attachment", CREATED)
        elif item.checksum != checksum:
            item.parent_wp_id, item.checksum, item.data = parent, checksum, data
            if item.pk is not None:
                changed.append(item)
            state.summary.add("attachment", UPDATED)
        else:
            state.summary.add("attachment", UNCHANGED)
    ImportedItem.objects.bulk_create(new)
    ImportedItem.objects.bulk_update(changed, ["parent_wp_id", "checksum", "data"])


def _attachment_data(attachment: WxrItem) -> dict:
    return {
        "url": attachment.attachment_url.strip(),
        "file": attachment.meta.get("_wp_attached_file", "").strip(),
        "title": plain_text(attachment.title),
        "alt": plain_text(attachment.meta.get("_wp_attachment_image_alt", "")),
        "caption": plain_text(attachment.excerpt),
        "menu_order": number(attachment.menu_order.strip()),
    }


def attachment(wp_id: str) -> Attachment | None:
    item = ImportedItem.objects.filter(kind=Kind.ATTACHMENT, wp_id=wp_id).first()
    return Attachment.from_item(item) if item else None


def gallery(post_id: str, ids) -> list[GalleryImage] | None:
    """A ``[gallery]``'s images: those ``ids`` name, or the post's own attached
    images; None when the export has none of them."""
    if ids:
        found = {
            i.wp_id: Attachment.from_item(i) for i in imported_items(Kind.ATTACHMENT, ids).values()
        }
        attachments = [found[i] for i in ids if i in found]
    else:
        attachments = sorted(
            (
                Attachment.from_item(i)
                for i in ImportedItem.objects.filter(kind=Kind.ATTACHMENT, parent_wp_id=post_id)
            ),
            key=lambda a: (a.menu_order, number(a.wp_id), a.wp_id),
        )
    images = [
        GalleryImage(url=a.url, alt=a.alt or a.title, caption=a.caption)
        for a in attachments
        if a.is_image and a.url
    ]
    return images or None


def featured_image(state: ImportState, post: WxrItem, label: str) -> dict | None:
    """The featured image's file under the media folder, or None (reported)."""
    thumbnail_id = post.meta.get("_thumbnail_id", "").strip()
    if not thumbnail_id or thumbnail_id == "0":
        return None
    found = attachment(thumbnail_id)
    if found is None:
        state.report(f"{label}: featured image {thumbnail_id} is not in the export")
        return None
    if state.media_dir is None:
        state.report(
            f"{label}: featured image {found.url or found.file} not imported (no --media-dir given)"
        )
        return None
    path, relative = _media_file(state.media_dir, found)
    if path is None:
        state.report(f"{label}: featured image file {relative} is missing from {state.media_dir}")
        return None
    try:
        with Image.open(path) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        state.report(f"{label}: featured image file {relative} is not an image ({error})")
        return None
    return {
        "path": path,
        "source": f"{relative}:{path.stat().st_size}",
        "alt": found.alt or found.title,
    }


def _media_file(media_dir: Path, attachment: Attachment) -> tuple[Path | None, str]:
    """The attachment's file under ``--media-dir`` (a copy of wp-content/uploads)."""
    candidates = []
    if attachment.file:
        candidates.append(attachment.file)
    url_path = unquote(urlsplit(attachment.url).path)
    if "/wp-content/uploads/" in url_path:
        candidates.append(url_path.split("/wp-content/uploads/", 1)[1])
    if url_path.strip("/"):
        candidates.append(url_path.lstrip("/"))
    return _existing_file(media_dir, candidates)


def _existing_file(media_dir: Path, candidates: list[str]) -> tuple[Path | None, str]:
    """The first of ``candidates`` (paths relative to ``media_dir``) that is a
    file inside it, and its relative path; else None and the first candidate."""
    for relative in candidates:
        path = (media_dir / relative.lstrip("/")).resolve()
        if path.is_relative_to(media_dir) and path.is_file():
            return path, relative
    return None, candidates[0] if candidates else "(no file name)"


# -- Images in post bodies ----------------------------------------------------------

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"""(\ssrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# srcset/sizes name the old site's renditions; the sanitiser would drop them anyway.
IMG_SRCSET = re.compile(r"""\s(?:srcset|sizes)\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)
# WordPress's size variants (photo-300x200.jpg) and big-image copies
# (photo-scaled.jpg, WordPress 5.3+) of the uploaded photo.jpg.
SIZE_VARIANT = re.compile(r"-(?:\d+x\d+|scaled)(?=\.[A-Za-z0-9]+$)")
UPLOADS = "/wp-content/uploads/"
SITE_URL_ELEMENTS = ("wp:base_site_url", "wp:base_blog_url", "link")


def note_site_url(state: ImportState, url: str) -> None:
    """Remember the old site's host (from the export's site URL or an
    attachment's URL), ``www.`` or not: body images on it are the site's own."""
    host = urlsplit((url or "").strip()).hostname
    if host:
        state.old_hosts.add(host.removeprefix("www."))


def upload_path(state: ImportState, url: str) -> str | None:
    """``2024/08/photo-300x200.jpg`` for an image URL on the old site's uploads
    (http or https, with or without ``www.``, or a path alone); else None."""
    parts = urlsplit(html.unescape(url).strip())
    if parts.scheme not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if host and host not in state.old_hosts:
        return None
    if not host and (parts.scheme or not parts.path.startswith("/")):
        return None
    path = unquote(parts.path)
    if UPLOADS in path:
        return path.split(UPLOADS, 1)[1]
    if host.endswith(".files.wordpress.com"):  # WordPress.com keeps uploads there
        return path.lstrip("/")
    return None


def body_images(
    state: ImportState, label: str, body: str, *, published: datetime, known: dict
) -> tuple[str, dict]:
    """The body with its images on the old site's uploads copied from
    ``--media-dir`` into Newsroom's media (under ``articles/<year>/<month>/`` of
    ``published``) and pointing there; and the copies made, ``{source: name}``
    (the post keeps it, so a re-import copies nothing again; ``known`` is the
    last run's). Images left on the old site are reported and counted."""
    copies: dict[str, str] = {}
    left: list[str] = []

    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        src = IMG_SRC.search(tag)
        relative = upload_path(state, src.group(3)) if src else None
        if relative is None:
            return tag
        name = _copied(state, relative, published, known, copies)
        if name is None:
            left.append(relative)
            return tag
        url = html.escape(default_storage.url(name), quote=True)
        tag = f"{tag[: src.start(3)]}{url}{tag[src.end(3) :]}"
        return IMG_SRCSET.sub("", tag)

    body = IMG_TAG.sub(rewrite, body)
    _report_left(state, label, left)
    return body, copies


def _copied(
    state: ImportState, relative: str, published: datetime, known: dict, copies: dict
) -> str | None:
    """The storage name of the upload's copy (made now, unless an earlier post
    or run made it); None when ``--media-dir`` does not hold the file."""
    if state.media_dir is None:
        return None
    original = SIZE_VARIANT.sub("", relative)
    path, found = _existing_file(state.media_dir, list(dict.fromkeys([original, relative])))
    if path is None:
        return None
    source = f"{found}:{path.stat().st_size}"
    name = state.media_copies.get(source) or known.get(source)
    if name is None or not default_storage.exists(name):
        folder = timezone.localtime(published).strftime("articles/%Y/%m/")
        with open(path, "rb") as handle:
            name = default_storage.save(folder + path.name, File(handle))
        state.summary.add("media", CREATED)
    else:
        state.summary.add("media", UNCHANGED)
    state.media_copies[source] = copies[source] = name
    return name


def _report_left(state: ImportState, label: str, left: list[str]) -> None:
    if not left:
        state.old_images.pop(label, None)
        return
    state.summary.add("media", SKIPPED, len(left))
    state.old_images[label] = len(left)
    if state.media_dir is None:
        state.report(f"{label}: {_images(len(left))} at the old site (no --media-dir given)")
        return
    for relative in dict.fromkeys(left):
        state.report(
            f"{label}: image {relative} not found in the media dir; still points at the old site"
        )


def report_old_images(state: ImportState) -> None:
    """The run's total of in-body images left on the old site."""
    total = sum(state.old_images.values())
    if total:
        posts = len(state.old_images)
        state.report(
            f"{_images(total, posts=posts)} at the old site"
            + ("" if state.media_dir else " (no --media-dir given)")
        )


def _images(n: int, *, posts: int = 0) -> str:
    """``2 in-body images still point`` (``… in 3 posts still point``)."""
    where = f" in {posts} post{'s' if posts != 1 else ''}" if posts else ""
    return f"{n} in-body image{'s' if n != 1 else ''}{where} still point{'s' if n == 1 else ''}"
