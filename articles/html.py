"""HTML that editors and importers write, made safe to show readers.

``sanitize_html`` is the one allowlist for article bodies: the rich-text
editor's output, seed documents and WordPress imports all pass through it when
an article is saved. It keeps ordinary article markup (paragraphs, headings,
lists, quotes, links, images, figures, tables) and drops everything that can
run script: ``<script>``, ``<style>``, event handler attributes,
``javascript:``/``data:`` URLs, ``<iframe>``, ``<object>``, SVG.
"""

import html as html_lib
import re

import nh3
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
}

URL_SCHEMES = {"http", "https", "mailto"}

EXCERPT_WORDS = 55  # WordPress's automatic excerpt length

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


# Characters XML 1.0 forbids (so feeds cannot carry them) and no reader means to type.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_control_characters(text: str) -> str:
    """``text`` without control characters other than tab and newlines."""
    return _INVALID_XML_CHARS.sub("", text or "")


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allowlist removed."""
    return _cleaner.clean(strip_control_characters(html)).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, with whitespace collapsed."""
    text = strip_tags(re.sub(r"</(p|h\d|li|blockquote|figcaption)>", r"</\1> ", html or ""))
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def excerpt_from_html(html: str, words: int = EXCERPT_WORDS) -> str:
    """The first ``words`` words of an HTML body, as plain text."""
    return Truncator(html_to_text(html)).words(words, truncate="…")


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Wrap plain-text paragraphs in escaped ``<p>`` elements."""
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
