"""Repost: a draft article from a story on another site, credited to its source.

``repost(*, url, editor, item=None, images="download")`` is the desk's one
way to turn a link into a draft; ``repost_url`` is the same, returning just the
article. Callers: the wire's Repost (``wire.services.wire_item_repost``, with the
``WireItem``; it marks the item and passes on the notes, this module writes no wire items) and the
admin's "Repost from a URL" (``wire.admin_views``).

1. An article already reposted from the same original (the URL asked for, or
   where it redirected) is returned as it is: no duplicate.
2. The page is fetched with the safe fetcher (``newsroom.fetching``: public
   addresses only, size and time limits, HTML only) and read by
   ``wire.extraction`` (title, body, date, lead image, site name).
3. The source: the wire item's, else the one whose homepage or feed is on the
   page's site, else one by the page's site name, else a new one (named after
   the site, its homepage the site's root) — the notes say which.
4. The lead image becomes the featured image and the body's images become
   media-library images (alt text: the original's, else the title), or are
   left out (``images="drop"``): ``wire.images``.
5. The draft is written through ``articles.services.article_save``, filed
   under the categories and tags the source's past articles use most
   (``wire.selectors.filing_suggestion``): suggestions on a draft, which the
   editor reviews before publishing.

Every failure raises ``RepostFailed`` with a sentence for the editor.
"""

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Source
from articles.services import article_save
from newsroom.fetching import HTML_TYPES, FetchRefused, fetch
from newsroom.links import safe_url
from wire.extraction import ExtractedArticle, ExtractionFailed, extract_article
from wire.images import ImageRefused, body_with_images, download_image
from wire.repost_selectors import bare_host, filing_suggestion, source_for_url
from wire.selectors import article_reposted_from

ImageChoice = Literal["download", "drop"]
SOURCE_URL_MAX_LENGTH = Article._meta.get_field("source_url").max_length


class RepostFailed(FetchRefused):
    """Nothing was reposted; ``str(error)`` tells the editor why. A kind of
    ``FetchRefused``, so a caller that shows the fetcher's refusals (the wire
    admin's Repost) shows these the same way."""


@dataclass
class Repost:
    article: Article
    created: bool  # False: the original had been reposted already
    notes: list[str] = field(default_factory=list)  # what the editor should check


def repost_url(
    *, url: str, editor: Any, item: Any = None, images: ImageChoice = "download"
) -> Article:
    """The draft reposted from ``url`` (or the article already reposted from it)."""
    return repost(url=url, editor=editor, item=item, images=images).article


def repost(*, url: str, editor: Any, item: Any = None, images: ImageChoice = "download") -> Repost:
    """Repost the story at ``url`` as a draft by ``editor``; see the module docstring.

    ``item``: the wire item it came from (its source and date fill gaps)."""
    if images not in ("download", "drop"):
        raise ValueError(f"images must be 'download' or 'drop', not {images!r}")
    address = safe_url(url)
    if not address:
        raise RepostFailed(f"{url!r} is not a web address (http:// or https://).")
    if existing := article_reposted_from(address):
        return _already(existing)
    page_url, html = _fetch_page(address)
    if page_url != address and (existing := article_reposted_from(page_url)):
        return _already(existing)
    try:
        extracted = extract_article(html, url=page_url)
    except ExtractionFailed as error:
        raise RepostFailed(f"{page_url}: {error}") from error
    notes: list[str] = []
    if extracted.paywalled:
        notes.append("Part of the original is for subscribers only: the draft holds the free part.")
    title = extracted.title or getattr(item, "title", "") or page_url
    body = body_with_images(extracted.body_html, images=images, title=title, editor=editor)
    notes += body.notes
    article = Article(
        title=title,
        body=body.html,
        author=editor,
        status=Article.Status.DRAFT,
        source_url=page_url,
        source_published_on=extracted.published_on or _item_date(item),
    )
    notes += _attach_lead_image(article, extracted)
    with transaction.atomic():
        article.source, source_note = _source_for(page_url, extracted, item)
        notes += [source_note] if source_note else []
        filing = filing_suggestion(article.source)
        article_save(article=article, categories=filing.categories, tags=filing.tags)
    notes += _filing_notes(article.source, filing)
    return Repost(article=article, created=True, notes=notes)


def _already(article: Article) -> Repost:
    note = f"This story was already reposted as “{article}”; no new draft was made."
    return Repost(article=article, created=False, notes=[note])


def _fetch_page(url: str) -> tuple[str, str | bytes]:
    """The final URL of the page at ``url``, and its text; its bytes when the
    answer names no charset (the page's ``<meta charset>`` then decides)."""
    try:
        fetched = fetch(url, accept=HTML_TYPES)
    except FetchRefused as error:
        raise RepostFailed(str(error)) from error
    if not fetched.ok:
        raise RepostFailed(f"{fetched.url} answered {fetched.status}: there is no page to repost.")
    if len(fetched.url) > SOURCE_URL_MAX_LENGTH:
        raise RepostFailed(
            f"{url} leads to an address longer than {SOURCE_URL_MAX_LENGTH} characters, "
            "too long to keep as the original's address."
        )
    return fetched.url.split("#", 1)[0], fetched.text if fetched.charset else fetched.content


def _item_date(item: Any):
    published_at = getattr(item, "published_at", None)
    return timezone.localtime(published_at).date() if published_at else None


def _attach_lead_image(article: Article, extracted: ExtractedArticle) -> list[str]:
    """Make the page's lead image the featured image; a note if it could not be."""
    if not extracted.lead_image_url:
        return ["The page names no lead image; the draft has no featured image."]
    try:
        image = download_image(extracted.lead_image_url)
        article.featured_image.save(image.name, image, save=False)
    except ImageRefused as error:
        return [f"The lead image was left out: {error}"]
    except OSError as error:  # the media storage is full or read-only
        return [f"The lead image could not be stored ({error.strerror or error}); add it by hand."]
    article.featured_image_alt = (extracted.lead_image_alt or extracted.title)[:300]
    return []


def _source_for(url: str, extracted: ExtractedArticle, item: Any) -> tuple[Source, str]:
    """The source to credit, and a note when it was guessed by name or created."""
    if item is not None and getattr(item, "source", None) is not None:
        return item.source, ""
    if source := source_for_url(url):
        return source, ""
    host = bare_host(url)
    name = (extracted.site_name or host)[:200]
    if source := Source.objects.filter(name__iexact=name).first():
        return source, f"The source “{source}” was chosen by the site's name ({name})."
    parts = urlsplit(url)
    source, _ = Source.objects.get_or_create(
        name=name, defaults={"homepage_url": f"{parts.scheme}://{parts.netloc}/"}
    )
    return source, (
        f"A new source “{source}” ({source.homepage_url}) was created for {host}: check its name."
    )


def _filing_notes(source: Source, filing) -> list[str]:
    if not filing.categories and not filing.tags:
        return []
    chosen = [category.name for category in filing.categories] + [f"#{t}" for t in filing.tags]
    return [
        f"Filed as {source}'s recent articles usually are ({', '.join(chosen)}): "
        "change it if this story differs."
    ]
