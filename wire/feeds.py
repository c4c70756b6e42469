"""Reading a feed's bytes into wire items: RSS 2.0, RSS 1.0 (RDF) and Atom,
through feedparser. Pure: no database, no network.

``parse_feed(content, url=…, headers=…)`` returns a ``ParsedFeed``: the items
that can go on the wire, how many entries the feed held, and what was lost
(and why) so a run can report every loss. ``FeedUnreadable`` is raised for a
document that is no feed at all (empty, HTML, broken beyond feedparser's
lenient reading). Called by ``wire.services`` in the fetch workers' threads.
"""

import calendar
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser

from articles.html import html_to_text, strip_control_characters
from newsroom.links import safe_url

GUID_MAX_LENGTH = 1000
TITLE_MAX_LENGTH = 500
AUTHOR_MAX_LENGTH = 300
SUMMARY_MAX_LENGTH = 5000


class FeedUnreadable(Exception):
    """The document is not a feed feedparser can read; ``str(e)`` says why."""


@dataclass
class ParsedItem:
    guid: str
    link: str
    title: str
    published_at: datetime | None
    summary: str
    author: str


@dataclass
class ParsedFeed:
    items: list[ParsedItem] = field(default_factory=list)
    entries: int = 0
    # One line per entry skipped, or kept without something it had (an unsafe link).
    losses: list[str] = field(default_factory=list)
    warning: str = ""  # feedparser read it, but it was not well-formed


def _text(value: object, limit: int) -> str:
    text = html_to_text(strip_control_characters(str(value or "")))
    return text[: limit - 1] + "…" if len(text) > limit else text


def _published(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _guid(entry, link: str, title: str) -> str:
    guid = strip_control_characters(str(entry.get("id") or "")).strip() or link
    if not guid:
        guid = "title:" + title
    if len(guid) > GUID_MAX_LENGTH:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def _item(entry) -> ParsedItem | str:
    """The entry as a wire item, or the reason it cannot be one."""
    link = safe_url(entry.get("link") or "")
    title = _text(entry.get("title"), TITLE_MAX_LENGTH)
    if not title and not link:
        return "an entry with neither a title nor a web link"
    raw_link = entry.get("link") or ""
    if raw_link and not link and not title:
        return f"an entry whose link is not a web address ({raw_link[:100]!r})"
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return ParsedItem(
        guid=_guid(entry, link, title),
        link=link,
        title=title or link,
        published_at=_published(entry),
        summary=_text(summary, SUMMARY_MAX_LENGTH),
        author=_text(entry.get("author"), AUTHOR_MAX_LENGTH),
    )


def parse_feed(content: bytes, *, url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """The wire items in ``content`` (a feed fetched from ``url``)."""
    if not content.strip():
        raise FeedUnreadable("The feed is empty (no content).")
    # A stream, never bytes or a string: feedparser would read a string that
    # looks like an address or a file name as one, and fetch or open it.
    # Its HTML sanitiser is not needed: summaries are kept as plain text.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": url, **(headers or {})},
        sanitize_html=False,
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise FeedUnreadable(f"The feed could not be read: {reason}.")
    feed = ParsedFeed(entries=len(parsed.entries))
    if parsed.get("bozo"):
        feed.warning = (
            f"The feed is not well-formed ({parsed.get('bozo_exception')}); read leniently."
        )
    for number, entry in enumerate(parsed.entries, start=1):
        item = _item(entry)
        if isinstance(item, str):
            feed.losses.append(f"entry {number} skipped: {item}")
            continue
        raw_link = str(entry.get("link") or "")
        if raw_link and not item.link:
            feed.losses.append(
                f"entry {number} kept without its link, which is not a web address "
                f"({raw_link[:100]!r})"
            )
        feed.items.append(item)
    return feed
