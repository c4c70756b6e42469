"""Reading a seed page (the text of a post page, see ``articles.seeds``) into a
``SeedDocument``: plain data, nothing written. ``parse_seed`` raises
``SeedError`` naming the line of what it cannot read.

Called by ``articles.seeds.load`` (the article) and the ``load_seeds`` command
(which hands the responses to ``comments.seeds``).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from articles.attribution import SourceCredit, normalize_line, parse_long_date, parse_source_line
from newsroom.links import safe_url

_POSTED_BY = re.compile(
    r"^(?P<date>.*?)\s*[-–—]?\s*Posted by\b\s*(?P<author>[^|]*?)\s*\|(?P<rest>.*)$", re.I
)
# The last part of a "Posted by" line on WordPress.com: the comment link.
_COMMENT_LINK = re.compile(r"^(?:leave a comment|comments off|one comment|\d+ comments?)$", re.I)
_RESPONSES = re.compile(
    r"^(?P<count>\d+|one) (?:responses?|comments?|replies) (?:to|on) [“\"](?P<title>.*)[”\"]$",
    re.I,
)
_COMMENT_BY = re.compile(
    r"^Comment by (?P<author>.+?) \| (?P<date>[^|]+?)(?: at (?P<time>\d{1,2}:\d{2}\s*[ap]m))?"
    r"(?: \| Reply)?$",
    re.I,
)
_END_OF_RESPONSES = re.compile(r"^(?:leave a (?:reply|comment)|this site uses akismet)", re.I)
_LIST_NUMBER = re.compile(r"^\d{1,4}\.\s+")
_URL = re.compile(r"https?://[^\s<>\"]+")
_URL_TRAILER = ".,;:!?)]}’”'\""

# Seeds are dated, not timed: the article is published at noon of its day, and
# a response the page dates without a time too.
PUBLISH_TIME = time(12, 0)


class SeedError(ValueError):
    """A seed document that cannot be read; the message says what is wrong and
    ``line`` (1-based) where, when it is one line's fault."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Block:
    """Lines between blank lines, joined to one normalised line; ``indent`` is
    the least indentation of its lines, ``line`` where it starts."""

    text: str
    indent: int
    line: int


@dataclass
class SeedResponse:
    """A comment the page shows under the post; ``replies_to`` is the index of
    the response it answers (None: top level)."""

    author_name: str
    created_at: datetime
    body: str  # plain text, paragraphs separated by a blank line
    replies_to: int | None
    line: int


@dataclass
class SeedDocument:
    site_name: str
    tagline: str
    title: str
    credit: SourceCredit | None
    paragraphs: list[str]
    posted_on: date
    author_name: str
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body_html: str = ""  # the paragraphs as HTML: quotations, links
    responses: list[SeedResponse] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:192].strip("-")


