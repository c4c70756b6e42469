"""Unique names made by appending ``-2``, ``-3`` … until one is free.

The one rule for slugs (``articles.models.unique_slug``, the ``SluggedBase``
models), usernames (``accounts.usernames``) and the WordPress importer's
in-memory plans: callers say what is taken, this says what to use.
"""

from collections.abc import Callable

# Room kept at the end of a long name for a suffix such as "-1234".
SUFFIX_ROOM = 8


def unique_name(
    name: str, *, taken: Callable[[str], bool], max_length: int, separator: str = "-"
) -> str:
    """``name`` (cut to ``max_length``) if ``taken`` says it is free, else the
    first free of ``name-2``, ``name-3`` … (``name`` cut to leave room)."""
    base = name[: max_length - SUFFIX_ROOM]
    candidate, n = name[:max_length], 2
    while taken(candidate):
        candidate, n = f"{base}{separator}{n}", n + 1
    return candidate
