"""What an article page says: its title, body, author, date, lead image, site and language.

``extract_article(html, url=…)`` is called by ``wire.reposting.repost_url``
(the wire's Repost and the admin's "Repost from a URL") with a page the safe
fetcher (``newsroom.fetching``) brought back. It never fetches anything.

Two readers share the work:

- the **body** is trafilatura's (``bench/extraction.py`` measured it against
  readability-lxml on the 181 real pages of Scrapinghub's article extraction
  benchmark: see ``docs/reposting.md``), kept as HTML with its paragraphs,
  headings, lists, quotes, tables, links and images; relative addresses are
  made absolute, and the result goes through ``articles.html.sanitize_html``,
  the one sanitiser, before anyone sees it;
- the **metadata** is what the page declares for sharing and search engines —
  JSON-LD (``NewsArticle`` and its kin), Open Graph, ``<html lang>`` — with
  trafilatura's guesses (htmldate for the date, bylines for the author) when the
  page declares nothing.

A page with no article text raises ``ExtractionFailed`` with a sentence an
editor can read.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura
from cssselect import SelectorError

from articles.html import html_to_text, sanitize_html
from newsroom.links import safe_url

# schema.org types whose JSON-LD describes the article itself.
ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "ScholarlyArticle",
    "Report",
}

# How trafilatura is asked for the body (``bench/extraction.py`` measures the same).
TRAFILATURA_OPTIONS = {
    "output_format": "html",
    "include_comments": False,  # readers' comments are not the article
    "include_images": True,
    "include_links": True,
    "include_formatting": True,
    "include_tables": True,
}

# Boxes that ask the reader to subscribe or log in, by their usual class names.
PAYWALL_BOXES = ", ".join(
    f"[class*={name}], [id*={name}]" for name in ("paywall", "regwall", "piano-", "tp-modal")
)

# Fewer words than this in what trafilatura kept is a teaser or a navigation
# bar, not an article — unless it has this many characters (Chinese and
# Japanese put no spaces between words).
MIN_BODY_WORDS = 20
MIN_BODY_CHARACTERS = 140


class ExtractionFailed(Exception):
    """The page holds no article the desk can repost; the message says why."""


@dataclass(frozen=True)
class BodyImage:
    src: str
    alt: str


@dataclass(frozen=True)
class ExtractedArticle:
    url: str
    title: str
    body_html: str  # sanitised by articles.html.sanitize_html
    author: str = ""
    published_on: date | None = None
    lead_image_url: str = ""
    lead_image_alt: str = ""
    site_name: str = ""
    language: str = ""
    images: tuple[BodyImage, ...] = field(default_factory=tuple)
    # The page marks part of its text as for subscribers (or shows a paywall):
    # what was extracted is the free part only.
    paywalled: bool = False


def extract_article(html: str | bytes, *, url: str) -> ExtractedArticle:
    """The article on ``html``, the page found at ``url`` (bytes are decoded as the
    page's ``<meta charset>`` says, or as detected).

    Raises ``ExtractionFailed`` when the page cannot be read or holds no article text.
    """
    # trafilatura's own parser: the tree it reads best (lxml.html's default one
    # loses text on some real pages, e.g. in the benchmark's New York Times pages).
    page = trafilatura.load_html(html)
    if page is None:
        raise ExtractionFailed("The page is empty or could not be read as HTML.")
    declared = _declared_metadata(page)
    paywalled = _remove_paywalls(page)
    document = trafilatura.extract_with_metadata(page, url=url, **TRAFILATURA_OPTIONS)
    title = declared.get("title") or (document.title if document else "") or ""
    body = document.text if document and document.text else ""
    body = sanitize_html(_prepared_body(body, base=url, title=title)) if body else ""
    text = html_to_text(body)
    if len(text.split()) < MIN_BODY_WORDS and len(text) < MIN_BODY_CHARACTERS:
        raise ExtractionFailed(
            "No article text was found on the page (it may be a front page, "
            "a video, or behind a paywall)."
        )
    return ExtractedArticle(
        url=url,
        title=" ".join(title.split())[:300],
        body_html=body,
        author=declared.get("author") or (document.author or ""),
        published_on=_as_date(declared.get("published")) or _as_date(document.date),
        lead_image_url=_absolute(declared.get("image", ""), base=url),
        lead_image_alt=declared.get("image_alt", ""),
        site_name=declared.get("site_name") or (document.sitename or ""),
        language=declared.get("language", ""),
        images=tuple(_body_images(body)),
        paywalled=paywalled,
    )


# -- What the page declares: JSON-LD, Open Graph, <html lang> --------------------


def _declared_metadata(page: lxml.html.HtmlElement) -> dict[str, str]:
    """The first value each source gives, JSON-LD before Open Graph before the rest."""
    found: dict[str, str] = {}
    for key, value in (*_json_ld_values(page), *_meta_values(page)):
        if value and key not in found:
            found[key] = value.strip()
    return found


def _meta_values(page: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    meta = {}
    for element in page.iter("meta"):
        name = (element.get("property") or element.get("name") or "").strip().lower()
        if name and name not in meta:
            meta[name] = element.get("content") or ""
    yield "title", meta.get("og:title", "")
    yield "site_name", meta.get("og:site_name", "")
    yield "image", meta.get("og:image:secure_url") or meta.get("og:image", "")
    yield "image", meta.get("twitter:image", "")
    yield "image_alt", meta.get("og:image:alt") or meta.get("twitter:image:alt", "")
    yield "published", meta.get("article:published_time", "")
    yield "author", meta.get("author", "")
    yield "language", page.get("lang") or page.get("xml:lang") or ""
    yield "language", meta.get("og:locale", "").replace("_", "-")
    yield "language", meta.get("content-language", "")


def _json_ld_values(page: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    for item in _json_ld_articles(page):
        yield "title", _text(item.get("headline"))
        yield "published", _text(item.get("datePublished"))
        yield "author", ", ".join(_names(item.get("author")))
        yield "image", _image_url(item.get("image"))
        yield "site_name", ", ".join(_names(item.get("publisher")))
        yield "language", _text(item.get("inLanguage"))


def _json_ld_articles(page: lxml.html.HtmlElement) -> Iterator[dict]:
    """Every JSON-LD object on the page typed as an article (in ``@graph`` too)."""
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except ValueError:
            continue  # a broken block is the page's problem; the others may be fine
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                types = item.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & ARTICLE_TYPES:
                    yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def _names(value: object) -> list[str]:
    """Names from a schema.org Person/Organization, a list of them, or plain strings."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _image_url(value: object) -> str:
    """The first address in a schema.org ``image``: a URL, an ImageObject, or a list."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or ""
    return value if isinstance(value, str) else ""


def _as_date(value: str | None) -> date | None:
    """An ISO 8601 date or date-time (``2024-08-01``, ``2024-08-01T09:30:00+03:00``) as a date."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


# -- Paywalls and the body's addresses ---------------------------------------------


def _remove_paywalls(page: lxml.html.HtmlElement) -> bool:
    """Take out what the page marks as for subscribers only (schema.org's
    ``isAccessibleForFree: false`` parts, by their ``cssSelector``) and paywall
    or subscription boxes; return whether there were any."""
    selectors = [PAYWALL_BOXES]
    for item in _json_ld_articles(page):
        parts = item.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and str(part.get("isAccessibleForFree")).lower() == "false":
                selectors.append(_text(part.get("cssSelector")))
    found = False
    for selector in filter(None, selectors):
        try:
            elements = page.cssselect(selector)
        except (SelectorError, ValueError):
            continue  # the page's selector, not ours: a bad one is ignored
        for element in elements:
            if element.getparent() is not None:
                element.drop_tree()
                found = True
    return found


def _absolute(address: str, *, base: str) -> str:
    """``address`` resolved against the page's URL; ``""`` unless that is http(s)."""
    return safe_url(urljoin(base, address.strip())) if address else ""


def _prepared_body(body: str, *, base: str, title: str) -> str:
    """trafilatura's body without the headline (the article has its own title) and
    with every link and image address made absolute (the repost lives on another
    site, where the original's relative links would break)."""
    container = lxml.html.document_fromstring(body).body
    for heading in container.iter("h1"):
        if " ".join(heading.text_content().split()) == " ".join(title.split()):
            heading.drop_tree()
        else:
            heading.tag = "h2"  # the page's own h1 is the title
    for element in container.iter("a", "img"):
        attribute = "href" if element.tag == "a" else "src"
        value = element.get(attribute)
        if value is not None:
            element.set(attribute, _absolute(value, base=base))
    return (container.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in container
    )


def _body_images(body: str) -> Iterator[BodyImage]:
    if "<img" not in body:
        return
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    for element in fragment.iter("img"):
        if src := element.get("src"):
            yield BodyImage(src=src, alt=(element.get("alt") or "").strip())