def blocks(text: str) -> list[Block]:
    """The blank-line separated blocks of ``text``."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    found, current, start, indent = [], [], 0, 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = normalize_line(raw)
        if line:
            expanded = raw.expandtabs(4).replace("\u00a0", " ")
            margin = len(expanded) - len(expanded.lstrip())
            start, indent = (number, margin) if not current else (start, min(indent, margin))
            current.append(line)
        elif current:
            found.append(Block(" ".join(current), indent, start))
            current = []
    if current:
        found.append(Block(" ".join(current), indent, start))
    return found


def _names(text: str) -> list[str]:
    names = (normalize_line(name) for name in text.split(","))
    return list(dict.fromkeys(name for name in names if name))


def linked_html(text: str) -> str:
    """``text`` escaped, its bare web addresses as links (``newsroom.links``)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = match[0].rstrip(_URL_TRAILER)
        if not safe_url(url):
            continue
        parts += [escape(text[last : match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        last = match.start() + len(url)
    return "".join(parts) + escape(text[last:])


def body_html(body: list[Block]) -> str:
    """Paragraphs as ``<p>``; indented ones (a quotation) in one ``<blockquote>``."""
    html, quoted = [], []
    margin = min(block.indent for block in body)
    for block in body:
        paragraph = f"<p>{linked_html(block.text)}</p>"
        if block.indent > margin:
            quoted.append(paragraph)
            continue
        if quoted:
            html.append("<blockquote>" + "\n".join(quoted) + "</blockquote>")
            quoted = []
        html.append(paragraph)
    if quoted:
        html.append("<blockquote>" + "\n".join(quoted) + "</blockquote>")
    return "\n".join(html)


def _posted_by(block: Block, site_name: str) -> tuple[date, str, list[str], list[str]]:
    """The date, author, categories and tags of the "Posted by" line.

    WordPress.com's ends with the comment link and may name no author (the
    site's name stands in): ``Posted by aletho | categories | tags | Leave a
    comment``, ``Posted by | categories | tags | 1 Comment``. Without the
    comment link, the seeds' own form: ``Posted by | NAME | categories | tags``."""
    posted = _POSTED_BY.match(block.text)
    posted_on = parse_long_date(posted["date"])
    if posted_on is None:
        raise SeedError(
            f"the 'Posted by' line has no readable date: {posted['date']!r}", line=block.line
        )
    parts = [normalize_line(part) for part in posted["rest"].split("|")]
    wordpress_com = len(parts) > 1 and bool(_COMMENT_LINK.match(parts[-1]))
    if wordpress_com:
        parts.pop()
    author = normalize_line(posted["author"])
    if not author and wordpress_com:
        author = site_name
    elif not author:
        author, parts = parts[0], parts[1:]
    if not author:
        raise SeedError("the 'Posted by' line names no author", line=block.line)
    categories = _names(parts[0]) if parts else []
    tags = _names(parts[1]) if len(parts) > 1 else []
    return posted_on, author, categories, tags


def _comment_time(match: re.Match, line: int) -> datetime:
    day = parse_long_date(match["date"])
    if day is None:
        raise SeedError(f"the comment by {match['author']} has no readable date", line=line)
    at = PUBLISH_TIME
    if match["time"]:
        at = datetime.strptime(match["time"].replace(" ", "").upper(), "%I:%M%p").time()
    return timezone.make_aware(datetime.combine(day, at))


def parse_responses(heading: Block, after: list[Block]) -> list[SeedResponse]:
    """The comments under "N Responses to “Title”": each is its text, then a
    ``Comment by NAME | DATE | Reply`` line; a reply is indented deeper than
    the comment it answers."""
    responses: list[SeedResponse] = []
    open_at: list[tuple[int, int]] = []  # (indent, index) of the thread so far
    text: list[Block] = []
    for block in after:
        if _END_OF_RESPONSES.match(block.text):
            break
        by = _COMMENT_BY.match(block.text)
        if by is None:
            text.append(block)
            continue
        if not text:
            raise SeedError(f"the comment by {by['author']} has no text", line=block.line)
        while open_at and open_at[-1][0] >= block.indent:
            open_at.pop()
        body = "\n\n".join([_LIST_NUMBER.sub("", text[0].text)] + [b.text for b in text[1:]])
        responses.append(
            SeedResponse(
                author_name=normalize_line(by["author"])[:100],
                created_at=_comment_time(by, block.line),
                body=body,
                replies_to=open_at[-1][1] if open_at else None,
                line=text[0].line,
            )
        )
        open_at.append((block.indent, len(responses) - 1))
        text = []
    if text:
        raise SeedError(
            "this text under the responses is not followed by a 'Comment by NAME | DATE' line",
            line=text[0].line,
        )
    _check_count(heading, responses)
    return responses


def _check_count(heading: Block, responses: list[SeedResponse]) -> None:
    count = _RESPONSES.match(heading.text)["count"]
    expected = 1 if count.lower() == "one" else int(count)
    if expected != len(responses):
        raise SeedError(
            f"the page says {heading.text!r} but {len(responses)} "
            f"response{'s' if len(responses) != 1 else ''} could be read",
            line=heading.line,
        )


def parse_seed(text: str) -> SeedDocument:
    """Read a seed document; raise ``SeedError`` saying what is wrong (and where)."""
    found = blocks(text)
    if not found:
        raise SeedError("the file is empty")
    posted_at = next((i for i, b in enumerate(found) if _POSTED_BY.match(b.text)), None)
    if posted_at is None:
        raise SeedError(
            "no 'Posted by' line (expected e.g. 'August 1, 2024 - Posted by | Author | , ,')"
        )
    if posted_at < 4:
        raise SeedError(
            "expected the site name, tagline, title and at least one body paragraph "
            "before the 'Posted by' line",
            line=found[posted_at].line,
        )
    site_name, tagline, title = (b.text for b in found[:3])
    credit = parse_source_line(found[3].text)
    body = found[4 if credit else 3 : posted_at]
    if not body:
        raise SeedError("the article has no body paragraphs", line=found[posted_at].line)
    posted_on, author_name, categories, tags = _posted_by(found[posted_at], site_name)
    if credit and credit.byline:  # the writer stays, as the page showed them
        body = [Block(credit.byline, body[0].indent, found[3].line), *body]
    after = found[posted_at + 1 :]
    heading = next((i for i, b in enumerate(after) if _RESPONSES.match(b.text)), None)
    return SeedDocument(
        site_name=site_name,
        tagline=tagline,
        title=title,
        credit=credit,
        paragraphs=[b.text for b in body],
        posted_on=posted_on,
        author_name=author_name,
        categories=categories,
        tags=tags,
        body_html=body_html(body),
        responses=[] if heading is None else parse_responses(after[heading], after[heading + 1 :]),
    )
