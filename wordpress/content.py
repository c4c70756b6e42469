"""WordPress post content, converted to the HTML a Newsroom article keeps.

``convert_post`` does what WordPress does when it shows a post, so the article
reads as it did there:

* block-editor comments (``<!-- wp:paragraph -->``) are removed and the HTML
  between them kept;
* embedded media (iframes, embed blocks, Flash, a provider URL alone on its
  line) becomes the provider's player, or a link, reported
  (``wordpress.embedded``);
* ``[caption]`` becomes a ``<figure>`` with a ``<figcaption>``; ``[gallery]`` a
  list of the post's images (or is removed, with a note, when they are not in
  the export); media shortcodes (``[embed]URL[/embed]``, ``[youtube …]``,
  ``[audio …]`` …) become the provider's player, an ``<audio>``/``<video>``
  for a media file, or else a link, reported; known shortcodes that show
  nothing without their plugin are removed, keeping what they enclose;
  unknown ones stay as written and are reported by name. Bracketed prose
  (``[sic]``) is text and stays, unreported. Inside ``<pre>`` and ``<code>``
  nothing is expanded: a post that documents ``[php]…[/php]`` keeps it;
* ``<h1>`` in a post becomes ``<h2>`` (the page's title is its ``<h1>``);
* classic-editor content gets WordPress's automatic paragraphs (``wpautop``);
* ``<!--more-->`` ends the excerpt: what comes before it becomes the excerpt
  when the post has none of its own;
* a first line that is a source line (``The Cradle | August 1, 2024``) is
  taken out of the body and returned as the credit, read by the same parser
  as the seed loader (``articles.attribution``).

The result is sanitised when the article is saved (``Article.save``).
"""

import html as html_lib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape

from articles.attribution import SourceCredit, parse_source_line
from wordpress.embedded import Losses, convert_embeds, media_shortcode, outside_code


@dataclass(frozen=True)
class GalleryImage:
    url: str
    alt: str = ""
    caption: str = ""


# Given a ``[gallery]``'s ``ids`` (None: the post's own attached images),
# return its images, or None when the export does not say which they are.
GalleryLookup = Callable[[Sequence[str] | None], Sequence[GalleryImage] | None]


@dataclass
class ConvertedPost:
    body: str
    excerpt: str
    credit: SourceCredit | None = None
    notes: list[str] = field(default_factory=list)


def convert_post(
    content: str,
    *,
    excerpt: str = "",
    gallery: GalleryLookup | None = None,
    source_line: bool = True,
) -> ConvertedPost:
    """Convert a post's ``content:encoded`` (and ``excerpt:encoded``) for Newsroom;
    ``source_line``: take a source line (``The Cradle | August 1, 2024``) out
    of the body, as the post's credit (a page keeps it as text)."""
    notes: list[str] = []
    losses = Losses()
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    has_blocks = bool(BLOCK_COMMENT.search(content))
    dynamic = sorted({m["name"] for m in DYNAMIC_BLOCK.finditer(content)} - {"more", "nextpage"})
    if dynamic:
        notes.append(
            "blocks WordPress builds when the page is shown have no HTML to keep: "
            + ", ".join(dynamic)
        )
    content = BLOCK_COMMENT.sub("", content)
    # The page's title is its <h1>; a heading inside the post is one level below.
    content = H1.sub(r"<\1h2", content)
    content = NEXTPAGE.sub("\n\n", content)
    content = convert_embeds(content, losses)

    before_more = None
    more = MORE.search(content)
    if more:
        before_more = content[: more.start()]
        content = content[: more.start()] + content[more.end() :]

    def render(text: str, record: list[str] | None, found: Losses | None) -> str:
        text = expand_shortcodes(text, gallery=gallery, notes=record, losses=found)
        return text if has_blocks else wpautop(text)

    body = re.sub(r"\n{3,}", "\n\n", render(content, notes, losses))
    notes.extend(losses.notes())
    body, credit = take_source_line(body) if source_line else (body, None)

    summary = plain_text(excerpt) if excerpt and excerpt.strip() else ""
    if not summary and before_more is not None:
        teaser = render(before_more, None, None)
        if source_line:
            teaser, _ = take_source_line(teaser)
        summary = plain_text(teaser)
    return ConvertedPost(body=body.strip(), excerpt=summary, credit=credit, notes=notes)


