"""The media providers an article may embed, and the one rule for their URLs.

An article body may show a player from a provider on this list, and from
nowhere else. ``embed_for_url`` takes any address a writer or an old site may
have used for a video, a track or a post — the page URL
(``https://www.youtube.com/watch?v=…``), a short link (``youtu.be/…``), an
old player or Flash address (``youtube.com/v/…``), the provider's own iframe
``src`` — and returns the ``Embed``: the provider and its *canonical* player
URL (privacy-friendly where the provider has such a mode:
``youtube-nocookie.com``, Vimeo's and X's do-not-track flags).

Who uses it:

* ``articles.html.sanitize_html`` keeps an ``<iframe>`` only when its ``src``
  is already canonical (``is_embed_src``), so a stored body can frame nothing
  else, whoever wrote it;
* the WordPress importer turns iframes, embed blocks, shortcodes and bare
  provider URLs into ``Embed.html()``;
* ``FRAME_SOURCES`` is what the Content-Security-Policy's ``frame-src`` must
  name (``newsroom.settings.SECURE_CSP``, which may not import this app; a
  test holds the two equal).

The list follows WordPress's oEmbed providers (wp-includes/class-wp-oembed.php)
for the services news sites embed most.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.utils.html import escape


@dataclass(frozen=True)
class Provider:
    name: str
    title: str  # the iframe's title when the source gives none (screen readers)
    frame_origin: str  # where its player is served from (CSP frame-src)
    hosts: frozenset[str]  # the hosts of the URLs people share
    player: Callable[[str, str, dict[str, list[str]]], str | None]  # host, path, query → src


@dataclass(frozen=True)
class Embed:
    provider: Provider
    src: str

    def html(self, *, title: str = "", caption_html: str = "") -> str:
        """The player as article HTML: a figure holding the iframe (and a caption)."""
        title = " ".join((title or "").split()) or self.provider.title
        caption = f"<figcaption>{caption_html}</figcaption>" if caption_html else ""
        return (
            f'<figure><iframe src="{escape(self.src)}" title="{escape(title)}" '
            f'loading="lazy"></iframe>{caption}</figure>'
        )


_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH = re.compile(r"/(?:embed|v|shorts|live|e)/([A-Za-z0-9_-]{11})\b")
_LIST_ID = re.compile(r"[A-Za-z0-9_-]{10,64}")
_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


def _first(query: dict[str, list[str]], name: str) -> str:
    return (query.get(name) or [""])[0]


def _seconds(value: str) -> int:
    match = _TIME.fullmatch(value or "")
    if not match:
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _youtube(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    base = "https://www.youtube-nocookie.com/embed/"
    if host == "youtu.be":
        video = path.strip("/").split("/")[0]
    elif path in ("/watch", "/watch/"):
        video = _first(query, "v")
    elif path.rstrip("/") in ("/playlist", "/embed/videoseries"):
        playlist = _first(query, "list")
        return f"{base}videoseries?list={playlist}" if _LIST_ID.fullmatch(playlist) else None
    else:
        match = _YOUTUBE_PATH.match(path)
        video = match[1] if match else ""
    if not _YOUTUBE_ID.fullmatch(video):
        return None
    start = _seconds(_first(query, "start") or _first(query, "t"))
    return f"{base}{video}" + (f"?start={start}" if start else "")


_VIMEO_PAGE = re.compile(r"/(?:.*/)?(\d+)(?:/([0-9a-f]{6,20}))?/?")


def _vimeo(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    if host == "player.vimeo.com":
        match = re.fullmatch(r"/video/(\d+)/?", path)
        video, secret = (match[1], _first(query, "h")) if match else ("", "")
    else:
        match = _VIMEO_PAGE.fullmatch(path)
        video, secret = (match[1], match[2] or "") if match else ("", "")
    if not video:
        return None
    secret = f"h={secret}&" if re.fullmatch(r"[0-9a-f]{6,20}", secret) else ""
    return f"https://player.vimeo.com/video/{video}?{secret}dnt=1"


def _dailymotion(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    if host == "dai.ly":
        video = path.strip("/")
    elif path.rstrip("/") == "/player.html":
        video = _first(query, "video")
    else:
        match = re.fullmatch(r"/(?:embed/|swf/)?video/([^/]+)/?", path)
        video = match[1].split("_")[0] if match else ""
    if not re.fullmatch(r"[A-Za-z0-9]{5,20}", video):
        return None
    return f"https://www.dailymotion.com/embed/video/{video}"


_SOUNDCLOUD_API = re.compile(r"/(?:tracks|playlists|users)/\d+")
_SOUNDCLOUD_PAGE = re.compile(r"/[\w-]+/(?:sets/)?[\w-]+")


def _soundcloud(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    if host == "w.soundcloud.com":
        if path.rstrip("/") != "/player":
            return None
        target = urlsplit(unquote(_first(query, "url")))
        host, path = (target.hostname or "").lower(), target.path
    path = path.rstrip("/")
    if host == "api.soundcloud.com" and _SOUNDCLOUD_API.fullmatch(path):
        track = f"https://api.soundcloud.com{path}"
    elif host in ("soundcloud.com", "www.soundcloud.com", "m.soundcloud.com") and (
        _SOUNDCLOUD_PAGE.fullmatch(path)
    ):
        track = f"https://soundcloud.com{path}"
    else:
        return None
    return "https://w.soundcloud.com/player/?url=" + quote(track, safe="")


_SPOTIFY_PATH = re.compile(
    r"/(?:intl-[a-z-]+/)?(?:embed/)?(track|album|playlist|episode|show|artist)/([A-Za-z0-9]{22})/?"
)


def _spotify(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = _SPOTIFY_PATH.fullmatch(path)
    return f"https://open.spotify.com/embed/{match[1]}/{match[2]}" if match else None


def _x(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    if host == "platform.twitter.com":
        post = _first(query, "id") if path == "/embed/Tweet.html" else ""
    else:
        match = re.fullmatch(r"/(?:#!/)?[\w]+/status(?:es)?/(\d+)(?:/.*)?", path)
        post = match[1] if match else ""
    if not re.fullmatch(r"\d{1,25}", post):
        return None
    return f"https://platform.twitter.com/embed/Tweet.html?dnt=true&id={post}"


def _instagram(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/(?:[\w.]+/)?(?:p|reel|tv)/([\w-]{5,40})(?:/embed)?/?", path)
    return f"https://www.instagram.com/p/{match[1]}/embed/" if match else None


PROVIDERS = (
    Provider(
        "YouTube",
        "YouTube video",
        "https://www.youtube-nocookie.com",
        frozenset(
            {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
            | {"youtube-nocookie.com", "www.youtube-nocookie.com"}
        ),
        _youtube,
    ),
    Provider(
        "Vimeo",
        "Vimeo video",
        "https://player.vimeo.com",
        frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
        _vimeo,
    ),
    Provider(
        "Dailymotion",
        "Dailymotion video",
        "https://www.dailymotion.com",
        frozenset({"dailymotion.com", "www.dailymotion.com", "geo.dailymotion.com", "dai.ly"}),
        _dailymotion,
    ),
    Provider(
        "SoundCloud",
        "SoundCloud audio",
        "https://w.soundcloud.com",
        frozenset(
            {"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com", "api.soundcloud.com"}
            | {"w.soundcloud.com"}
        ),
        _soundcloud,
    ),
    Provider(
        "Spotify",
        "Spotify player",
        "https://open.spotify.com",
        frozenset({"open.spotify.com", "play.spotify.com"}),
        _spotify,
    ),
    Provider(
        "X",
        "Post on X",
        "https://platform.twitter.com",
        frozenset(
            {"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"}
            | {"platform.twitter.com"}
        ),
        _x,
    ),
    Provider(
        "Instagram",
        "Instagram post",
        "https://www.instagram.com",
        frozenset({"instagram.com", "www.instagram.com", "instagr.am"}),
        _instagram,
    ),
)
FRAME_SOURCES = tuple(provider.frame_origin for provider in PROVIDERS)
_BY_HOST = {host: provider for provider in PROVIDERS for host in provider.hosts}
_SPOTIFY_URI = re.compile(r"spotify:(track|album|playlist|episode|show|artist):([A-Za-z0-9]{22})")


def embed_for_url(url: str) -> Embed | None:
    """The embed a URL shows, or None when it is not an allowed provider's."""
    url = (url or "").strip()
    if uri := _SPOTIFY_URI.fullmatch(url):
        return Embed(
            _BY_HOST["open.spotify.com"], f"https://open.spotify.com/embed/{uri[1]}/{uri[2]}"
        )
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    provider = _BY_HOST.get(host)
    if parts.scheme not in ("http", "https") or provider is None:
        return None
    src = provider.player(host, parts.path, parse_qs(parts.query))
    return Embed(provider, src) if src else None


def is_embed_src(src: str) -> bool:
    """Whether ``src`` is an allowed provider's canonical player URL, as-is."""
    embed = embed_for_url(src)
    return embed is not None and embed.src == src
