from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate

from newsroom.db_router import PIN_COOKIE


def sync_site_domain(**kwargs):
    """Keep django.contrib.sites' one Site on the configured domain.

    Sitemaps, feeds and flat pages build absolute links from it; the domain
    comes from ``NEWSROOM_SITE_DOMAIN`` so it never depends on a request's Host header.
    """
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.NEWSROOM_SITE_DOMAIN, "name": settings.NEWSROOM_SITE_DOMAIN},
    )


class NewsroomConfig(AppConfig):
    """The project's own app: the site's identity (name, tagline, domain), the
    page cache's own cookie (the replica pin) and its retries."""

    name = "newsroom"
    verbose_name = "Site"

    def ready(self):
        # Here, not at the top: pagecache and tasks import models.
        # ``checks`` registers the project's system checks as it is imported.
        from newsroom import checks, frontcache, pagecache, tasks  # noqa: F401

        post_migrate.connect(
            sync_site_domain, sender=self, dispatch_uid="newsroom.sync_site_domain"
        )
        # A visitor pinned to the primary has just written: their pages are their own.
        pagecache.register_personal_cookie(PIN_COOKIE)
        pagecache.invalidation_deferred.connect(
            tasks.retry_deferred_invalidations, dispatch_uid="newsroom.retry_invalidations"
        )
        frontcache.purge_deferred.connect(
            tasks.retry_deferred_invalidations, dispatch_uid="newsroom.retry_purges"
        )