_TEXT_BREAK = re.compile(
    r"</(?:p|h\d|li|blockquote|figcaption|div|td|th|dd|pre)\s*>|<br\s*/?>", re.I
)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def plain_text(value: str) -> str:
    """The text of a title, a name or an excerpt: tags removed, entities decoded,
    whitespace collapsed. (A regular expression is enough: the text is escaped
    wherever it is shown, and it is much quicker than an HTML parser.)"""
    value = value or ""
    if "<" in value:
        value = _TAG.sub("", _TEXT_BREAK.sub(r"\g<0> ", value))
    if "&" in value:
        value = html_lib.unescape(value)
    return " ".join(value.split())


def comment_text(value: str) -> str:
    """A WordPress comment (HTML allowed) as the plain text Newsroom comments are.

    Paragraphs and line breaks are kept as newlines, a link keeps its address
    when its text is something else, other tags are removed.
    """

    def link(match: re.Match) -> str:
        href = html_lib.unescape(match["href"])
        text = re.sub(r"<[^>]*>", "", match["text"]).strip()
        return text if not text or html_lib.unescape(text) == href else f"{text} ({href})"

    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" not in value and "&" not in value:  # most comments are plain text already
        lines = [line.strip() for line in value.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    value = re.sub(
        r"""<a\s[^>]*?href\s*=\s*(["'])(?P<href>.*?)\1[^>]*>(?P<text>.*?)</a\s*>""",
        link,
        value,
        flags=re.I | re.S,
    )
    value = re.sub(r"<br\s*/?>[ \t]*\n?", "\n", value, flags=re.I)
    value = re.sub(r"</(p|div|h\d|li|blockquote|pre)\s*>", "\n\n", value, flags=re.I)
    value = re.sub(r"<!--.*?-->|<[^>]*>", "", value, flags=re.S)
    value = html_lib.unescape(value)
    lines = [line.strip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- Block editor -----------------------------------------------------------------

# ``<!-- wp:name {"attrs"} -->``, ``<!-- /wp:name -->`` and ``<!-- wp:name /-->``.
# WordPress escapes ``>`` and ``--`` inside the attributes, so ``.*?`` is safe.
BLOCK_COMMENT = re.compile(r"<!--\s+/?wp:[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?\b.*?-->", re.S)
# Self-closing blocks (``<!-- wp:latest-posts {…} /-->``) are rendered by PHP.
DYNAMIC_BLOCK = re.compile(r"<!--\s+wp:(?P<name>[a-z][a-z0-9_/-]*)\b[^>]*?/-->", re.S)
H1 = re.compile(r"<(/?)h1\b", re.I)
MORE = re.compile(r"<!--more(?:\s.*?)?-->", re.S | re.I)
NEXTPAGE = re.compile(r"<!--nextpage-->", re.I)


# -- Source line ------------------------------------------------------------------

_FIRST_PARAGRAPH = re.compile(r"\A\s*<p(?:\s[^>]*)?>(?P<inner>.*?)</p>\s*", re.S | re.I)
_BR = re.compile(r"<br\s*/?>\s*", re.I)


def take_source_line(body: str) -> tuple[str, SourceCredit | None]:
    """Remove a leading source line from ``body``; return the body and the credit.

    The line is the first paragraph, or its first line when a ``<br>`` follows.
    """
    match = _FIRST_PARAGRAPH.match(body)
    if match:
        first, *rest = _BR.split(match["inner"], maxsplit=1)
        credit = parse_source_line(plain_text(first))
        if credit is None:
            return body, None
        remaining = rest[0].strip() if rest else ""
        tail = body[match.end() :]
        if credit.byline:  # the writer stays, as the original page showed them
            tail = f"<p>{html_lib.escape(credit.byline)}</p>\n" + (
                f"<p>{remaining}</p>\n{tail}" if remaining else tail
            )
            return tail, credit
        return (f"<p>{remaining}</p>\n{tail}" if remaining else tail), credit
    # Content with no paragraphs yet (block content starting with text).
    first, newline, tail = body.lstrip().partition("\n")
    if "<" not in first:
        credit = parse_source_line(html_lib.unescape(first))
        if credit is not None:
            byline = f"<p>{html_lib.escape(credit.byline)}</p>\n" if credit.byline else ""
            return byline + tail.lstrip(), credit
    return body, None


# -- Shortcodes -------------------------------------------------------------------

# WordPress's get_shortcode_regex(), for any name: [[escaped]], [name attrs],
# [name attrs /], [name attrs]content[/name].
SHORTCODE = re.compile(
    r"\[(?P<open>\[?)"
    r"(?P<name>[A-Za-z][\w-]*)"
    r"(?![\w-])"
    r"(?P<attrs>[^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(?P<selfclose>/)\]"
    r"|\](?:(?P<content>[^\[]*(?:\[(?!/(?P=name)\])[^\[]*)*)\[/(?P=name)\])?)"
    r"(?P<close>\]?)",
    re.S,
)
_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r"""|"([^"]*)"(?:\s|$)"""
    r"""|'([^']*)'(?:\s|$)"""
    r"""|(\S+)(?:\s|$)"""
)

# Shortcodes of WordPress, Jetpack and common plugins that show media from a URL.
MEDIA_SHORTCODES = {
    "audio", "video", "embed", "playlist", "youtube", "vimeo", "dailymotion", "ted",
    "wpvideo", "videopress", "soundcloud", "spotify", "bandcamp", "mixcloud", "tweet",
    "twitter", "instagram", "facebook", "pinterest", "flickr", "slideshare", "scribd",
    "gist", "googlemaps", "archiveorg", "kickstarter", "hulu", "vine", "wufoo",
}  # fmt: skip
# Known shortcodes with nothing to keep when they enclose nothing.
OTHER_SHORTCODES = {
    "wp_caption", "contact-form", "contact-field", "contact-form-7", "gravityform",
    "polldaddy", "crowdsignal", "recipe", "archives", "sitemap", "portfolio",
    "testimonials", "blog_subscription_form", "jetpack_subscription_form", "latex",
    "sourcecode", "code", "source", "fb_like", "ratings", "wpforms", "mc4wp_form",
    "ninja_form", "simple-links", "su_button", "su_box", "vc_row", "vc_column",
    "vc_column_text", "et_pb_section", "et_pb_row", "et_pb_column", "et_pb_text",
    "table", "wpml_language_selector_widget", "toc", "include", "column",
    "one_half", "one_third", "two_third", "one_fourth", "three_fourth", "one_half_last",
    "one_third_last", "two_third_last", "one_fourth_last", "three_fourth_last", "quote",
    "pullquote", "dropcap", "highlight", "button", "box", "tabs", "tab", "accordion",
    "toggle", "spoiler", "private", "members", "subscribe", "email", "pdf-embedder",
}  # fmt: skip
_URL_ATTRS = ("src", "url", "mp3", "m4a", "ogg", "wav", "mp4", "webm", "ogv", "href", "id")
_IMG_IN_CAPTION = re.compile(r"((?:<a\s[^>]+>\s*)?<img\s[^>]+>(?:\s*</a>)?)(.*)", re.S | re.I)


def shortcode_attrs(text: str) -> tuple[dict[str, str], list[str]]:
    """Named and positional attributes of a shortcode, as WordPress parses them."""
    text = re.sub(r"[\u00a0\u200b]+", " ", text)
    named, positional = {}, []
    for m in _ATTR.finditer(text):
        if m[1]:
            named[m[1].lower()] = m[2]
        elif m[3]:
            named[m[3].lower()] = m[4]
        elif m[5]:
            named[m[5].lower()] = m[6]
        elif m[7] is not None and m[0].startswith('"'):
            positional.append(m[7])
        elif m[8] is not None and m[0].startswith("'"):
            positional.append(m[8])
        elif m[9]:
            positional.append(m[9])
    return named, positional


def expand_shortcodes(
    text: str,
    *,
    gallery: GalleryLookup | None = None,
    notes: list[str] | None = None,
    losses: Losses | None = None,
) -> str:
    """Turn the shortcodes in ``text`` into HTML (see the module docstring);
    what is lost or left as written is counted in ``losses``."""
    found = losses if losses is not None else Losses()

    def note(message: str) -> None:
        if notes is not None and message not in notes:
            notes.append(message)

    def replace(match: re.Match) -> str:
        if match["open"] == "[" and match["close"] == "]":
            return match[0][1:-1]  # [[name]] is how WordPress writes a literal [name]
        name = match["name"].lower()
        content = match["content"]
        named, positional = shortcode_attrs(match["attrs"] or "")
        if name in ("caption", "wp_caption"):
            html = _caption(named, expand(content or ""))
        elif name == "gallery":
            html = _gallery(named, gallery, note)
        elif name in MEDIA_SHORTCODES:
            candidates = [named[a] for a in _URL_ATTRS if a in named] + positional
            html = media_shortcode(name, [*candidates, content or ""], found)
            html = (content or "").strip() if html is None else f"\n\n{html}\n\n"
        elif name in OTHER_SHORTCODES:
            html = expand(content) if content is not None else ""
        else:
            if _looks_like_a_shortcode(match):
                found.shortcodes[f"[{match['name']}]"] += 1
            return match["open"] + expand_literal(match) + match["close"]
        return match["open"] + html + match["close"]

    def expand_literal(match: re.Match) -> str:
        """An unknown shortcode as written, with the known ones it encloses expanded."""
        whole = match[0][len(match["open"]) : len(match[0]) - len(match["close"])]
        content = match["content"]
        if not content:
            return whole
        start = match.start("content") - match.start() - len(match["open"])
        return whole[:start] + expand(content) + whole[start + len(content) :]

    def expand(value: str) -> str:
        return outside_code(value, lambda part: SHORTCODE.sub(replace, part))

    return expand(text)


def _looks_like_a_shortcode(match: re.Match) -> bool:
    """Whether unknown bracketed text is a plugin's shortcode rather than prose
    (``[sic]``, ``[simple boat]``): it encloses, closes itself, has a
    ``name=value`` attribute, or a name no one writes in prose."""
    return (
        match["content"] is not None
        or match["selfclose"] is not None
        or "=" in (match["attrs"] or "")
        or bool(re.search(r"[_-]", match["name"]))
    )


def _caption(named: dict[str, str], content: str) -> str:
    caption = named.get("caption", "").strip()
    image = content.strip()
    if not caption:
        found = _IMG_IN_CAPTION.match(image)
        if found:
            image, caption = found[1], found[2].strip()
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{caption_html}</figure>\n\n"


def _gallery(named: dict[str, str], lookup: GalleryLookup | None, note) -> str:
    ids = [i.strip() for i in named.get("ids", named.get("include", "")).split(",") if i.strip()]
    images = lookup(ids or None) if lookup else None
    if not images:
        note(
            "a [gallery] was removed: its images are not in the export"
            if images is None
            else "a [gallery] with no images was removed"
        )
        return ""
    items = []
    for image in images:
        caption = f"<figcaption>{escape(image.caption)}</figcaption>" if image.caption else ""
        items.append(
            f'<li><figure><img src="{escape(image.url)}" alt="{escape(image.alt)}">'
            f"{caption}</figure></li>"
        )
    return "\n\n<ul>" + "".join(items) + "</ul>\n\n"


# -- wpautop ----------------------------------------------------------------------

# A port of WordPress's wpautop() (wp-includes/formatting.php), with $br = true.
_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.S | re.I)
_TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_WPNL = " <!-- wpnl --> "


