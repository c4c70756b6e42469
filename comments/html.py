"""A comment's text as readers see it, on the post page and in the feeds.

Comments are stored as the plain text the reader typed; this is the one place
that turns it into HTML (the ``comment_html`` template filter and the comment
feeds call it).
"""

from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe


def comment_html(body: str) -> SafeString:
    """A comment's plain text as safe HTML: escaped, paragraphs, links marked ``ugc``."""
    linked = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return mark_safe(linebreaks(linked, autoescape=False))
