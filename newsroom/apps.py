from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_site_domain(**kwargs):
    """Keep django.contrib.sites' one Site on the configured domain.

    Sitemaps, feeds and flat pages build absolute links from it; the domain
    comes from ``SITE_DOMAIN`` so it never depends on a request's Host header.
    """
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_DOMAIN}
    )


class NewsroomConfig(AppConfig):
    """The project's own app: the site's identity (name, tagline, domain)."""

    name = "newsroom"
    verbose_name = "Site"

    def ready(self):
        post_migrate.connect(
            sync_site_domain, sender=self, dispatch_uid="newsroom.sync_site_domain"
        )
