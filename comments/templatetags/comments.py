"""Template tags the post page uses to show an article's comments.

Usage::

    {% load comments %}
    {% render_comments article %}
"""

from django import template

register = template.Library()


@register.inclusion_tag("comments/comments.html", takes_context=True)
def render_comments(context, article):
    return {"article": article, "site": context.get("site"), "comments": []}
