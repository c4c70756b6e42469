"""WordPress comments → Newsroom comments, through ``comments.services.comments_import``.

The importer decides what each comment is (new, changed since the last
import, unchanged), what it says (``ImportedComment``) and what to report;
the comments service writes the threads and refreshes the pages that show
them. Imported comments keep the status they had on WordPress: no emails, no
spam checks unless ``--check-spam``.

Called by ``posts`` for each batch of written posts.
"""

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from comments.models import Comment
from comments.services import ImportedComment, comments_import_threads
from comments.threads import comment_thread_shape
from newsroom.links import safe_url
from wordpress.content import comment_text, plain_text
from wordpress.importer.records import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Kind,
    chunks,
    digest,
    id_list,
    imported_items,
    insert_items,
)
from wordpress.importer.state import ImportState
from wordpress.models import ImportedItem
from wordpress.wxr import WxrComment, parse_date

COMMENT_STATUS_MAP = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KIND_MAP = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
}


@dataclass
class CommentBatch:
    """The comments of a batch of posts, as rows for the comments service, and
    what to record once they are written."""

    threads: dict = field(default_factory=dict)  # article → [ImportedComment]
    checksums: dict[str, str] = field(default_factory=dict)  # WordPress ID → digest
    items: dict[str, ImportedItem] = field(default_factory=dict)  # imported before


