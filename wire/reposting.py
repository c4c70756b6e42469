"""Reposting: a draft article made from a link (and the wire item it came from).

PLACEHOLDER. ``repost_url`` here makes the draft from the wire item's own
fields (title, link, source, date, summary) without fetching the page; the
reposting work (extraction of the original's body, its images, the lead image,
suggested categories and tags, "Repost from a URL" in the article admin)
replaces this body and keeps the signature.

Called by ``wire.services.wire_item_repost`` (the wire admin's Repost), which
marks the item reposted: ``repost_url`` does not write wire items.
"""

from django.utils import timezone

from articles.html import paragraphs_to_html
from articles.models import Article
from articles.services import article_save

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length


def repost_url(*, url: str, editor, item=None, images: str = "download") -> Article:
    """A new draft article reposted from ``url``, written by ``editor``.

    ``item``: the ``WireItem`` it came from, if any (its title, source and date
    are used). ``images``: ``"download"`` (into media) or ``"drop"``."""
    if images not in ("download", "drop"):
        raise ValueError(f"images must be 'download' or 'drop', not {images!r}")
    title = (item.title if item else "") or url
    published = item.published_at if item else None
    article = Article(
        title=title[:TITLE_MAX_LENGTH],
        author=editor,
        status=Article.Status.DRAFT,
        source=item.source if item else None,
        source_url=url,
        source_published_on=timezone.localtime(published).date() if published else None,
        body=paragraphs_to_html([item.summary]) if item and item.summary else "",
    )
    return article_save(article=article)
