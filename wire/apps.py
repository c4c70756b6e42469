from django.apps import AppConfig


class WireConfig(AppConfig):
    """The wire: feed fetching (``wire.services``), the items desk (``wire.admin``)
    and reposting (``wire.reposting``). Knows ``articles``; ``articles`` does not know it."""

    name = "wire"
    verbose_name = "Wire"
