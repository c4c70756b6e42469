from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project's own app: the site's identity (name, tagline)."""

    name = "newsroom"
    verbose_name = "Site"
