from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Here, not at the top: these modules import models.
        from articles import selectors, signals  # noqa: F401  (signals: receivers)
        from newsroom import pagecache

        # Pages of published content expire when the next scheduled article goes live.
        pagecache.register_scheduled_change(selectors.next_scheduled_publish_at)