def import_comments(state: ImportState, plans: list, *, thorough: bool) -> None:
    """The comments of ``plans``' posts (``posts.PostPlan``, articles written).

    Unless ``thorough``, comments of posts new to this site are taken to be
    new too (no lookup)."""
    wanted = _wanted_comments(state, plans)
    if not wanted:
        return
    known = (
        {c.wp_id for _, comments in wanted for c in comments}
        if thorough
        else {c.wp_id for plan, comments in wanted if plan.item is not None for c in comments}
    )
    batch = CommentBatch(items=imported_items(Kind.COMMENT, known))
    stored = set()
    for chunk in chunks([i.object_id for i in batch.items.values() if i.object_id]):
        stored.update(Comment.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    for plan, comments in wanted:
        batch.threads[plan.article] = _rows(state, plan, comments, batch, stored)
    pks = comments_import_threads(threads=batch.threads, check_spam=state.check_spam)
    _record(state, batch, pks)


def _wanted_comments(state: ImportState, plans: list) -> list[tuple]:
    """``(plan, comments)`` for each post with comments to import; comments
    with no ID, a repeated ID or an unknown type are skipped and reported."""
    seen, wanted = set(), []
    for plan in plans:
        comments = []
        for comment in plan.post.comments:
            if not comment.wp_id or comment.wp_id in seen:
                state.summary.add("comment", SKIPPED)
                state.report(
                    f"{plan.label}: a comment with "
                    + (f"a repeated ID {comment.wp_id}" if comment.wp_id else "no ID")
                    + " was skipped"
                )
            elif comment.type not in COMMENT_KIND_MAP:
                state.summary.add("comment", SKIPPED)
                state.report(
                    f"{plan.label}: comment {comment.wp_id} of type {comment.type} skipped"
                )
            else:
                seen.add(comment.wp_id)
                comments.append(comment)
        if comments:
            wanted.append((plan, comments))
    return wanted


def _rows(
    state: ImportState, plan, comments: list[WxrComment], batch: CommentBatch, stored: set[int]
) -> list[ImportedComment]:
    """One post's comments as ``ImportedComment`` rows; one that an earlier
    import stored and the export did not change is kept as it is."""
    parent_of, depth, root_of = _thread(state, comments, plan.label)
    rows = []
    for comment in comments:
        wp_id = comment.wp_id
        values = _comment_values(state, comment, depth[wp_id], plan.article, plan.label)
        # The digest earlier imports recorded: the same values, in the same order.
        checksum = digest(values, parent_of[wp_id], root_of[wp_id])
        item = batch.items.get(wp_id)
        pk = item.object_id if item is not None and item.object_id in stored else None
        write = pk is None or item.checksum != checksum
        if write:
            batch.checksums[wp_id] = checksum
        del values["depth"]  # the comments service places the comment
        rows.append(
            ImportedComment(key=wp_id, replies_to=parent_of[wp_id], pk=pk, write=write, **values)
        )
    return rows


def _record(state: ImportState, batch: CommentBatch, pks: dict[int, dict[str, int]]) -> None:
    """Count the comments and record what each became."""
    new_items, changed_items = [], []
    for article, rows in batch.threads.items():
        for row in rows:
            if not row.write:
                state.summary.add("comment", UNCHANGED)
                continue
            pk, checksum = pks[article.pk][row.key], batch.checksums[row.key]
            item = batch.items.get(row.key)
            state.summary.add("comment", UPDATED if row.pk is not None else CREATED)
            if item is None:
                new_items.append((row.key, pk, checksum))
            else:  # changed, or imported before and deleted here since: imported again
                item.object_id, item.checksum = pk, checksum
                changed_items.append(item)
    insert_items(Kind.COMMENT, new_items)
    ImportedItem.objects.bulk_update(changed_items, ["object_id", "checksum"], batch_size=500)


def _thread(
    state: ImportState, comments: list[WxrComment], label: str
) -> tuple[dict[str, str | None], dict[str, int], dict[str, str | None]]:
    """Each comment's parent, depth and top-level comment (by WordPress ID),
    by the rule every comment write follows (``comment_thread_shape``), for the
    digest and the report.

    A reply to a comment that is not among this post's (missing from the
    export, on another post, itself) becomes top-level, a loop of replies is
    cut, and replies nested deeper than ``COMMENTS_MAX_DEPTH`` are attached
    to their deepest allowed ancestor; each is reported."""
    ids = {c.wp_id for c in comments}
    replies_to: dict[str, str | None] = {}
    for comment in comments:
        parent = comment.parent if comment.parent not in ("", "0") else None
        if parent is not None and parent not in ids:
            state.report(
                f"{label}: comment {comment.wp_id} replies to {parent}, which is not a "
                "comment of this post in the export; imported as a top-level comment"
            )
            parent = None
        replies_to[comment.wp_id] = parent
    shape = comment_thread_shape(replies_to)
    for loop, cut in shape.loops:
        if len(loop) == 1:
            state.report(
                f"{label}: comment {cut} replies to itself; imported as a top-level comment"
            )
        else:
            state.report(
                f"{label}: comments {', '.join(loop)} reply to each other in a loop; "
                f"comment {cut} imported as a top-level comment"
            )
    if shape.lifted:
        state.report(
            f"{label}: {len(shape.lifted)} replies nested deeper than "
            f"COMMENTS_MAX_DEPTH ({settings.COMMENTS_MAX_DEPTH} levels) attached to their "
            f"deepest allowed ancestor (comments {id_list(shape.lifted)})"
        )
    return shape.parent, shape.depth, shape.root


def _comment_values(state: ImportState, comment: WxrComment, depth: int, article, label) -> dict:
    created_at = parse_date(comment.date_gmt, gmt=True)
    if created_at is None:
        local = parse_date(comment.date, gmt=False)
        created_at = timezone.make_aware(local) if local else article.publish_at
    return {
        "depth": depth,
        "kind": COMMENT_KIND_MAP[comment.type],
        "author_name": (plain_text(comment.author) or "Anonymous")[:100],
        "author_email": comment.email[:254],
        "author_url": _commenter_url(state, comment, label),
        "body": comment_text(comment.content),
        "user_id": _commenter_account(state, comment),
        "ip_address": _ip(comment.ip),
        "created_at": created_at,
        "status": COMMENT_STATUS_MAP.get(comment.approved, Comment.Status.PENDING),
    }


def _commenter_account(state: ImportState, comment: WxrComment) -> int | None:
    """The account of a comment's author: the one the export's user ID names;
    when the export cannot name one (its authors carry no ``wp:author_id``, or
    the comment no user ID at all), the account with the comment's email,
    whatever its case. A comment WordPress marks as a visitor's (user ID 0) is
    never credited to an account, whatever email it gives."""
    if comment.user_id == "0":
        return None
    user = state.users_by_wp_id.get(comment.user_id)
    if user is None and comment.email:
        user = state.user_by_email(comment.email)
        if user is not None:
            state.linked_by_email[comment.wp_id] = user
    return user


def _commenter_url(state: ImportState, comment: WxrComment, label: str) -> str:
    """The commenter's website under the one URL rule (``newsroom.links``);
    one that breaks it (``javascript:``, too long) is left out and reported."""
    given = comment.url.strip()
    url = safe_url(given)
    if given and not url:
        reason = "only http and https addresses are kept"
    elif len(url) > Comment._meta.get_field("author_url").max_length:
        reason = "too long"
    else:
        return url
    state.report(
        f"{label}: comment {comment.wp_id}: website {given[:200]!r} not imported ({reason})"
    )
    return ""


@lru_cache(maxsize=4096)  # commenters come back: the same addresses again and again
def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
