"""The media library: every image an editor uploads or the importer moves in,
stored once.

An ``Image`` is a file under ``images/<year>/<month>/``, its alt text
(required: a reader who cannot see it is told what it shows), an optional
caption, its size and its renditions (``{width: name}``, made by
``images.renditions``). Its SHA-256 is unique, so the same file uploaded twice
is one row and one file. Rows are written by ``images.services`` only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


def image_upload_to(image: "Image", filename: str) -> str:
    """``images/2024/08/photo.jpg``: the month the image belongs to (the post's
    date for an imported image, else now)."""
    when = timezone.localtime(image.created_at or timezone.now())
    return f"images/{when:%Y/%m}/{filename}"


class Image(models.Model):
    file = models.ImageField(
        upload_to=image_upload_to, width_field="width", height_field="height", max_length=255
    )
    alt = models.CharField(
        "alt text",
        max_length=300,
        help_text="Describes the image for readers who cannot see it.",
    )
    caption = models.TextField(blank=True)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_images",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=["sha256"], name="images_image_unique_sha256"),
        ]
        indexes = [models.Index(fields=["file"], name="images_image_file_idx")]

    def __str__(self) -> str:
        return self.alt or self.file.name

    def srcset(self) -> str:
        """``…-480w.jpg 480w, …, original.jpg 2000w`` (empty without renditions)."""
        if not self.renditions:
            return ""
        storage = self.file.storage
        candidates = [
            f"{storage.url(name)} {width}w"
            for width, name in sorted(self.renditions.items(), key=lambda item: int(item[0]))
        ]
        return ", ".join([*candidates, f"{self.file.url} {self.width}w"])
