"""Where a comment sits in its thread: the one depth rule.

``COMMENTS_MAX_DEPTH`` bounds how deep replies nest, as WordPress's "threaded
comments N levels deep" does. Every write places replies with these functions
(``comments.services``: readers, moderators, imports, demo data) and so does
the page that shows a thread (``comments.selectors``), so stored data and the
page agree, and a chain of any length (or a loop in the parents) is placed
without recursion.
"""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

from comments.models import Comment


def max_reply_depth() -> int:
    """How deep a comment may sit in its thread (a top-level comment is 0).

    ``COMMENTS_MAX_DEPTH`` counts levels, as WordPress's "threaded comments N
    levels deep" does: 5 levels are depths 0 to 4."""
    return max(settings.COMMENTS_MAX_DEPTH, 1) - 1


def reply_anchor[T: Hashable](
    parent: T | None, *, depth_of: Callable[[T], int], parent_of: Callable[[T], T | None]
) -> T | None:
    """The comment a reply to ``parent`` hangs from: ``parent`` itself or, when
    a reply there would sit deeper than ``max_reply_depth()``, its deepest
    ancestor that leaves room (None: the reply becomes top-level).

    Every write uses it (readers, moderators, the WordPress importer, the demo
    data) and so does the page that shows a thread; ``depth_of`` and
    ``parent_of`` let it climb stored comments or an import's WordPress IDs
    alike. A loop in the parents ends the climb at the top level."""
    limit = max_reply_depth()
    climbed = set()
    while parent is not None and depth_of(parent) >= limit:
        if parent in climbed:
            return None
        climbed.add(parent)
        parent = parent_of(parent)
    return parent


def comment_reply_anchor(parent: Comment | None) -> Comment | None:
    """``reply_anchor`` for a stored comment (a query per level climbed; rare)."""
    return reply_anchor(parent, depth_of=lambda c: c.depth, parent_of=lambda c: c.parent)


@dataclass
class ThreadShape[K: Hashable]:
    """Where each comment sits (see ``comment_thread_shape``), by key."""

    parent: dict[K, K | None] = field(default_factory=dict)
    depth: dict[K, int] = field(default_factory=dict)
    root: dict[K, K | None] = field(default_factory=dict)
    #: Each loop of replies found, with the comment made top-level to cut it.
    loops: list[tuple[list[K], K]] = field(default_factory=list)
    #: Replies attached further up than they asked, to stay within the depth.
    lifted: list[K] = field(default_factory=list)


def comment_thread_shape[K: Hashable](replies_to: Mapping[K, K | None]) -> ThreadShape[K]:
    """Arrange comments by what each replies to: parent, depth and top comment.

    Keys may be anything (pks, WordPress IDs), in the order that decides which
    comment of a loop becomes top-level (the first). A parent that is not a key
    makes a top-level comment; a loop (a comment replying to itself, two to
    each other, …) is cut; a reply deeper than allowed is lifted by
    ``reply_anchor``. No recursion: a chain of any length is fine."""
    shape: ThreadShape[K] = ThreadShape()
    order: dict[K, int] = {}
    for start in replies_to:
        chain, on_chain, node = [], set(), start
        while node is not None and node not in shape.depth and node not in on_chain:
            chain.append(node)
            on_chain.add(node)
            node = _known_parent(replies_to, node)
        cut = None
        if node is not None and node in on_chain:
            order = order or {key: i for i, key in enumerate(replies_to)}
            start_of_loop = chain.index(node)
            loop = chain[start_of_loop:]
            at = min(range(len(loop)), key=lambda i: order[loop[i]])
            cut = loop[at]
            shape.loops.append((loop, cut))
            # Placed from the cut down the loop, then the rest of the chain.
            chain = chain[:start_of_loop] + loop[at + 1 :] + loop[: at + 1]
        for key in reversed(chain):
            _place(shape, key, None if key == cut else _known_parent(replies_to, key))
    return shape


def _known_parent[K: Hashable](replies_to: Mapping[K, K | None], key: K) -> K | None:
    asked = replies_to[key]
    return asked if asked in replies_to else None


def _place[K: Hashable](shape: ThreadShape[K], key: K, asked: K | None) -> None:
    """Place ``key`` under ``asked`` (already placed), or higher if too deep."""
    parent = reply_anchor(asked, depth_of=shape.depth.__getitem__, parent_of=shape.parent.get)
    if parent != asked:
        shape.lifted.append(key)
    shape.parent[key] = parent
    if parent is None:
        shape.depth[key], shape.root[key] = 0, None
    else:
        shape.depth[key] = shape.depth[parent] + 1
        top = shape.root[parent]
        shape.root[key] = parent if top is None else top
