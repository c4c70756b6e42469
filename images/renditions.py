"""Responsive renditions of an image, made once with Pillow.

``make_renditions`` writes scaled JPEG copies of a stored image
(``renditions/<name>-480w.jpg`` …) and returns ``{width: name}``; the owner
keeps that map, so pages get a ``srcset`` without touching an image at
request time. Callers: ``images.services.image_create`` (the media library)
and ``articles.tasks`` (an article's featured image).
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps

RENDITION_WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 82


def _flattened(picture: Image.Image) -> Image.Image:
    """RGB or greyscale for JPEG; transparent parts on white (not black)."""
    if picture.mode in ("RGB", "L"):
        return picture
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")


def make_renditions(image: FieldFile) -> dict[str, str]:
    """Write the renditions of ``image`` to its storage; return ``{width: name}``.

    Widths wider than the original are skipped (the original serves them).
    """
    storage = image.storage
    with storage.open(image.name, "rb") as handle, Image.open(handle) as original:
        original = _flattened(ImageOps.exif_transpose(original))
        stem = PurePosixPath(image.name).with_suffix("")
        renditions = {}
        for width in RENDITION_WIDTHS:
            if width >= original.width:
                break
            height = round(original.height * width / original.width)
            scaled = original.resize((width, height), Image.Resampling.LANCZOS)
            buffer = BytesIO()
            scaled.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            name = f"renditions/{stem}-{width}w.jpg"
            if storage.exists(name):
                storage.delete(name)
            renditions[str(width)] = storage.save(name, ContentFile(buffer.getvalue()))
    return renditions
