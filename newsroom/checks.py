"""System checks of the project's own settings, registered by ``NewsroomConfig.ready()``.

``newsroom.E001``: an entry of ``NEWSROOM_FRONTEND_CACHE_URLS`` names no cache
a backend of ``newsroom.frontcache`` can purge.

``newsroom.W001`` (deploy): ``NEWSROOM_FETCH_ALLOW_LOOPBACK`` is on, so fetches of
addresses editors paste and feeds supply (``newsroom.fetching``) may reach
services on the server itself. It is for tests and local development only.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_fetch_loopback(app_configs, **kwargs):
    if not settings.NEWSROOM_FETCH_ALLOW_LOOPBACK:
        return []
    return [
        Warning(
            "NEWSROOM_FETCH_ALLOW_LOOPBACK is on: pasted links and feeds can make the "
            "site fetch from services on its own machine (127.0.0.1, ::1).",
            hint="Turn it off (NEWSROOM_FETCH_ALLOW_LOOPBACK=0) outside tests and local "
            "development.",
            id="newsroom.W001",
        )
    ]


@register()
def check_frontend_cache_urls(app_configs=None, **kwargs):
    """Every NEWSROOM_FRONTEND_CACHE_URLS entry names a cache a backend can purge."""
    from newsroom.frontcache import frontends  # here: frontcache imports models

    try:
        frontends()
    except ValueError as error:
        return [Error(str(error), id="newsroom.E001")]
    return []
