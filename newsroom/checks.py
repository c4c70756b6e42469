"""System checks of the project's own settings, registered by ``NewsroomConfig.ready()``.

``newsroom.W001`` (deploy): ``NEWSROOM_FETCH_ALLOW_LOOPBACK`` is on, so fetches of
addresses editors paste and feeds supply (``newsroom.fetching``) may reach
services on the server itself. It is for tests and local development only.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
