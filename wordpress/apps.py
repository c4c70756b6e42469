from django.apps import AppConfig


class WordPressConfig(AppConfig):
    """Moving a WordPress site in: the WXR importer and the old links it keeps alive."""

    name = "wordpress"
    verbose_name = "WordPress import"
