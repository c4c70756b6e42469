from django.contrib import admin

from newsroom.admin_saving import SaveErrorsAsFormErrorsMixin
from newsroom.models import SiteSettings

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom"


@admin.register(SiteSettings)
class SiteSettingsAdmin(SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
    list_display = ("name", "tagline")

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
