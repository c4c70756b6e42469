from django.contrib import admin
from django.contrib.flatpages.models import FlatPage

from newsroom.admin_saving import SaveErrorsAsFormErrorsMixin
from newsroom.models import SiteSettings

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom"

# Flat pages became pages (articles.Page; articles/migrations/0008): editors
# see one kind of page. The app stays installed for its old migrations.
if admin.site.is_registered(FlatPage):
    admin.site.unregister(FlatPage)


@admin.register(SiteSettings)
class SiteSettingsAdmin(SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
    list_display = ("name", "tagline")

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
