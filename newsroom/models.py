from django.db import DEFAULT_DB_ALIAS, models

SITE_SETTINGS_CACHE_KEY = "site-settings"


class SiteSettings(models.Model):
    """The one row that names the site: its name and tagline, as in WordPress.

    Templates read it through the ``site_settings`` context processor, which
    serves it from the cache, keyed by the ``content`` generation that saving
    bumps.
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
        super().save(*args, **kwargs)  # post_save bumps "content" (articles.signals)

    @classmethod
    def load(cls) -> "SiteSettings":
        # Imported here: the page cache records unreachable bumps in this module.
        from newsroom import pagecache

        # Saving bumps "content" (articles.signals), durably even when the cache
        # is unreachable, so a copy from before the change is never read again.
        # Cached like a fragment, so a page reads it in its one round trip.
        return pagecache.cached_value(
            SITE_SETTINGS_CACHE_KEY, pagecache.CONTENT, build=cls._from_database
        )

    @classmethod
    def _from_database(cls) -> "SiteSettings":
        return cls.objects.filter(pk=1).first() or cls._create_defaults()

    @classmethod
    def _create_defaults(cls) -> "SiteSettings":
        # The defaults change nothing readers see, so they are created without
        # post_save: the first page rendered does not invalidate the page cache.
        cls.objects.bulk_create([cls(pk=1)], ignore_conflicts=True)
        return cls.objects.using(DEFAULT_DB_ALIAS).get(pk=1)


class PendingInvalidation(models.Model):
    """A cache invalidation that could not be done when it was asked for.

    ``newsroom.pagecache.bump`` writes one row per name it could not bump
    (Redis unreachable from that process); whichever process reaches the cache
    next applies and deletes it (``pagecache.pending_invalidations_apply``).
    Rows are never updated, only added and deleted by primary key, so a row
    written while another process is applying older ones is never lost.
    """

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""), name="pending_invalidation_name_not_empty"
            )
        ]

    def __str__(self):
        return self.name


class PendingPurge(models.Model):
    """A frontend-cache purge that a cache did not confirm when it was sent.

    ``newsroom.frontcache.purge`` writes one row per cache (``frontend``, its
    configured URL without secrets) and name; whichever process reaches that
    cache next sends it and deletes the row (``frontcache.pending_purges_apply``).
    Like ``PendingInvalidation``, rows are only added and deleted by primary key.
    """

    frontend = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""), name="pending_purge_name_not_empty"
            )
        ]

    def __str__(self):
        return f"{self.name} on {self.frontend}"
