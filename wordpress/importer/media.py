"""WordPress attachments: recorded from the first pass, then used by posts as
featured images (copied from ``--media-dir``, a copy of wp-content/uploads;
nothing is downloaded) and as ``[gallery]`` images; and the images in post
bodies that point at the old site's uploads (``body_images``), moved into the
media library (``images``) from the same folder, their ``src`` (and links to
them) rewritten.

Called by ``reading`` (``import_attachments``, ``note_site_url``,
``report_old_images``) and ``posts`` (``featured_image``, ``gallery``,
``body_images``).
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image, UnidentifiedImageError

from images.models import Image as LibraryImage
from images.services import image_create
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


@dataclass
class _BodyImages:
    """One post's images: what ``body_images`` knows, and learns as it goes."""

    published: datetime
    known: dict  # the last run's copies
    attachments: dict[str, Attachment]  # the recorded attachments, by file
    copies: dict[str, str] = field(default_factory=dict)  # source → storage name
    originals: dict[str, str] = field(default_factory=dict)  # old upload (original) → URL
    left: list[str] = field(default_factory=list)
    without_alt: list[str] = field(default_factory=list)


def body_images(
    state: ImportState, label: str, body: str, *, published: datetime, known: dict
) -> tuple[str, dict]:
    """The body with its images on the old site's uploads moved into the media
    library (``images.services.image_create``, filed under ``published``'s
    month; renditions, and a ``srcset`` when the article is saved) and pointing
    there, as do links to those uploads around them; and the copies made,
    ``{source: name}`` (the post keeps it, so a re-import copies nothing
    again; ``known`` is the last run's, and the library never stores a file
    twice). Images left on the old site are reported and counted, as are
    images with no alt text anywhere."""
    found = _BodyImages(published, known, _attachments_for(state, body))

    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        src = IMG_SRC.search(tag)
        relative = upload_path(state, src.group(3)) if src else None
        if relative is None:
            return tag
        alt = _alt_of(tag)
        image = _library_image(state, label, relative, alt, found)
        if image is None:
            found.left.append(relative)
            return tag
        url = html.escape(image.file.url, quote=True)
        found.originals[SIZE_VARIANT.sub("", relative)] = url
        tag = f"{tag[: src.start(3)]}{url}{tag[src.end(3) :]}"
        if not alt:
            tag = _with_alt(tag, image.alt)
        return IMG_SRCSET.sub("", tag)

    body = IMG_TAG.sub(rewrite, body)
    if found.originals:
        body = LINK_TAG.sub(partial(_link_to_copy, state, found.originals), body)
    _report_left(state, label, found.left)
    for relative in dict.fromkeys(found.without_alt):
        state.report(f"{label}: image {relative} has no alt text; its file name stands in for it")
    return body, found.copies


def _attachments_for(state: ImportState, body: str) -> dict[str, Attachment]:
    """The recorded attachments of the body's uploads, by file (one query)."""
    files = set()
    for tag in IMG_TAG.findall(body):
        src = IMG_SRC.search(tag)
        if src and (relative := upload_path(state, src.group(3))):
            files |= {relative, SIZE_VARIANT.sub("", relative)}
    if not files:
        return {}
    items = ImportedItem.objects.filter(kind=Kind.ATTACHMENT, data__file__in=sorted(files))
    return {(item.data or {}).get("file", ""): Attachment.from_item(item) for item in items}


def _library_image(
    state: ImportState, label: str, relative: str, alt: str, found: _BodyImages
) -> LibraryImage | None:
    """The library image of the upload (stored now, unless an earlier post or
    run stored it); None when ``--media-dir`` does not hold a usable file."""
    if state.media_dir is None:
        return None
    original = SIZE_VARIANT.sub("", relative)
    path, file = _existing_file(state.media_dir, list(dict.fromkeys([original, relative])))
    if path is None:
        return None
    source = f"{file}:{path.stat().st_size}"
    name = state.media_copies.get(source) or found.known.get(source)
    image = LibraryImage.objects.filter(file=name).first() if name else None
    if image is None:
        attachment = found.attachments.get(original) or found.attachments.get(relative)
        alt = (attachment.alt if attachment else "") or alt
        if not alt:
            found.without_alt.append(relative)
            alt = (attachment.title if attachment else "") or PurePosixPath(original).stem
        try:
            with open(path, "rb") as handle:
                image = image_create(
                    file=File(handle, name=path.name), alt=alt, created_at=found.published
                )
        except ValidationError as error:
            state.report(f"{label}: image {file} was not moved in: {' '.join(error.messages)}")
            return None
        state.summary.add("media", CREATED)
    else:
        state.summary.add("media", UNCHANGED)
    state.media_copies[source] = found.copies[source] = image.file.name
    return image


IMG_ALT = re.compile(r"""\salt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
LINK_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
LINK_HREF = re.compile(r"""(\shref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _alt_of(tag: str) -> str:
    match = IMG_ALT.search(tag)
    return " ".join(html.unescape(match.group(2)).split()) if match else ""


def _with_alt(tag: str, alt: str) -> str:
    """``tag`` with ``alt`` as its alt text (it had none, or an empty one)."""
    tag = IMG_ALT.sub("", tag)
    return f'<img alt="{html.escape(alt, quote=True)}"{tag[4:]}'


def _link_to_copy(state: ImportState, originals: dict[str, str], match: re.Match) -> str:
    """A link to an old upload whose image was moved in points at the copy."""
    tag = match.group(0)
    href = LINK_HREF.search(tag)
    relative = upload_path(state, href.group(3)) if href else None
    url = originals.get(SIZE_VARIANT.sub("", relative)) if relative else None
    return f"{tag[: href.start(3)]}{url}{tag[href.end(3) :]}" if url else tag


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
