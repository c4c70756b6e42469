"""Articles, the publications they are reposted from, and their categories.

What a reader may see is defined once, by ``ArticleQuerySet.published()``.
"""

import logging

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager

from articles.html import excerpt_from_html, sanitize_html, strip_control_characters
from articles.images import make_renditions
from newsroom.links import SafeURLField

logger = logging.getLogger(__name__)

# The longest body an article may have, in characters (about 150,000 words of
# HTML): far beyond any article, short of what would strain a page or a feed.
ARTICLE_BODY_MAX_LENGTH = 1_000_000

# What the editor's toolbar offers; ``sanitize_html`` decides what is kept.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


def unique_slug(instance: models.Model, value: str, *, max_length: int = 200) -> str:
    """A slug for ``value`` not used by another row of ``instance``'s model."""
    base = slugify(value, allow_unicode=True)[: max_length - 8].strip("-") or "untitled"
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class Source(models.Model):
    """A publication that articles are reposted from (The Cradle, Reuters, …)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    homepage_url = SafeURLField("homepage", max_length=500, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})


class Category(models.Model):
    """A section of the site; categories nest, as in WordPress."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="category_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A category cannot be inside itself."})
            ancestor = ancestor.parent


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())

    def for_listing(self):
        """Everything an article card shows (source, author), in the same query."""
        return self.select_related("source", "author")

    def with_filing(self):
        """Also the categories and tags (post page, feeds): two more queries, whatever the count."""
        return self.for_listing().prefetch_related("categories", "tags")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The last part of the article's address. Changing it breaks links.",
    )
    body = ProseEditorField(
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        blank=True,
        validators=[MaxLengthValidator(ARTICLE_BODY_MAX_LENGTH)],
    )
    excerpt = models.TextField(
        blank=True, help_text="Shown in listings and feeds. Left blank, the body's opening is used."
    )
    summary = models.TextField(
        editable=False, blank=True, help_text="The excerpt, or the body's opening when it is blank."
    )

    featured_image = models.ImageField(upload_to="articles/%Y/%m/", blank=True)
    featured_image_alt = models.CharField(
        "featured image alt text",
        max_length=300,
        blank=True,
        help_text="Describes the image for readers who cannot see it.",
    )
    featured_image_renditions = models.JSONField(default=dict, blank=True, editable=False)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The publication this article is reposted from.",
    )
    source_url = SafeURLField("original article URL", max_length=1000, blank=True)
    source_published_on = models.DateField("original publication date", null=True, blank=True)

    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    tags = TaggableManager(blank=True)

    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A published article with a future time is scheduled: readers see it from then.",
    )
    comments_enabled = models.BooleanField(default=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Maintained by a PostgreSQL trigger (see the migrations); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(
                fields=["status", "-publish_at", "-id"], name="article_status_publish_idx"
            ),
            models.Index(fields=["source", "-publish_at"], name="article_source_publish_idx"),
            models.Index(fields=["author", "-publish_at"], name="article_author_publish_idx"),
        ]

    def __str__(self):
        return self.title or f"(untitled article {self.pk})"

    def save(self, *args, **kwargs):
        self.title = strip_control_characters(self.title)
        self.excerpt = strip_control_characters(self.excerpt)
        if not self.slug:
            self.slug = unique_slug(self, self.title)
        self.body = sanitize_html(self.body)
        self.summary = self.excerpt.strip() or excerpt_from_html(self.body)
        image_changed = self._image_changed()
        super().save(*args, **kwargs)
        if image_changed:
            try:
                self.featured_image_renditions = (
                    make_renditions(self.featured_image) if self.featured_image else {}
                )
            except (OSError, ValueError) as error:
                # The original still serves every width; the article must not fail.
                logger.error("No renditions for article %s: %s", self.pk, error)
                self.featured_image_renditions = {}
            type(self).objects.filter(pk=self.pk).update(
                featured_image_renditions=self.featured_image_renditions
            )

    def get_absolute_url(self):
        local = timezone.localtime(self.publish_at)
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": self.slug},
        )

    def _image_changed(self) -> bool:
        if not self.featured_image:
            return bool(self.featured_image_renditions)
        stored = (
            type(self).objects.filter(pk=self.pk).values_list("featured_image", flat=True).first()
        )
        return (
            self.pk is None
            or stored != self.featured_image.name
            or not self.featured_image._committed
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def display_status(self) -> str:
        return "Scheduled" if self.is_scheduled else self.get_status_display()

    @property
    def featured_image_srcset(self) -> str:
        storage = self.featured_image.storage
        return ", ".join(
            f"{storage.url(name)} {width}w"
            for width, name in self.featured_image_renditions.items()
        )
