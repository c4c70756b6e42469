"""Reading the export and running the import: ``WordPressImporter(path).run()``.

The file is read twice, each time as a stream (``wordpress.wxr``):

1. authors, categories, tags and attachments — small, and needed before any
   post (a post may come before its featured image, a category before its
   parent);
2. posts with their comments; pages, menu items and other post types are
   counted and skipped.

Posts are written in groups of a few hundred, one transaction per group
(``posts.import_batch``). A group that fails is rolled back — the run's memory
too, from a checkpoint (``ImportState.checkpoint``) — and redone one post per
transaction, so every post is in whole or not at all and a bad post costs only
itself. A file that breaks off stops the import with ``WXRSyntaxError`` after
the posts read in full before the break are in.

Used by ``manage.py import_wordpress``.
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from newsroom import pagecache
from wordpress.importer.authors import import_author
from wordpress.importer.media import import_attachments
from wordpress.importer.posts import import_batch
from wordpress.importer.records import SKIPPED, ImportAborted, Summary
from wordpress.importer.state import ImportState
from wordpress.importer.terms import import_terms
from wordpress.wxr import (
    WxrAuthor,
    WxrItem,
    WXRSyntaxError,
    WxrTerm,
    item_type,
    parse_author,
    parse_item,
    parse_term,
    qname,
    read_wxr,
)


class WordPressImporter:
    """Import one WXR file; see the module docstring. ``run()`` returns a ``Summary``
    and raises ``WXRSyntaxError`` for a malformed file (after keeping what was
    complete before the break)."""

    # Posts are written in groups, one transaction (one commit) per group.
    GROUP_POSTS = 200
    GROUP_COMMENTS = 4000
    # Attachments are recorded this many at a time during the first pass.
    GROUP_ATTACHMENTS = 1000

    def __init__(
        self,
        path: Path,
        *,
        media_dir: Path | None = None,
        check_spam: bool = False,
        atomic: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.path = Path(path)
        self.atomic = atomic
        self.progress = progress
        self.state = ImportState(
            media_dir=Path(media_dir).resolve() if media_dir else None, check_spam=check_spam
        )
        self.post_total = 0
        self.posts_done = 0
        self.failed = 0  # posts that could not be imported (reported)

    @property
    def summary(self) -> Summary:
        return self.state.summary

    def run(self) -> Summary:
        started = time.monotonic()
        try:
            syntax_error = self._first_pass()
            self._second_pass()
            if syntax_error is not None:  # the second pass stops there too
                raise syntax_error
        finally:
            sticky = self.state.sticky
            if sticky:
                self.state.report(
                    f"{sticky} sticky post{'s' if sticky != 1 else ''}: Newsroom has "
                    "no sticky flag, imported as ordinary posts"
                )
            # Terms and authors are written in bulk, without signals.
            transaction.on_commit(pagecache.bump_content)
            self.summary.seconds = time.monotonic() - started
        return self.summary

    # -- Pass 1: authors, terms, attachments ------------------------------------

    def _first_pass(self) -> WXRSyntaxError | None:
        authors: list[WxrAuthor] = []
        terms: list[WxrTerm] = []
        attachments: list[WxrItem] = []
        syntax_error = None
        with transaction.atomic():
            try:
                for name, element in read_wxr(self.path):
                    if name == "item":
                        attachments = self._header_item(element, attachments)
                    elif name == "wp:author":
                        authors.append(parse_author(element))
                    elif name in ("wp:category", "wp:tag", "wp:term"):
                        terms.append(parse_term(name, element))
                    elif name == "wp:wxr_version":
                        self.summary.wxr_version = (element.text or "").strip()
            except WXRSyntaxError as error:
                syntax_error = error
            import_attachments(self.state, attachments)
            for author in authors:
                import_author(self.state, author)
            import_terms(self.state, terms)
        if not self.summary.wxr_version and syntax_error is None:
            self.state.report(
                "the file names no WXR version (wp:wxr_version): is it a WordPress export?"
            )
        return syntax_error

    def _header_item(self, element, attachments: list[WxrItem]) -> list[WxrItem]:
        """First pass over an item: collect an attachment, count a post."""
        post_type, _ = item_type(element)
        if post_type == "attachment":
            attachments.append(parse_item(element))
            if len(attachments) >= self.GROUP_ATTACHMENTS:
                import_attachments(self.state, attachments)
                return []
        elif post_type == "post":
            self.post_total += 1
        return attachments

    # -- Pass 2: posts and their comments ----------------------------------------

    def _second_pass(self) -> None:
        group: list[WxrItem] = []
        comments = 0
        try:
            for name, element in read_wxr(self.path):
                if name != "item":
                    continue
                post_type, _ = item_type(element)
                if post_type == "attachment":
                    continue
                if post_type != "post":
                    self._skip(post_type, element)
                    continue
                post = parse_item(element)
                group.append(post)
                comments += len(post.comments)
                if len(group) >= self.GROUP_POSTS or comments >= self.GROUP_COMMENTS:
                    self._import_group(group)
                    group, comments = [], 0
        except WXRSyntaxError:
            self._import_group(group)  # every post read in full before the break
            raise
        self._import_group(group)

    def _skip(self, post_type: str, element) -> None:
        """A page, a menu item …: counted, with its comments."""
        self.summary.skipped_types[post_type or "(none)"] += 1
        skipped = sum(1 for child in element if qname(child.tag) == "wp:comment")
        if skipped:
            self.summary.add("comment", SKIPPED, skipped)

    def _import_group(self, posts: list[WxrItem]) -> None:
        if not posts:
            return
        checkpoint = self.state.checkpoint()
        try:
            with transaction.atomic():
                import_batch(self.state, posts)
        except Exception:
            # Find the post that failed: one transaction per post.
            self.state.restore(checkpoint)
            for post in posts:
                self._import_one(post)
        else:
            self._progress(len(posts))

    def _import_one(self, post: WxrItem) -> None:
        checkpoint = self.state.checkpoint()
        try:
            with transaction.atomic():
                import_batch(self.state, [post], thorough=True)
        except Exception as error:
            if self.atomic:
                raise ImportAborted(
                    f"post {post.post_id}: {type(error).__name__}: {error}"
                ) from error
            self.state.restore(checkpoint)
            self.failed += 1
            self.summary.add("post", SKIPPED)
            self.summary.add("comment", SKIPPED, len(post.comments))
            self.state.report(
                f"post {post.post_id}: not imported ({type(error).__name__}: {error})"
            )
        self._progress(1)

    def _progress(self, n: int) -> None:
        self.posts_done += n
        if self.progress:
            self.progress(self.posts_done, self.post_total)
