"""The one write path for the media library (``images.models.Image``).

Writers:

- ``image_create`` — the admin's add form (``images.admin``), the editor's
  upload endpoint (``images.views``) and the WordPress importer's in-body
  images. It checks the file is a real image Pillow can read (and not too
  big), stores it once (a file whose SHA-256 is already known returns that
  Image: no second file, no second row), and makes its renditions.
- ``image_update`` — the admin's change form: alt text and caption.

A refused file leaves nothing behind: no row, no file, no rendition.
"""

import hashlib
import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError

from images.models import Image
from images.renditions import make_renditions

logger = logging.getLogger(__name__)

# What browsers show everywhere; Pillow reads more (TIFF, BMP …) but pages could not.
ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
FORMATS_WANTED = "a JPEG, PNG, GIF or WebP file"
ALT_REQUIRED = "Alt text is required: describe the image for readers who cannot see it."
NOT_AN_IMAGE = f"The file is not an image (or it is damaged): upload {FORMATS_WANTED}."


def image_create(
    *,
    file: File,
    alt: str,
    caption: str = "",
    uploaded_by=None,
    created_at: datetime | None = None,
) -> Image:
    """Store ``file`` in the library and return its Image (the existing one when
    the same file is already there). ``created_at`` (an imported image: the
    post's date) names the month folder. Raises ``ValidationError`` (keyed by
    ``file`` or ``alt``, as a form shows it) for a file that is not an image,
    too big, or without alt text."""
    alt = " ".join((alt or "").split())
    if not alt:
        raise ValidationError({"alt": ALT_REQUIRED})
    sha256, animated = _checked(file)
    if (existing := Image.objects.filter(sha256=sha256).first()) is not None:
        return existing
    image = Image(
        alt=alt[:300], caption=(caption or "").strip(), uploaded_by=uploaded_by, sha256=sha256
    )
    if created_at is not None:
        image.created_at = created_at
    file.seek(0)
    image.file.save(_file_name(file), file, save=False)
    try:
        # An animation's renditions would be its first frame: the original serves.
        image.renditions = {} if animated else make_renditions(image.file)
        with transaction.atomic():
            image.save()
    except (OSError, ValueError) as error:
        # Pillow's verify() passed, but decoding the pixels failed (a truncated file).
        _remove_files(image)
        raise ValidationError(
            {"file": f"The image could not be read to the end ({error})."}
        ) from error
    except IntegrityError:
        # The same file, uploaded at the same moment by someone else: theirs stands.
        _remove_files(image)
        return Image.objects.get(sha256=sha256)
    except BaseException:
        _remove_files(image)
        raise
    return image


@transaction.atomic
def image_update(*, image: Image, alt: str, caption: str = "") -> Image:
    """Change an image's alt text and caption (the file stays as it is)."""
    alt = " ".join((alt or "").split())
    if not alt:
        raise ValidationError({"alt": ALT_REQUIRED})
    image.alt, image.caption = alt[:300], (caption or "").strip()
    image.save(update_fields=["alt", "caption"])
    return image


def _checked(file: File) -> tuple[str, bool]:
    """The file's SHA-256 and whether it is animated, once it is known to be an
    image browsers can show."""
    limit = settings.IMAGES_MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            {
                "file": f"The file is {filesizeformat(file.size)}; "
                f"images may be at most {filesizeformat(limit)}."
            }
        )
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    try:
        with PillowImage.open(file) as picture:
            kind, animated = picture.format, getattr(picture, "is_animated", False)
            picture.verify()
    except PillowImage.DecompressionBombError as error:
        raise ValidationError(
            {"file": "The image has too many pixels to be shown safely."}
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError({"file": NOT_AN_IMAGE}) from error
    finally:
        file.seek(0)
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            {"file": f"{kind} images cannot be shown by every browser: upload {FORMATS_WANTED}."}
        )
    return digest.hexdigest(), animated


def _file_name(file: File) -> str:
    name = (getattr(file, "name", "") or "image").replace("\\", "/").rsplit("/", 1)[-1]
    return name or "image"


def _remove_files(image: Image) -> None:
    """Delete what ``image_create`` stored for a row that was not written."""
    storage = image.file.storage
    for name in [image.file.name, *image.renditions.values()]:
        if name:
            try:
                storage.delete(name)
            except OSError as error:
                logger.error("Could not remove %s: %s", name, error)
