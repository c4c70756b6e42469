"""Embedded media in WordPress post content, as Newsroom keeps it.

WordPress shows a player for a provider URL however the writer put it in; so
does Newsroom, through the one provider rule (``articles.embeds``):

* an ``<iframe>`` (pasted embed code) with a provider's player or page URL;
* a block-editor embed block (``<figure class="wp-block-embed …">`` holding
  the URL, with its caption);
* a Flash ``<object>``/``<embed>`` whose movie is a provider's (old YouTube
  and Dailymotion players);
* a provider URL alone on its line (WordPress's auto-embed).

Each becomes ``Embed.html()``: a ``<figure>`` with a privacy-friendly iframe.
What no allowed provider plays is not dropped silently: it is left as a link
to its address and counted in ``Losses``, which the importer reports per post.
``<audio>``/``<video>`` elements are left as they are (the sanitiser keeps
them). Text inside ``<pre>``/``<code>`` is never touched (``outside_code``).

Called by ``wordpress.content.convert_post`` (which also handles the
``[embed]``, ``[youtube]``, ``[video]``, ``[audio]`` … shortcodes with
``media_shortcode``).
"""

import html as html_lib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.html import escape

from articles.embeds import embed_for_url


@dataclass
class Losses:
    """What a post's content held that Newsroom does not show as it was."""

    iframes: Counter = field(default_factory=Counter)  # by host
    flash: Counter = field(default_factory=Counter)  # by host
    embed_blocks: Counter = field(default_factory=Counter)  # by host
    media_shortcodes: Counter = field(default_factory=Counter)  # by shortcode name
    media_removed: Counter = field(default_factory=Counter)  # by shortcode name
    other_providers: Counter = field(default_factory=Counter)  # lone URLs, by host
    shortcodes: Counter = field(default_factory=Counter)  # unknown, by name

    def notes(self) -> list[str]:
        """One report line per kind of loss, with counts."""
        lines = []
        for counter, what in (
            (self.iframes, "iframe(s) from no allowed embed provider, kept as a link"),
            (self.flash, "Flash object(s) removed (Flash no longer plays), kept as a link"),
            (self.embed_blocks, "embed block(s) of no allowed provider, kept as a link"),
            (self.media_shortcodes, "media shortcode(s) no provider plays, kept as a link"),
            (self.media_removed, "media shortcode(s) with no address to play, removed"),
            (
                self.other_providers,
                "URL(s) alone on a line that WordPress showed as a player of a provider "
                "not allowed here, kept as text",
            ),
            (self.shortcodes, "unknown shortcode(s) kept as text"),
        ):
            if counter:
                counts = ", ".join(f"{name} ×{n}" for name, n in sorted(counter.items()))
                lines.append(f"{counter.total()} {what}: {counts}")
        return lines


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or "no address"
    except ValueError:
        return "no address"


def link_html(url: str) -> str:
    return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'


_PROTECTED = re.compile(r"<(pre|code)\b[^>]*>.*?</\1\s*>", re.S | re.I)


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to ``text`` except inside ``<pre>`` and ``<code>``."""
    pieces, start = [], 0
    for match in _PROTECTED.finditer(text):
        pieces += [change(text[start : match.start()]), match[0]]
        start = match.end()
    return "".join([*pieces, change(text[start:])])


def _attribute(attrs: str, name: str) -> str:
    match = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", attrs, re.I)
    return html_lib.unescape(next(g for g in match.groups() if g is not None)) if match else ""


_IFRAME = re.compile(
    r"<iframe\b(?P<attrs>[^>]*)>.*?</iframe\s*>|<iframe\b(?P<lone>[^>]*)/?>", re.S | re.I
)
_EMBED_BLOCK = re.compile(
    r"""<figure\s[^>]*class=["'][^"']*\bwp-block-embed\b[^>]*>\s*"""
    r"""<div\s[^>]*class=["']wp-block-embed__wrapper["'][^>]*>\s*(?P<url>[^<\s]*)\s*</div>\s*"""
    r"""(?:<figcaption[^>]*>(?P<caption>.*?)</figcaption>\s*)?</figure\s*>""",
    re.S | re.I,
)
_FLASH = re.compile(
    r"<object\b(?P<attrs>[^>]*)>(?P<inner>.*?)</object\s*>|<embed\b(?P<lone>[^>]*)>(?:\s*</embed\s*>)?",
    re.S | re.I,
)
# A player wrapped in a link to its video (old WordPress posts pasted YouTube's
# Flash code inside <a href="…watch?v=…">): a player cannot sit in a link.
_LINKED_PLAYER = re.compile(
    r"<a\b[^>]*>\s*(?P<player><object\b.*?</object\s*>|<iframe\b.*?</iframe\s*>)\s*</a\s*>",
    re.S | re.I,
)
_MOVIE_PARAM = re.compile(r"""<param\b(?=[^>]*\bname\s*=\s*["']?(?:movie|src)\b)([^>]*)>""", re.I)
_BARE_URL = re.compile(
    r"""^(?P<lead>[ \t]*(?:<p(?:\s[^>]*)?>\s*)?)(?P<url>https?://[^\s<>"]+)(?P<tail>(?:\s*</p>)?[ \t]*)$""",
    re.M | re.I,
)


