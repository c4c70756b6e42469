"""Reading a WordPress export (WXR 1.0–1.2) as a stream.

``read_wxr`` walks the file with ``xml.etree.ElementTree.iterparse`` and yields
each child of ``<channel>`` (authors, terms, items …) as it ends, then drops
it, so memory stays flat however big the export. ``parse_item`` and friends
turn an element into plain data; namespaces are normalised to the prefixes
WordPress uses (``wp:``, ``content:``, ``excerpt:``, ``dc:``) whichever WXR
version, and ``http`` or ``https``, the file declares.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_OTHER_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WXRSyntaxError(Exception):
    """The file is not well-formed XML (malformed or truncated)."""

    def __init__(self, path, line: int, column: int, reason: str):
        self.path, self.line, self.column, self.reason = path, line, column, reason
        super().__init__(
            f"{path}: not a well-formed WordPress export at line {line}, column {column}: {reason}"
        )


@lru_cache(maxsize=512)
def qname(tag: str) -> str:
    """``{https://wordpress.org/export/1.2/}post_id`` → ``wp:post_id``."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri in _OTHER_NS:
        return f"{_OTHER_NS[uri]}:{local}"
    if _EXCERPT_NS.match(uri):
        return f"excerpt:{local}"
    if _WP_NS.match(uri):
        return f"wp:{local}"
    return tag


def read_wxr(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """Yield ``(name, element)`` for each child of ``<channel>``; raise
    ``WXRSyntaxError`` (with the line) where the XML breaks."""
    depth = 0
    channel = None
    with open(path, "rb") as handle:
        try:
            for event, element in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 2:
                        channel = element
                    continue
                depth -= 1
                if depth == 2:
                    yield qname(element.tag), element
                    channel.clear()  # the child and everything in it
        except ET.ParseError as error:
            line, column = error.position
            reason = str(error).split(":", 1)[0]
            raise WXRSyntaxError(path, line, column, reason) from None


def _children(element: ET.Element) -> dict[str, str]:
    return {qname(child.tag): (child.text or "") for child in element}


def parse_date(value: str | None, *, gmt: bool) -> datetime | None:
    """A WXR date (``2012-01-03 17:11:37``); None for ``0000-00-00 00:00:00``.

    GMT dates come back aware (UTC); local ones naive, for the caller to place.
    """
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        parsed = datetime.fromisoformat(value[:19])
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if gmt else parsed


@dataclass
class WxrAuthor:
    login: str
    wp_id: str = ""
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


def parse_author(element: ET.Element) -> WxrAuthor:
    f = _children(element)
    return WxrAuthor(
        login=f.get("wp:author_login", "").strip(),
        wp_id=f.get("wp:author_id", "").strip(),
        email=f.get("wp:author_email", "").strip(),
        display_name=f.get("wp:author_display_name", "").strip(),
        first_name=f.get("wp:author_first_name", "").strip(),
        last_name=f.get("wp:author_last_name", "").strip(),
    )


@dataclass
class WxrTerm:
    taxonomy: str  # "category", "post_tag", or another taxonomy (skipped)
    term_id: str
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""

    @property
    def key(self) -> str:
        return self.term_id or f"slug:{self.slug}"


def parse_term(name: str, element: ET.Element) -> WxrTerm:
    f = _children(element)
    if name == "wp:category":
        return WxrTerm(
            "category",
            f.get("wp:term_id", "").strip(),
            f.get("wp:category_nicename", "").strip(),
            f.get("wp:cat_name", "").strip(),
            f.get("wp:category_parent", "").strip(),
            f.get("wp:category_description", "").strip(),
        )
    if name == "wp:tag":
        return WxrTerm(
            "post_tag",
            f.get("wp:term_id", "").strip(),
            f.get("wp:tag_slug", "").strip(),
            f.get("wp:tag_name", "").strip(),
            "",
            f.get("wp:tag_description", "").strip(),
        )
    return WxrTerm(
        f.get("wp:term_taxonomy", "").strip(),
        f.get("wp:term_id", "").strip(),
        f.get("wp:term_slug", "").strip(),
        f.get("wp:term_name", "").strip(),
        f.get("wp:term_parent", "").strip(),
        f.get("wp:term_description", "").strip(),
    )


@dataclass
class WxrComment:
    wp_id: str
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""
    type: str = ""
    parent: str = ""
    user_id: str = ""


def parse_comment(element: ET.Element) -> WxrComment:
    f = _children(element)
    return WxrComment(
        wp_id=f.get("wp:comment_id", "").strip(),
        author=f.get("wp:comment_author", ""),
        email=f.get("wp:comment_author_email", "").strip(),
        url=f.get("wp:comment_author_url", "").strip(),
        ip=f.get("wp:comment_author_IP", "").strip(),
        date=f.get("wp:comment_date", ""),
        date_gmt=f.get("wp:comment_date_gmt", ""),
        content=f.get("wp:comment_content", ""),
        approved=f.get("wp:comment_approved", "").strip(),
        type=f.get("wp:comment_type", "").strip(),
        parent=f.get("wp:comment_parent", "").strip(),
        user_id=f.get("wp:comment_user_id", "").strip(),
    )


@dataclass
class WxrItem:
    """One ``<item>``: a post, page, attachment, menu item …"""

    post_id: str
    post_type: str
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: str = ""
    menu_order: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    password: str = ""
    comment_status: str = ""
    is_sticky: str = ""
    attachment_url: str = ""
    # (domain, nicename, name) of each <category>: categories, tags, formats …
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WxrComment] = field(default_factory=list)


_ITEM_FIELDS = {
    "title": "title",
    "link": "link",
    "dc:creator": "creator",
    "content:encoded": "content",
    "excerpt:encoded": "excerpt",
    "wp:post_name": "post_name",
    "wp:status": "status",
    "wp:post_parent": "post_parent",
    "wp:menu_order": "menu_order",
    "wp:post_date": "post_date",
    "wp:post_date_gmt": "post_date_gmt",
    "wp:post_password": "password",
    "wp:comment_status": "comment_status",
    "wp:is_sticky": "is_sticky",
    "wp:attachment_url": "attachment_url",
}


def item_type(element: ET.Element) -> tuple[str, str]:
    """``(post_type, post_id)`` of an item, without reading the rest."""
    post_type = post_id = ""
    for child in element:
        name = qname(child.tag)
        if name == "wp:post_type":
            post_type = (child.text or "").strip()
        elif name == "wp:post_id":
            post_id = (child.text or "").strip()
    return post_type, post_id


def parse_item(element: ET.Element) -> WxrItem:
    item = WxrItem(post_id="", post_type="")
    for child in element:
        name = qname(child.tag)
        attribute = _ITEM_FIELDS.get(name)
        if attribute:
            setattr(item, attribute, child.text or "")
        elif name == "wp:post_id":
            item.post_id = (child.text or "").strip()
        elif name == "wp:post_type":
            item.post_type = (child.text or "").strip()
        elif name == "category":
            item.terms.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif name == "wp:postmeta":
            meta = _children(child)
            item.meta[meta.get("wp:meta_key", "")] = meta.get("wp:meta_value", "")
        elif name == "wp:comment":
            item.comments.append(parse_comment(child))
    return item
