"""WordPress attachments: recorded from the first pass, then used by posts as
featured images (copied from ``--media-dir``, a copy of wp-content/uploads;
nothing is downloaded) and as ``[gallery]`` images.

Called by ``reading`` (``import_attachments``) and ``posts`` (``featured_image``,
``gallery``).
"""

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

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
    for relative in candidates:
        path = (media_dir / relative.lstrip("/")).resolve()
        if path.is_relative_to(media_dir) and path.is_file():
            return path, relative
    return None, candidates[0] if candidates else "(no file name)"
