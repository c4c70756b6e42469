"""Reading a WordPress export (WXR 1.0–1.2) as a stream.

``read_wxr`` walks the file with ``xml.etree.ElementTree.iterparse`` and yields
each child of ``<channel>`` (authors, terms, items …) as it ends, then drops
it, so memory stays flat however big the export. ``parse_item`` and friends
turn an element into plain data; namespaces are normalised to the prefixes
WordPress uses (``wp:``, ``content:``, ``excerpt:``, ``dc:``) whichever WXR
version, and ``http`` or ``https``, the file declares.

A file that uses WordPress's prefixes without declaring them (old
WordPress.com exports and ``atom:``) is read as WordPress reads it
(``wordpress.wxr_syntax``); any other XML error is a ``WXRSyntaxError`` naming
the line and the fix.

An item without ``wp:post_id`` (some exports by other tools and old plugins)
gets a stable key from its ``guid``, else its ``link`` (``item_key``), and a
comment without ``wp:comment_id`` one from its post and its content, so such
exports import, and re-import, like any other.
"""

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from wordpress.wxr_syntax import (
    UNKNOWN_NAMESPACE,
    WORDPRESS_NAMESPACES,
    DeclaringReader,
    WXRSyntaxError,
)

__all__ = ["WXRSyntaxError", "WxrFile", "read_wxr"]

_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_OTHER_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


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


class WxrFile:
    """One export, read as a stream as often as the import needs.

    ``prefixes`` are the namespaces declared for the file when it does not
    (WordPress's own, and any other ``declare`` adds); ``undeclared_used``
    collects those of them the file's elements use, for the report."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.prefixes = dict(WORDPRESS_NAMESPACES)
        self.undeclared_used: set[str] = set()

    def declare(self, prefixes: set[str]) -> None:
        """Read ``prefixes`` (not WordPress's) as declared, from the next read on."""
        for prefix in prefixes:
            self.prefixes.setdefault(prefix, UNKNOWN_NAMESPACE.format(prefix=prefix))

    def elements(self) -> Iterator[tuple[str, ET.Element]]:
        """Yield ``(name, element)`` for each child of ``<channel>``; raise
        ``WXRSyntaxError`` (with the line and the fix) where the XML breaks."""
        depth = 0
        channel = None
        marks: tuple[str, ...] = ()  # "{uri}" of each namespace declared for the file
        with open(self.path, "rb") as handle:
            source = DeclaringReader(handle, self.prefixes)
            try:
                for event, element in ET.iterparse(source, events=("start", "end")):
                    if event == "start":
                        depth += 1
                        if depth == 2:
                            channel = element
                        if depth == 1:  # <rss>: the declarations are known
                            marks = tuple(f"{{{uri}}}" for uri in source.declared.values())
                        if marks and element.tag.startswith(marks):
                            self._note_undeclared(element.tag, source.declared)
                        continue
                    depth -= 1
                    if depth == 2:
                        yield qname(element.tag), element
                        channel.clear()  # the child and everything in it
            except ET.ParseError as error:
                line, column = error.position
                reason = str(error).split(":", 1)[0]
                raise WXRSyntaxError(self.path, line, column, reason) from None

    def _note_undeclared(self, tag: str, declared: dict[str, str]) -> None:
        uri = tag[1:].partition("}")[0]
        self.undeclared_used.update(p for p, known in declared.items() if known == uri)


def read_wxr(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """The children of ``<channel>`` (``WxrFile(path).elements()``)."""
    return WxrFile(path).elements()


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

    post_id: str  # wp:post_id, else a key from the guid or link (``item_key``)
    post_type: str
    title: str = ""
    link: str = ""
    guid: str = ""
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
    # Names of <category> elements with no domain attribute that are not the
    # same category given again with one: imported as categories, reported.
    undomained: list[str] = field(default_factory=list)


_ITEM_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "guid",
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


def item_fields(element: ET.Element, names: tuple[str, ...]) -> dict[str, str]:
    """The text of an item's children ``names`` (``wp:post_type`` …), without
    reading the rest; "" for those it lacks."""
    found = dict.fromkeys(names, "")
    for child in element:
        name = qname(child.tag)
        if name in found:
            found[name] = (child.text or "").strip()
    return found


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
    item.post_id = item.post_id or item_key(item.guid, item.link)
    item.terms, item.undomained = _item_terms(item.terms)
    for comment in item.comments:
        comment.wp_id = comment.wp_id or _comment_key(item.post_id, comment)
    return item


# wp_id holds at most 255 characters; a longer guid or link is kept as a digest.
_KEY_MAX_LENGTH = 200


def item_key(guid: str, link: str) -> str:
    """A stable key for an item without ``wp:post_id``: ``guid:<its guid>``,
    else ``link:<its link>`` (a digest of it when long); "" with neither."""
    for kind, value in (("guid", guid.strip()), ("link", link.strip())):
        if value:
            if len(value) > _KEY_MAX_LENGTH:
                value = hashlib.blake2b(value.encode(), digest_size=16).hexdigest()
            return f"{kind}:{value}"
    return ""


def _comment_key(post_key: str, comment: WxrComment) -> str:
    """A stable key for a comment without ``wp:comment_id``: its post's key and
    a digest of who wrote what when ("" when its post has no key either)."""
    if not post_key:
        return ""
    said = repr((comment.author, comment.email, comment.date_gmt, comment.date, comment.content))
    return (
        f"{post_key[:_KEY_MAX_LENGTH]}#{hashlib.blake2b(said.encode(), digest_size=8).hexdigest()}"
    )


def _item_terms(terms: list[tuple[str, str, str]]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """An item's ``(domain, nicename, name)`` terms as WordPress's importer
    reads them, and the names of those given with no domain.

    WXR 1.0 writes each category twice, once with no domain, and each tag
    twice with ``domain="tag"``, once without a nicename: the copy without a
    nicename is dropped when the same name comes with one. A ``<category>``
    with no domain that is not such a copy is taken as a category."""
    terms = [(_DOMAINS.get(d, d), nicename, name, not d) for d, nicename, name in terms]
    named = {(domain, name.lower()) for domain, nicename, name, _ in terms if nicename}
    kept, undomained = [], []
    for domain, nicename, name, no_domain in terms:
        if not nicename and (domain, name.lower()) in named:
            continue  # the same term, given again with its nicename
        if (domain, nicename, name) in kept:
            continue
        if no_domain and name:
            undomained.append(name)
        kept.append((domain, nicename, name))
    return kept, undomained


# WXR 1.0's domains → WordPress's taxonomies.
_DOMAINS = {"": "category", "tag": "post_tag"}
