"""Articles, the publications they are reposted from, and their categories.

What a reader may see is defined once, by ``ArticleQuerySet.published()``.
Articles are written through ``articles.services`` (``save()`` here only fills
derived fields); sources and categories share ``SluggedBase``'s slug rule.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import slugify
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager

from articles.html import ALIGNMENT_CLASSES, excerpt_from_html
from newsroom.links import SafeURLField
from newsroom.naming import SUFFIX_ROOM, unique_name

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
    # WordPress's alignment classes on blocks (kept by sanitize_html), so an
    # imported aligned paragraph keeps its alignment through the editor.
    "NodeClass": {
        "cssClasses": dict.fromkeys(
            ("paragraph", "heading", "blockquote", "table"),
            [
                {"className": name, "title": name.removeprefix("align").capitalize()}
                for name in sorted(ALIGNMENT_CLASSES)
            ],
        )
    },
    # Images in figures (with captions), players and audio/video: the media
    # library's upload and the embed allowlist (static/js/editor-media.js).
    "Figure": True,
    "Caption": True,
    "Image": True,
    "NewsroomMedia": {
        "uploadUrl": reverse_lazy("images:upload"),
        "embedUrl": reverse_lazy("articles_editor:embed"),
    },
}


def _sanitised_by_article_save(html: str) -> str:
    """The editor field's sanitiser: none, so that a body is sanitised once per
    write, by ``articles.services.article_save`` (``sanitize_html``)."""
    return html


def unique_slug(instance: models.Model, value: str, *, max_length: int = 200) -> str:
    """A slug for ``value`` not used by another row of ``instance``'s model."""
    return free_slug(instance, slugify(value, allow_unicode=True), max_length=max_length)


def free_slug(instance: models.Model, slug: str, *, max_length: int = 200) -> str:
    """``slug``, or ``slug-2``, ``slug-3`` …: the first no other row of
    ``instance``'s model has."""
    base = slug[: max_length - SUFFIX_ROOM].strip("-") or "untitled"
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    return unique_name(
        base, taken=lambda candidate: others.filter(slug=candidate).exists(), max_length=max_length
    )


class SluggedBase(models.Model):
    """A name, a description, and a unique slug made from the name when left
    blank (django-taggit's ``TagBase`` pattern): sources and categories."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = free_slug(self, self.slugify(self.name))
        super().save(*args, **kwargs)

    def slugify(self, name: str) -> str:
        """The slug for ``name``, before it is made unique; a hook to override."""
        return slugify(name, allow_unicode=True)


class Source(SluggedBase):
    """A publication that articles are reposted from (The Cradle, Reuters, …)."""

    name = models.CharField(max_length=200, unique=True)
    homepage_url = SafeURLField("homepage", max_length=500, blank=True)
    feed_url = SafeURLField(
        "feed",
        max_length=500,
        blank=True,
        help_text="Its RSS or Atom feed: new items appear on the wire (the wire app fetches it).",
    )

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})


class Category(SluggedBase):
    """A section of the site; categories nest, as in WordPress."""

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

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A category cannot be inside itself."})
            ancestor = ancestor.parent


def category_and_descendants(root: int) -> set[int]:
    """The primary keys of category ``root`` and of every category inside it,
    at any depth: one query, and no recursion however deep the tree."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [root]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())

    def featured_first(self):
        """Featured articles pinned first, then the usual newest-first order
        (the home page; WordPress's sticky posts)."""
        return self.order_by("-is_featured", *Article._meta.ordering)

    def for_listing(self):
        """Everything an article card shows (source, author), in the same query."""
        return self.select_related("source", "author")

    def with_filing(self):
        """Also the categories and tags (post page, feeds): two more queries, whatever the count."""
        return self.for_listing().prefetch_related("categories", "tags")

    def in_category_tree(self, category):
        """Filed under ``category`` or a category inside it (category pages and feeds).

        A subquery rather than a join, so no DISTINCT is needed: counting and
        paging stay cheap however many categories an article has."""
        filed = Article.categories.through.objects.filter(
            category_id__in=category_and_descendants(category.pk)
        )
        return self.filter(pk__in=filed.values("article_id"))


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
        # Not here: the form would sanitise, then article_save again.
        sanitize=_sanitised_by_article_save,
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
    is_featured = models.BooleanField(
        "featured",
        default=False,
        help_text="Pinned at the top of the home page (WordPress's sticky posts).",
    )

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
            # The home page: featured first, then newest first.
            models.Index(
                fields=["status", "-is_featured", "-publish_at", "-id"],
                name="article_featured_publish_idx",
            ),
        ]

    def __str__(self):
        return self.title or f"(untitled article {self.pk})"

    def save(self, *args, **kwargs):
        """Fill the derived fields. Sanitising, renditions and cache refreshes
        are ``articles.services.article_save``'s: write articles through it."""
        if not self.slug:
            self.slug = unique_slug(self, self.title)
        self.summary = self.excerpt.strip() or excerpt_from_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.publish_at)
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": self.slug},
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
