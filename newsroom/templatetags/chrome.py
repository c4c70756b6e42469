"""The parts of the reader's pages that are the same for every reader and
every page — the links in ``<head>``, the site header, the footer — rendered
once per content change (renaming the site bumps ``content``) through
``pagecache.fragment``, not on every page::

    {% load chrome %}
    {% shared_include "includes/footer.html" %}

The template sees ``site`` (the site settings) and nothing else, so it cannot
show anything personal by mistake.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from newsroom import pagecache
from newsroom.models import SiteSettings

register = template.Library()


@register.simple_tag(takes_context=True)
def shared_include(context, template_name: str) -> str:
    """``template_name`` rendered with the site settings alone, kept until
    content changes (and per year: the footer's copyright line)."""
    site = context.get("site") or SiteSettings.load()  # an error page may lack it
    html = pagecache.fragment(
        f"chrome:{template_name}:{timezone.localdate().year}",
        pagecache.CONTENT,
        build=lambda: render_to_string(template_name, {"site": site}),
    )
    return mark_safe(html)