def convert_embeds(text: str, losses: Losses) -> str:
    """Iframes, embed blocks, Flash and bare provider URLs in ``text`` → embeds."""

    def iframe(match: re.Match) -> str:
        attrs = match["attrs"] if match["attrs"] is not None else match["lone"]
        src = _attribute(attrs, "src")
        embed = embed_for_url(src)
        if embed is not None:
            return embed.html(title=_attribute(attrs, "title"))
        losses.iframes[host_of(src)] += 1
        return link_html(src) if src else ""

    def block(match: re.Match) -> str:
        url = html_lib.unescape(match["url"])
        embed = embed_for_url(url)
        if embed is not None:
            return embed.html(caption_html=(match["caption"] or "").strip())
        losses.embed_blocks[host_of(url)] += 1
        return link_html(url) if url else ""

    def flash(match: re.Match) -> str:
        attrs = match["attrs"] if match["attrs"] is not None else match["lone"]
        inner = match["inner"] or ""
        params = [_attribute(p, "value") for p in _MOVIE_PARAM.findall(inner)]
        nested = [_attribute(e, "src") for e in re.findall(r"<embed\b([^>]*)>", inner, re.I)]
        urls = [
            u for u in [_attribute(attrs, "data"), _attribute(attrs, "src"), *params, *nested] if u
        ]
        for url in urls:
            if (embed := embed_for_url(url)) is not None:
                return embed.html()
        losses.flash[host_of(urls[0]) if urls else "no address"] += 1
        return link_html(urls[0]) if urls else ""

    def bare_url(match: re.Match) -> str:
        if ("<p" in match["lead"].lower()) != ("</p" in match["tail"].lower()):
            return match[0]  # the paragraph goes on: the URL is not alone in it
        url = html_lib.unescape(match["url"])
        embed = embed_for_url(url)
        if embed is None:
            if (host := host_of(url)).removeprefix("www.") in OTHER_OEMBED_HOSTS:
                losses.other_providers[host] += 1
            return match[0]
        return embed.html()

    def change(part: str) -> str:
        part = _LINKED_PLAYER.sub(r"\g<player>", part)  # converted below
        # Iframes first: the players the other steps write are iframes too.
        part = _IFRAME.sub(iframe, part)
        part = _EMBED_BLOCK.sub(block, part)
        part = _FLASH.sub(flash, part)
        return _BARE_URL.sub(bare_url, part)

    return outside_code(text, change)


# WordPress's other oEmbed providers (wp-includes/class-wp-oembed.php): a URL of
# theirs alone on a line was a player on the old site, and is text here.
OTHER_OEMBED_HOSTS = {
    "wordpress.tv", "videopress.com", "video.wordpress.com", "flickr.com", "flic.kr",
    "smugmug.com", "scribd.com", "animoto.com", "cloudup.com", "crowdsignal.com",
    "polldaddy.com", "slideshare.net", "imgur.com", "i.imgur.com", "meetup.com",
    "issuu.com", "mixcloud.com", "ted.com", "tumblr.com", "kickstarter.com",
    "kck.st", "reverbnation.com", "reddit.com", "speakerdeck.com", "screencast.com",
    "amazon.com", "someecards.com", "tiktok.com", "pinterest.com", "wolframcloud.com",
    "anghami.com", "pocketcasts.com", "crowdsignal.net", "bsky.app", "canva.com",
}  # fmt: skip

MEDIA_FILE = re.compile(r"\.(?P<ext>mp3|m4a|ogg|oga|wav|flac|mp4|m4v|webm|ogv|mov)(?:[?#]|$)", re.I)
AUDIO_EXTENSIONS = {"mp3", "m4a", "ogg", "oga", "wav", "flac"}
# Jetpack's shortcodes that take a provider's bare ID: how its URL is built.
_ID_URLS = {
    "youtube": "https://www.youtube.com/watch?v={}",
    "vimeo": "https://vimeo.com/{}",
    "dailymotion": "https://www.dailymotion.com/video/{}",
    "tweet": "https://twitter.com/i/status/{}",
    "twitter": "https://twitter.com/i/status/{}",
}


def media_shortcode(name: str, candidates: list[str], losses: Losses) -> str | None:
    """HTML for a media shortcode (``[embed]``, ``[youtube …]``, ``[audio …]`` …)
    given its attribute values and content; None when it names no address."""
    values = [html_lib.unescape(c.strip().lstrip("=").strip()) for c in candidates if c]
    urls = [v for v in values if re.match(r"(?:https?:)?//|spotify:", v)]
    if name in _ID_URLS and not urls:
        urls = [_ID_URLS[name].format(v) for v in values if re.fullmatch(r"[\w-]{4,30}", v)]
    for url in urls:
        if (embed := embed_for_url(url)) is not None:
            return embed.html()
    media = next((u for u in urls if MEDIA_FILE.search(u)), None)
    if media is not None and name in ("audio", "video", "embed", "playlist"):
        tag = "audio" if MEDIA_FILE.search(media)["ext"].lower() in AUDIO_EXTENSIONS else "video"
        return f'<figure><{tag} controls preload="metadata" src="{escape(media)}"></{tag}></figure>'

    if not urls:
        losses.media_removed[f"[{name}]"] += 1
        return None
    losses.media_shortcodes[f"[{name}]"] += 1
    return link_html(urls[0])
