from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from articles.views import PageDetailView, robots_txt
from newsroom.pagecache import published_content as published
from newsroom.views import healthz

urlpatterns = [
    # The article editor's endpoints, before the admin's own catch-all.
    path(f"{settings.NEWSROOM_ADMIN_URL}editor/images/", include("images.urls")),
    path(f"{settings.NEWSROOM_ADMIN_URL}editor/", include("articles.editor_urls")),
    # The reposting desk's admin page, before the admin site's catch-all patterns.
    path(f"{settings.NEWSROOM_ADMIN_URL}wire/repost/", include("wire.admin_urls")),
    path(settings.NEWSROOM_ADMIN_URL, admin.site.urls),
    path(
        "sitemap.xml", published(sitemap_views.index), {"sitemaps": SITEMAPS}, name="sitemap-index"
    ),
    path(
        "sitemap-<section>.xml",
        published(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
    # Last: a page answers any address nothing above does (``/about/team/``).
    path("<pagepath:path>/", PageDetailView.as_view(), name="page"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages that never read the request's body (see newsroom.views).
handler400 = "newsroom.views.bad_request"
handler403 = "newsroom.views.permission_denied"
handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
