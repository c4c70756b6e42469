import threading

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from django.conf import settings

        if settings.AKISMET_API_KEY:
            from comments.akismet import warn_if_key_invalid

            # Verify the key at start-up without delaying it.
            threading.Thread(
                target=warn_if_key_invalid, name="akismet-verify-key", daemon=True
            ).start()
