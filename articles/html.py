"""HTML that editors and importers write, made safe to show readers.

``sanitize_html`` is the one allowlist for article bodies: the rich-text
editor's output, seed documents and WordPress imports all pass through it when
an article is saved. It keeps ordinary article markup (paragraphs, headings,
lists, quotes, links, images, figures, tables) and drops everything that can
run script: ``<script>``, ``<style>``, event handler attributes,
``javascript:``/``data:`` URLs, ``<object>``, SVG.

Two exceptions are narrow on purpose:

* ``<iframe>`` survives only with the canonical player URL of an allowed
  embed provider (``articles.embeds.is_embed_src``), a ``title`` and
  ``loading="lazy"``; any other iframe is removed with what it holds;
* ``srcset`` (and ``sizes``) on ``<img>`` survive only when every candidate
  URL is under ``MEDIA_URL`` — the library's renditions, which
  ``article_save`` writes (``images.html.responsive_images``); a srcset naming
  any other address is dropped whole;
* ``class`` survives only as WordPress's alignment classes (``alignleft`` …),
  which the site's stylesheet knows.

``<audio>``/``<video>`` keep their ``<source>``s; what else they held (shown
only by browsers that cannot play them, or swallowed by an unclosed tag) is
moved after them, so no text hides inside a player. ``<tt>`` (obsolete) is kept
as ``<code>``; ``<details>``/``<summary>`` are kept.
"""

import html as html_lib
import re

import nh3
from django.conf import settings
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator

from articles.embeds import is_embed_src

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "details", "summary", "iframe", "audio", "video",
    "source",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "srcset", "sizes"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
    "details": {"open"},
    "iframe": {"src", "title", "loading"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
}

# WordPress's alignment classes (the classic editor's and the block editor's).
ALIGNMENT_CLASSES = {
    "alignleft",
    "alignright",
    "aligncenter",
    "alignnone",
    "alignwide",
    "alignfull",
}
_ALIGNABLE = ("p", "div", "figure", "img", "table", "blockquote", "h2", "h3", "h4", "h5", "h6")

URL_SCHEMES = {"http", "https", "mailto"}

EXCERPT_WORDS = 55  # WordPress's automatic excerpt length


_SRCSET_DESCRIPTOR = re.compile(r"\d{1,5}w|\d{1,2}(?:\.\d{1,3})?x")
# A media condition and lengths: no URL, no function but the few CSS ones.
_SIZES = re.compile(r"[\w\s().,:%+*/-]{1,300}")
_SIZES_FUNCTIONS = re.compile(r"([a-z-]+)\(")


def _media_path(url: str) -> bool:
    """Whether ``url`` is under MEDIA_URL (a path on this site, or the media host)."""
    prefix = settings.MEDIA_URL
    if prefix.startswith("/") and url.startswith("//"):
        return False
    return url.startswith(prefix) and ".." not in url and "\\" not in url


def srcset_is_local(value: str) -> bool:
    """Whether every candidate of a ``srcset`` is a media URL with a width or density."""
    candidates = [c.split() for c in value.split(",")]
    return bool(candidates) and all(
        len(c) in (1, 2)
        and _media_path(c[0])
        and (len(c) == 1 or _SRCSET_DESCRIPTOR.fullmatch(c[1]))
        for c in candidates
    )


def _sizes_ok(value: str) -> bool:
    return bool(_SIZES.fullmatch(value)) and all(
        name in ("min-width", "max-width", "calc") for name in _SIZES_FUNCTIONS.findall(value)
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src":
        return value if is_embed_src(value) else None
    if tag == "img" and attribute == "srcset":
        return value if srcset_is_local(value) else None
    if tag == "img" and attribute == "sizes":
        return value if _sizes_ok(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    allowed_classes=dict.fromkeys(_ALIGNABLE, ALIGNMENT_CLASSES),
    set_tag_attribute_values={"iframe": {"loading": "lazy"}},
    attribute_filter=_filter_attribute,
)
# nh3's output is normalised HTML: every attribute is written name="value" with
# any ``"`` inside escaped (but ``>`` may stand in a value, so a tag ends at the
# first ``>`` *after its attributes*), and an iframe's content (raw text, never
# shown) cannot hold ``</iframe``.
_ATTRIBUTES = r'((?:\s+[\w:.-]+="[^"]*")*)'
_IFRAME = re.compile(r"<iframe" + _ATTRIBUTES + r"\s*>.*?</iframe>", re.S)
_TT = re.compile(r"<(/?)tt\b", re.I)
_MEDIA = re.compile(r"<(audio|video)" + _ATTRIBUTES + r"\s*>(.*?)</\1>", re.S)
_SOURCE = re.compile(r"<source" + _ATTRIBUTES + r"\s*/?>")
# A class attribute left empty once the alignment allowlist took its values.
_EMPTY_CLASS = re.compile(r' class=""')


def _keep_player(match: re.Match) -> str:
    """A kept iframe loses its content; one whose ``src`` was refused goes."""
    return f"<iframe{match[1]}></iframe>" if ' src="' in match[1] else ""


def _media_out(match: re.Match) -> str:
    tag, attrs, inner = match.groups()
    sources = "".join(m.group(0) for m in _SOURCE.finditer(inner))
    return f"<{tag}{attrs}>{sources}</{tag}>{_SOURCE.sub('', inner)}"


# Characters XML 1.0 forbids (so feeds cannot carry them) and no reader means to type.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_control_characters(text: str) -> str:
    """``text`` without control characters other than tab and newlines."""
    return _INVALID_XML_CHARS.sub("", text or "")


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allowlist removed."""
    html = _TT.sub(r"<\1code", strip_control_characters(html))
    clean = _cleaner.clean(html)
    if "<iframe" in clean:
        clean = _IFRAME.sub(_keep_player, clean)
    if "<audio" in clean or "<video" in clean:
        clean = _MEDIA.sub(_media_out, clean)
    return _EMPTY_CLASS.sub("", clean).strip()


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
