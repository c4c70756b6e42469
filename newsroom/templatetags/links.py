"""``{{ url|safe_url }}``: a stored address, fit for an ``href`` (``newsroom.links``).

Templates that link to an address someone else gave (a commenter's website,
an article's original) pass it through this filter, so a row that reached the
database around the model's validation still cannot link to script::

    {% load links %}
    {% if comment.author_url|safe_url %}<a href="{{ comment.author_url|safe_url }}">…
"""

from django import template

from newsroom.links import safe_url as safe_url_value

register = template.Library()


@register.filter
def safe_url(value) -> str:
    """The address when it is an absolute http(s) URL, else ``""``."""
    return safe_url_value(value)
