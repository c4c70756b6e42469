"""The reposting desk's pages under the admin (``newsroom.urls`` mounts them at
``<admin>/wire/repost/``, ahead of the admin site's own patterns)."""

from django.urls import path

from wire.admin_views import repost_from_url

app_name = "reposting"

urlpatterns = [
    path("", repost_from_url, name="from_url"),
]
