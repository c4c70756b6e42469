"""Reading the export and running the import: ``WordPressImporter(path).run()``.

The file is read twice, each time as a stream (``wordpress.wxr``):

1. authors, categories, tags and attachments — small, and needed before any
   post (a post may come before its featured image, a category before its
   parent) — and the posts' two dates (``dates.BlogClock``). This pass reads
   the whole file in one transaction, so a file that is not well-formed XML
   stops the import with ``WXRSyntaxError`` (its line, and how to fix it)
   before anything is kept. A prefix used without being declared is declared
   and the pass read again (``WxrFile.declare``), as WordPress reads such files;
2. posts with their comments, then pages with theirs (kept in memory until
   the posts are done, then written a level at a time, parents first, so
   each page finds its parent: ``pages_by_level``); menu items and other
   post types are counted and skipped.

Posts are written in groups of a few hundred, one transaction per group
(``posts.import_batch``). A group that fails is rolled back — the run's memory
too, from a checkpoint (``ImportState.checkpoint``) — and redone one post per
transaction, so every post is in whole or not at all and a bad post costs only
itself. ``nothing_imported`` says why, when a file with content gave nothing.

Used by ``manage.py import_wordpress``.
"""

import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from django.db import transaction

from newsroom import pagecache
from wordpress.content import plain_text
from wordpress.importer.authors import import_author
from wordpress.importer.dates import BlogClock
from wordpress.importer.media import (
    SITE_URL_ELEMENTS,
    import_attachments,
    note_site_url,
    report_old_images,
)
from wordpress.importer.pages import pages_by_level
from wordpress.importer.posts import import_batch
from wordpress.importer.records import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportAborted,
    Kind,
    Summary,
)
from wordpress.importer.state import ImportState
from wordpress.importer.terms import import_terms
from wordpress.wxr import (
    WxrAuthor,
    WxrFile,
    WxrItem,
    WXRSyntaxError,
    WxrTerm,
    item_fields,
    parse_author,
    parse_item,
    parse_term,
    qname,
)
from wordpress.wxr_syntax import unbound_prefixes

# The post types imported (with their comments); any other is counted and skipped.
IMPORTED_TYPES = ("post", "page")


