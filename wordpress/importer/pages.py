"""The order WordPress pages are imported in: a level at a time, parents first.

A page's address is its parent's and its slug (``about/team``), so its parent
must be a Newsroom page before it is written; an export lists pages in any
order (the theme unit test's ``level-3`` comes before ``level-2``). A page
whose parent is not in the export, or whose parents go round in a circle, is
put at the top level, and reported.

Called by ``reading`` once the posts are imported; ``posts.import_batch``
writes each level.
"""

from wordpress.importer.state import ImportState
from wordpress.wxr import WxrItem

NO_PARENT = ("", "0")


def pages_by_level(state: ImportState, pages: list[WxrItem]) -> list[list[WxrItem]]:
    """``pages`` in levels: the top-level pages, then their subpages, and so on."""
    by_id = {page.post_id: page for page in pages}
    depth: dict[str, int] = {}
    for page in pages:
        _depth(state, page, by_id, depth)
    levels: list[list[WxrItem]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for page in pages:
        levels[depth[page.post_id]].append(page)
    return levels


def _depth(state: ImportState, page: WxrItem, by_id: dict, depth: dict[str, int]) -> int:
    """How many ancestors ``page`` has in the export (0 at the top level);
    a page in a circle of parents, or whose parent is missing, is at the top."""
    chain: list[WxrItem] = []
    in_chain: set[str] = set()
    current = page
    while current.post_id not in depth:
        parent_id = current.post_parent.strip()
        if parent_id in NO_PARENT:
            depth[current.post_id] = 0
            break
        parent = by_id.get(parent_id)
        if parent is None or parent.post_id in in_chain or parent is current:
            reason = "is not in the export" if parent is None else "is inside it (a circle)"
            state.report(
                f"page {current.post_id}: its parent page {parent_id} {reason}; "
                "imported at the top level"
            )
            current.post_parent = ""
            depth[current.post_id] = 0
            break
        chain.append(current)
        in_chain.add(current.post_id)
        current = parent
    for child in reversed(chain):
        depth[child.post_id] = depth[child.post_parent.strip()] + 1
    return depth[page.post_id]
