"""The source line of a reposted article: ``The Cradle | August 1, 2024``, or
with the writer's byline, ``By Christina Maas | Reclaim The Net | January 5, 2023``.

Reposting sites open each post with the publication it came from and the
original date (and the writer, when the original names one). ``parse_source_line``
reads that line; the seed loader and the WordPress importer both use it, so a
post is credited the same way whichever door it came in by. The writer has no
field of its own: both keep ``By <writer>`` as the body's first paragraph
(``SourceCredit.byline``), as the original page showed it.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y")
_SOURCE_LINE = re.compile(
    r"^(?:by\s+(?P<author>[^|]{1,200}?)\s*\|\s*)?"
    r"(?P<name>[^|]{1,200}?)\s*\|\s*(?P<date>[A-Za-z]{3,9}\.? \d{1,2},? \d{4})$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SourceCredit:
    name: str
    published_on: date
    author: str = ""  # the writer the source line names (``By …``), if any

    @property
    def byline(self) -> str:
        """``By <writer>``, the paragraph that keeps the writer in the body; or ``""``."""
        return f"By {self.author}" if self.author else ""


def normalize_line(line: str) -> str:
    """NFC, non-breaking and other odd spaces as plain spaces, trimmed."""
    line = unicodedata.normalize("NFC", line)
    line = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t]", " ", line)
    return re.sub(r" {2,}", " ", line).strip()


def parse_long_date(text: str) -> date | None:
    """``August 1, 2024`` (or ``Aug 1, 2024``) as a date; None if it is not one."""
    text = normalize_line(text).replace(".", "")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_source_line(line: str) -> SourceCredit | None:
    """The credit in a source line, or None when the line is not one."""
    match = _SOURCE_LINE.match(normalize_line(line))
    if not match:
        return None
    published_on = parse_long_date(match["date"])
    name = match["name"].strip()
    if published_on is None or not name:
        return None
    return SourceCredit(
        name=name, published_on=published_on, author=(match["author"] or "").strip()
    )
