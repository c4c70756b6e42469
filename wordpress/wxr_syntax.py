"""Reading an export as XML the way WordPress does: leniently about namespaces,
precisely about everything else.

Old WordPress.com exports use the ``atom:`` prefix (and some other exports
``content:``, ``dc:``, ``excerpt:``, ``wfw:`` or even ``wp:``) without
declaring it: strict XML refuses such a file, WordPress's importer reads it.
``DeclaringReader`` wraps the file and adds the missing ``xmlns:`` declarations
to the ``<rss>`` start tag as the bytes stream past (same line, so every line
number stays true), so the file is still read as a stream.

Any other well-formedness error becomes a ``WXRSyntaxError`` naming the line,
the column and how to fix it (``WXRSyntaxError.hint``).

Used by ``wordpress.wxr.read_wxr``.
"""

import re
from itertools import islice
from pathlib import Path

# What WordPress's exporter declares, by prefix. ``wp`` and ``excerpt`` name a
# WXR version; which one does not matter (``wordpress.wxr.qname`` reads any).
WORDPRESS_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "wp": "http://wordpress.org/export/1.2/",
}
# A prefix WordPress does not write, used undeclared: declared as this, so the
# file reads; the importer ignores what is in it.
UNKNOWN_NAMESPACE = "urn:newsroom:undeclared:{prefix}"

# The <rss> start tag, or a comment before it (which may mention "<rss>").
_RSS_TAG = re.compile(rb"<!--.*?-->|<rss\b[^>]*>", re.DOTALL)
_DECLARED = re.compile(rb"\bxmlns:([A-Za-z_][\w.-]*)\s*=")
# Where the <rss> start tag must be found: after the XML declaration and any
# comment a plugin put first.
_HEAD_BYTES = 64 * 1024

# expat's message → how to fix the file at that line.
HINTS = {
    "unbound prefix": (
        "a namespace prefix is used without being declared; add "
        'xmlns:PREFIX="…" to the <rss> tag at the top of the file'
    ),
    "no element found": (
        "the file ends before the export does (cut off while downloading or copying?); "
        "export it from WordPress again"
    ),
    "unclosed token": (
        "the file ends inside a tag (cut off while downloading or copying?); "
        "export it from WordPress again"
    ),
    "mismatched tag": (
        "a tag there is closed with another tag's name; correct the closing tag, "
        "or export the file again"
    ),
    "not well-formed (invalid token)": (
        "a character XML does not allow there (a bare < or &, or a control character "
        "pasted from another program); write &lt; or &amp;, remove the character, or "
        "export the file again"
    ),
    "undefined entity": (
        "an HTML entity such as &nbsp; outside a CDATA section; write the character "
        "itself or its number (&#160;)"
    ),
    "junk after document element": (
        "there is text after </rss> (two exports joined?); import each file on its own"
    ),
    "syntax error": (
        "this is not XML at all (an HTML page or an error message saved instead of "
        "the export?); export the file from WordPress again"
    ),
    "XML or text declaration not at start of entity": (
        "something comes before <?xml (a blank line or stray characters a plugin "
        "printed); delete it so the file starts with <?xml"
    ),
}
DEFAULT_HINT = "correct the file there, or export it from WordPress again"


class WXRSyntaxError(Exception):
    """The file is not well-formed XML (malformed or truncated); ``hint`` says
    how to fix it."""

    def __init__(self, path, line: int, column: int, reason: str):
        self.path, self.line, self.column, self.reason = path, line, column, reason
        self.hint = HINTS.get(reason, DEFAULT_HINT)
        super().__init__(
            f"{path}: not a well-formed WordPress export at line {line}, column {column}: "
            f"{reason} — {self.hint}"
        )


class DeclaringReader:
    """A binary file whose ``<rss>`` start tag gets an ``xmlns:`` declaration
    for each prefix of ``prefixes`` it does not declare (``declared`` says
    which those were: prefix → namespace)."""

    def __init__(self, handle, prefixes: dict[str, str]):
        self.handle = handle
        self.prefixes = prefixes
        self.declared: dict[str, str] = {}
        self._head: bytes | None = None

    def read(self, size: int = -1) -> bytes:
        if self._head is None:
            self._head = self._declare(self.handle.read(_HEAD_BYTES))
        if self._head:
            head, self._head = self._head, b""
            return head
        return self.handle.read(size)

    def _declare(self, head: bytes) -> bytes:
        tag = next((m for m in _RSS_TAG.finditer(head) if m.group().startswith(b"<rss")), None)
        if tag is None:  # not an export, or not ASCII-compatible: left to the parser
            return head
        have = {m.decode() for m in _DECLARED.findall(tag.group())}
        self.declared = {p: uri for p, uri in self.prefixes.items() if p not in have}
        if not self.declared:
            return head
        extra = "".join(f' xmlns:{p}="{uri}"' for p, uri in self.declared.items())
        end = tag.end() - 1  # before the ">"
        return head[:end] + extra.encode() + head[end:]


def unbound_prefixes(path: Path, line: int, column: int) -> set[str]:
    """The undeclared prefixes of the tag at ``line``/``column`` (where expat
    reports "unbound prefix"), read from the file."""
    with open(path, "rb") as handle:
        text = next(islice(handle, line - 1, None), b"")
    tag = text[column:].split(b">", 1)[0]
    names = re.findall(rb"(?:^<|\s)/?([A-Za-z_][\w.-]*):[\w.-]+", tag)
    return {n.decode() for n in names} - {"xml", "xmlns"}
