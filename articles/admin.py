import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import ngettext

from articles.models import Article, Category, Page, Source
from articles.services import article_save, articles_publish, articles_unpublish
from newsroom.admin_saving import SaveErrorsAsFormErrorsMixin

logger = logging.getLogger(__name__)


class ArticleAdminForm(forms.ModelForm):
    """Stores an uploaded image while validating, so a full or read-only media
    folder is a form error (with nothing saved) rather than a failed save."""

    class Meta:
        model = Article
        fields = (
            "title", "slug", "body", "excerpt", "status", "publish_at", "author",
            "is_featured", "comments_enabled", "source", "source_url", "source_published_on", "categories",
            "tags", "featured_image", "featured_image_alt",
        )  # fmt: skip

    def clean_featured_image(self):
        image = self.cleaned_data.get("featured_image")
        if not isinstance(image, UploadedFile):
            return image
        field = Article._meta.get_field("featured_image")
        try:
            return field.storage.save(field.generate_filename(self.instance, image.name), image)
        except OSError as error:
            logger.error("Could not store an uploaded image: %s", error)
            raise ValidationError(
                "The image could not be stored (%(reason)s). The article was not saved; "
                "please try again, or ask an administrator to check the media storage.",
                params={"reason": error.strerror or type(error).__name__},
            ) from error


class ArticleStatusFilter(admin.SimpleListFilter):
    """Status as editors think of it: scheduled is its own state."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("pending", "Pending review"),
            ("scheduled", "Scheduled"),
            ("live", "Published (live)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft" | "pending":
                return queryset.filter(status=self.value())
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


class PublishingMixin:
    """What the post and page admins share: a status column that says
    "Scheduled", the publish and unpublish actions, and the one write path."""

    actions = ("publish", "unpublish")

    def save_model(self, request, obj, form, change):
        # The row through the one write path; categories and tags follow in
        # save_related (form.save_m2m), in the same transaction.
        article_save(article=obj)

    @admin.display(description="status", ordering="status")
    def status_label(self, article):
        return article.display_status

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        count = articles_publish(articles=queryset)
        self._tell(request, count, "published")

    @admin.action(description="Unpublish selected (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = articles_unpublish(articles=queryset)
        self._tell(request, count, "unpublished")

    def _tell(self, request, count: int, done: str) -> None:
        opts = self.model._meta
        name = ngettext(opts.verbose_name, opts.verbose_name_plural, count)
        self.message_user(request, f"{count} {name} {done}.", messages.SUCCESS)


@admin.register(Article)
class ArticleAdmin(PublishingMixin, SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
    """Posts; pages have their own admin (``PageAdmin``)."""

    form = ArticleAdminForm
    list_display = ("title", "status_label", "publish_at", "source", "author")
    list_display_links = ("title",)
    list_filter = (ArticleStatusFilter, "is_featured", "categories", "source", "author")
    list_select_related = ("source", "author")
    date_hierarchy = "publish_at"
    search_fields = ("title", "slug", "body", "source__name")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("source", "categories")
    readonly_fields = ("image_preview", "created_at", "updated_at")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("title", "slug", "body", "excerpt")}),
        (
            "Publishing",
            {"fields": ("status", "publish_at", "author", "is_featured", "comments_enabled")},
        ),
        ("Source", {"fields": ("source", "source_url", "source_published_on")}),
        ("Filing", {"fields": ("categories", "tags")}),
        (
            "Featured image",
            {"fields": ("featured_image", "image_preview", "featured_image_alt")},
        ),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).posts()

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description="preview")
    def image_preview(self, article):
        if not article.featured_image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="320">',
            article.featured_image.url,
            article.featured_image_alt,
        )


class PageAdminForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = (
            "title", "slug", "parent", "menu_order", "body", "status", "publish_at",
            "comments_enabled",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = Page.objects.exclude(pk=self.instance.pk).order_by("path")
        parent.label_from_instance = lambda page: f"/{page.path}/ — {page.title}"


@admin.register(Page)
class PageAdmin(PublishingMixin, SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
    """Pages (About, Contact, /about/team/): title, address, body, publishing;
    no source, byline or filing."""

    form = PageAdminForm
    list_display = ("title", "address", "status_label", "menu_order", "publish_at")
    list_display_links = ("title",)
    list_filter = (ArticleStatusFilter,)
    search_fields = ("title", "path", "body")
    ordering = ("path",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_at", "updated_at")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("title", "slug", "parent", "menu_order", "body")}),
        ("Publishing", {"fields": ("status", "publish_at", "comments_enabled")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="address", ordering="path")
    def address(self, page):
        return f"/{page.path}/"

    def save_model(self, request, obj, form, change):
        if obj.pk is None and obj.author_id is None:
            obj.author = request.user  # the page's history, never shown to readers
        super().save_model(request, obj, form, change)


class ArticleCountMixin:
    """An ``article count`` column, counted in the changelist's one query."""

    def get_queryset(self, request):
        # Meta.ordering does not apply to GROUP BY queries; keep lists and the
        # autocomplete's pages in a stable order.
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles"))
            .order_by(*self.model._meta.ordering, "pk")
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Source)
class SourceAdmin(SaveErrorsAsFormErrorsMixin, ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "homepage_url", "feed_url", "article_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Category)
class CategoryAdmin(SaveErrorsAsFormErrorsMixin, ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "parent", "slug", "article_count")
    list_select_related = ("parent",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
