import threading

from django.apps import AppConfig
from django.conf import settings

from comments.akismet import warn_if_key_invalid
from comments.conf import AUTHOR_COOKIE


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        # Here, not at the top: both import models. Importing comments.tasks
        # connects the receivers that queue the spam checks and the learning
        # (comments.services asks for them with signals).
        from comments import tasks  # noqa: F401
        from newsroom import pagecache

        # A remembered commenter sees the form filled in: their pages are their own.
        pagecache.register_personal_cookie(AUTHOR_COOKIE)
        if settings.COMMENTS_AKISMET_API_KEY:
            # Verify the key at start-up without delaying it.
            threading.Thread(
                target=warn_if_key_invalid, name="akismet-verify-key", daemon=True
            ).start()
