"""The media library in the admin: editors upload (through ``image_create``)
and list images with thumbnails; a change edits the alt text and caption only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from images.models import Image
from images.services import image_create, image_update
from newsroom.admin_saving import SaveErrorsAsFormErrorsMixin


class ImageAddForm(forms.ModelForm):
    """Stores the upload while validating, so a bad file is a form error."""

    class Meta:
        model = Image
        fields = ("file", "alt", "caption")

    def __init__(self, *args, uploaded_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploaded_by = uploaded_by
        self.created = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.created = image_create(
                file=cleaned["file"],
                alt=cleaned["alt"],
                caption=cleaned.get("caption", ""),
                uploaded_by=self.uploaded_by,
            )
        except ValidationError as error:
            self.add_error(None, error)  # keyed by field: "file" or "alt"
        return cleaned


@admin.register(Image)
class ImageAdmin(SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
    list_display = ("thumbnail", "alt", "size", "uploaded_by", "created_at")
    list_display_links = ("thumbnail", "alt")
    list_select_related = ("uploaded_by",)
    search_fields = ("alt", "caption", "file")
    date_hierarchy = "created_at"
    readonly_fields = ("preview", "file_url", "size", "uploaded_by", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = super().get_form(request, obj, change=change, form=ImageAddForm, **kwargs)

            class BoundAddForm(form):
                def __init__(self, *args, **inner):
                    super().__init__(*args, uploaded_by=request.user, **inner)

            return BoundAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("file", "alt", "caption")
        return ("preview", "alt", "caption", "file_url", "size", "uploaded_by", "created_at")

    def save_model(self, request, obj, form, change):
        if change:
            image_update(image=obj, alt=obj.alt, caption=obj.caption)
            return
        # Stored by the form's clean() (image_create); the same file uploaded
        # before is that earlier Image, which the admin then opens.
        obj.__dict__.update(form.created.__dict__)

    @admin.display(description="image")
    def thumbnail(self, image):
        return format_html('<img src="{}" alt="" width="120" loading="lazy">', _smallest_url(image))

    @admin.display(description="preview")
    def preview(self, image):
        return format_html('<img src="{}" alt="{}" width="480">', _smallest_url(image), image.alt)

    @admin.display(description="address to use")
    def file_url(self, image):
        return image.file.url

    @admin.display(description="size")
    def size(self, image):
        return f"{image.width} × {image.height}"


def _smallest_url(image: Image) -> str:
    if image.renditions:
        smallest = min(image.renditions, key=int)
        return image.file.storage.url(image.renditions[smallest])
    return image.file.url
