from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import models

SITE_SETTINGS_CACHE_KEY = "newsroom:site-settings"


class SiteSettings(models.Model):
    """The one row that names the site: its name and tagline, as in WordPress.

    Templates read it through the ``site_settings`` context processor, which
    serves it from the cache; saving clears that cache.
    """

    name = models.CharField(max_length=100, default="Newsroom")
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(
        blank=True, help_text="Used as the home page's meta description and the feeds' subtitle."
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_singleton")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(SITE_SETTINGS_CACHE_KEY)

    @classmethod
    def load(cls) -> "SiteSettings":
        site = cache.get(SITE_SETTINGS_CACHE_KEY)
        if site is None:
            site, _ = cls.objects.get_or_create(pk=1)
            cache.set(SITE_SETTINGS_CACHE_KEY, site, timeout=django_settings.FRAGMENT_CACHE_SECONDS)
        return site