class WordPressImporter:
    """Import one WXR file; see the module docstring. ``run()`` returns a ``Summary``
    and raises ``WXRSyntaxError`` for a malformed file (having kept nothing).
    ``timezone`` is the blog's time zone (``dates.BlogClock``)."""

    # Posts are written in groups, one transaction (one commit) per group.
    GROUP_POSTS = 200
    GROUP_COMMENTS = 4000
    # Attachments are recorded this many at a time during the first pass.
    GROUP_ATTACHMENTS = 1000
    # Prefixes used undeclared that are not WordPress's: the first pass is read
    # once more for each, up to this many.
    UNKNOWN_PREFIXES = 10

    def __init__(
        self,
        path: Path,
        *,
        media_dir: Path | None = None,
        check_spam: bool = False,
        atomic: bool = False,
        progress: Callable[[int, int], None] | None = None,
        timezone: tzinfo | None = None,
    ):
        self.path = Path(path)
        self.file = WxrFile(self.path)
        self.clock = BlogClock(zone=timezone)
        self.atomic = atomic
        self.progress = progress
        self.state = ImportState(
            media_dir=Path(media_dir).resolve() if media_dir else None, check_spam=check_spam
        )
        self.post_total = 0
        self.items_total = 0  # every <item>, <wp:author>, <wp:category> … read
        self.undomained: dict[str, list[str]] = {}  # post → category names, no domain
        self.posts_done = 0
        self.failed = 0  # posts that could not be imported (reported)

    @property
    def summary(self) -> Summary:
        return self.state.summary

    def run(self) -> Summary:
        started = time.monotonic()
        try:
            self._first_pass()
            self._second_pass()
        finally:
            self._report_reading()
            # Terms and authors are written in bulk, without signals.
            transaction.on_commit(pagecache.bump_content)
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def nothing_imported(self) -> str | None:
        """Why a file with content gave nothing (None when it gave something)."""
        if not self.items_total or any(
            self.summary.total(outcome) for outcome in (CREATED, UPDATED, UNCHANGED)
        ):
            return None
        if self.post_total:
            return (
                f"none of its {self.post_total} post{'s' if self.post_total != 1 else ''} "
                "could be imported (the reasons are listed above)"
            )
        types = ", ".join(f"{n} {t}" for t, n in sorted(self.summary.skipped_types.items()))
        return f"it holds no posts{f' (only {types})' if types else ''}"

    def _report_reading(self) -> None:
        """What reading the file found that the summary should say."""
        sticky = self.state.sticky
        if sticky:
            self.state.report(
                f"{sticky} sticky post{'s' if sticky != 1 else ''}: imported as "
                "featured (pinned at the top of the home page)"
            )
        if self.file.undeclared_used:
            prefixes = ", ".join(f"{p}:" for p in sorted(self.file.undeclared_used))
            self.state.report(
                f"the file uses {prefixes} without declaring it (as old WordPress.com "
                "exports do); read as WordPress reads it"
            )
        if self.undomained:
            names = sorted({n for names in self.undomained.values() for n in names})
            self.state.report(
                f"{len(self.undomained)} posts name categories with no domain attribute "
                f"(WXR 1.0): imported as categories ({', '.join(names[:10])}"
                + (f" and {len(names) - 10} more" if len(names) > 10 else "")
                + ")"
            )
        linked = len(self.state.linked_by_email)
        if linked:
            self.state.report(
                f"{linked} comment{'s' if linked != 1 else ''} credited to the account "
                "with the commenter's email (the export names no user ID for them)"
            )
        report_old_images(self.state)
        self.clock.report(self.state)

    # -- Pass 1: authors, terms, attachments ------------------------------------

    def _first_pass(self) -> None:
        """Read the whole file, keeping its authors, terms and attachments; keep
        nothing if it is not well-formed."""
        declared = 0
        while True:
            checkpoint = self.state.checkpoint()
            try:
                with transaction.atomic():
                    self._read_header()
                break
            except WXRSyntaxError as error:
                self.state.restore(checkpoint)
                self.post_total = self.items_total = 0
                self.clock.reset()
                prefixes = set()
                if error.reason == "unbound prefix":
                    prefixes = unbound_prefixes(self.path, error.line, error.column)
                prefixes -= set(self.file.prefixes)
                if not prefixes or declared >= self.UNKNOWN_PREFIXES:
                    raise
                self.file.declare(prefixes)
                self.file.undeclared_used.update(prefixes)
                declared += len(prefixes)
        if not self.summary.wxr_version:
            self.state.report(
                "the file names no WXR version (wp:wxr_version): is it a WordPress export?"
            )

    def _read_header(self) -> None:
        authors: list[WxrAuthor] = []
        terms: list[WxrTerm] = []
        attachments: list[WxrItem] = []
        for name, element in self.file.elements():
            if name == "item":
                attachments = self._header_item(element, attachments)
            elif name == "wp:author":
                authors.append(parse_author(element))
            elif name in ("wp:category", "wp:tag", "wp:term"):
                terms.append(parse_term(name, element))
            elif name == "wp:wxr_version":
                self.summary.wxr_version = (element.text or "").strip()
            elif name in SITE_URL_ELEMENTS:
                note_site_url(self.state, element.text or "")
                continue
            else:
                continue
            self.items_total += 1
        import_attachments(self.state, attachments)
        for author in authors:
            import_author(self.state, author)
        import_terms(self.state, terms)

    def _header_item(self, element, attachments: list[WxrItem]) -> list[WxrItem]:
        """First pass over an item: collect an attachment, count a post and
        note its dates."""
        fields = item_fields(element, ("wp:post_type", "wp:post_date", "wp:post_date_gmt"))
        post_type = fields["wp:post_type"]
        if post_type == "attachment":
            attachments.append(parse_item(element))
            if len(attachments) >= self.GROUP_ATTACHMENTS:
                import_attachments(self.state, attachments)
                return []
        elif post_type in IMPORTED_TYPES:
            self.post_total += 1
            self.clock.note(fields["wp:post_date"], fields["wp:post_date_gmt"])
        return attachments

    # -- Pass 2: posts and their comments ----------------------------------------

    def _second_pass(self) -> None:
        group: list[WxrItem] = []
        pages: list[WxrItem] = []
        comments = 0
        try:
            for name, element in self.file.elements():
                if name != "item":
                    continue
                post_type = item_fields(element, ("wp:post_type",))["wp:post_type"]
                if post_type == "attachment":
                    continue
                if post_type not in IMPORTED_TYPES:
                    self._skip(post_type, element)
                    continue
                post = parse_item(element)
                self.summary.note_post(post.post_id, plain_text(post.title), post.link)
                self.clock.place(post)
                if post_type == "page":
                    pages.append(post)
                    continue
                if post.undomained:
                    self.undomained[post.post_id] = post.undomained
                group.append(post)
                comments += len(post.comments)
                if len(group) >= self.GROUP_POSTS or comments >= self.GROUP_COMMENTS:
                    self._import_group(group)
                    group, comments = [], 0
        except WXRSyntaxError:
            # The file changed since the first pass read it whole.
            self._import_group(group)  # every post read in full before the break
            self._import_pages(pages)
            raise
        self._import_group(group)
        self._import_pages(pages)

    def _import_pages(self, pages: list[WxrItem]) -> None:
        """Pages, a level at a time (parents first), in groups."""
        for level in pages_by_level(self.state, pages):
            for start in range(0, len(level), self.GROUP_POSTS):
                self._import_group(level[start : start + self.GROUP_POSTS], kind=Kind.PAGE)

    def _skip(self, post_type: str, element) -> None:
        """A page, a menu item …: counted, with its comments."""
        self.summary.skipped_types[post_type or "(none)"] += 1
        skipped = sum(1 for child in element if qname(child.tag) == "wp:comment")
        if skipped:
            self.summary.add("comment", SKIPPED, skipped)

    def _import_group(self, posts: list[WxrItem], kind: str = Kind.POST) -> None:
        if not posts:
            return
        checkpoint = self.state.checkpoint()
        try:
            with transaction.atomic():
                import_batch(self.state, posts, kind=kind)
        except Exception:
            # Find the post that failed: one transaction per post.
            self.state.restore(checkpoint)
            for post in posts:
                self._import_one(post, kind)
        else:
            self._progress(len(posts))

    def _import_one(self, post: WxrItem, kind: str) -> None:
        checkpoint = self.state.checkpoint()
        try:
            with transaction.atomic():
                import_batch(self.state, [post], thorough=True, kind=kind)
        except Exception as error:
            if self.atomic:
                raise ImportAborted(
                    f"{kind} {post.post_id}: {type(error).__name__}: {error}"
                ) from error
            self.state.restore(checkpoint)
            self.failed += 1
            self.summary.add(kind, SKIPPED)
            self.summary.add("comment", SKIPPED, len(post.comments))
            self.state.report(
                f"{kind} {post.post_id}: not imported ({type(error).__name__}: {error})"
            )
        self._progress(1)

    def _progress(self, n: int) -> None:
        self.posts_done += n
        if self.progress:
            self.progress(self.posts_done, self.post_total)