def _autop_rules():
    b = _ALLBLOCKS
    return [
        (re.compile(r"<p>\s*</p>"), ""),
        (re.compile(r"<p>([^<]+)</(div|address|form)>"), r"<p>\1</p></\2>"),
        (re.compile(r"<p>\s*(</?" + b + r"[^>]*>)\s*</p>"), r"\1"),
        (re.compile(r"<p>(<li.+?)</p>"), r"\1"),
        (re.compile(r"<p><blockquote([^>]*)>", re.I), r"<blockquote\1><p>"),
        (re.compile(r"</blockquote></p>"), "</p></blockquote>"),
        (re.compile(r"<p>\s*(</?" + b + r"[^>]*>)"), r"\1"),
        (re.compile(r"(</?" + b + r"[^>]*>)\s*</p>"), r"\1"),
    ]


_RULES = _autop_rules()
_BLOCK_OPEN = re.compile(r"(<" + _ALLBLOCKS + r"[\s/>])")
_BLOCK_CLOSE = re.compile(r"(</" + _ALLBLOCKS + r">)")
_BR_AFTER_BLOCK = re.compile(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_PRESERVE = re.compile(r"<(script|style|svg|math).*?</\1>", re.S)


def wpautop(text: str) -> str:
    """Blank lines → paragraphs, single newlines → ``<br />``, as WordPress shows posts.

    Block elements are not wrapped in paragraphs and ``<pre>`` is left alone.
    """
    if not text.strip():
        return ""
    text += "\n"
    pre_tags = {}
    if "<pre" in text:

        def keep_pre(match: re.Match) -> str:
            key = f"<pre wp-pre-tag-{len(pre_tags)}></pre>"
            pre_tags[key] = match[0]
            return key

        text = _PRE.sub(keep_pre, text)

    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside tags and comments are not line breaks.
    text = _TAG_OR_COMMENT.sub(lambda m: m[0].replace("\n", _WPNL), text)
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)

    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)

    text = _PRESERVE.sub(lambda m: m[0].replace("\n", "<WPPreserveNewline />"), text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, value in pre_tags.items():
        text = text.replace(key, value)
    if "<!-- wpnl -->" in text:
        text = text.replace(_WPNL, "\n").replace("<!-- wpnl -->", "\n")
    return text
