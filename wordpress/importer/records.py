"""What every step of the WordPress import shares: outcomes, the summary, digests,
and the ``ImportedItem`` bookkeeping that makes a second run update instead of
duplicating.

Used by the other modules of ``wordpress.importer``; nothing here writes a
Newsroom object.
"""

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.db import connections, router
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify

from newsroom.naming import unique_name
from wordpress.models import ImportedItem

Kind = ImportedItem.Kind

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, SKIPPED)
SUMMARY_KINDS = (
    "author", "category", "tag", "attachment", "post", "page", "comment", "redirect",
)  # fmt: skip


class ImportAborted(Exception):
    """A post could not be imported under ``atomic``: the whole import stops."""


@dataclass
class Summary:
    """What an import did: per kind and outcome, skipped post types, problems."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped_types: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    wxr_version: str = ""
    seconds: float = 0.0

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    def lines(self) -> list[str]:
        plural = {"category": "categories"}
        width = max(len(plural.get(k, k + "s")) for k in SUMMARY_KINDS) + 1
        lines = []
        for kind in SUMMARY_KINDS:
            counter = self.counts.get(kind, Counter())
            numbers = ", ".join(f"{counter[outcome]} {outcome}" for outcome in OUTCOMES)
            lines.append(f"  {plural.get(kind, kind + 's') + ':':<{width}} {numbers}")
        totals = ", ".join(f"{self.total(outcome)} {outcome}" for outcome in OUTCOMES)
        lines.append(f"  {'total:':<{width}} {totals}")
        if self.skipped_types:
            types = ", ".join(f"{n} {t}" for t, n in sorted(self.skipped_types.items()))
            lines.append(f"Skipped post types: {types}.")
        if self.problems:
            lines.append(f"Reported ({len(self.problems)}):")
            lines.extend(f"  - {problem}" for problem in self.problems)
        else:
            lines.append("Reported: nothing.")
        return lines


def digest(*values) -> str:
    """A stable digest of what an import writes for one item.

    ``values`` are built the same way on every run (dicts in the same key
    order; strings, numbers, dates, None), so their ``repr`` is stable."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def decode_slug(value: str, *, max_length: int = 200) -> str:
    """WordPress percent-encodes non-ASCII slugs (``%ce%b1``); Newsroom keeps them as text."""
    return slugify(unquote(value or ""), allow_unicode=True)[:max_length].strip("-")


def old_path(link: str) -> str | None:
    """The path part of a WordPress permalink, as Django's redirects store it;
    None for a link that is only a query (``/?p=12``)."""
    path = urlsplit((link or "").strip()).path
    if not path or path == "/":
        return None
    return escape_uri_path(unquote(path))


def number(value: str) -> int:
    """An integer from WordPress (an ID, a menu order); 0 when it is not one."""
    value = value.strip()
    return int(value) if re.fullmatch(r"-?[0-9]{1,18}", value) else 0


def chunks(values: list, size: int = 1000) -> Iterator[list]:
    """``values`` in slices small enough for an ``IN (…)`` on every database."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def free_slug(slug: str, taken: dict, max_length: int, separator: str = "-") -> str:
    """``slug``, or ``slug-2``, ``slug-3`` … whichever ``taken`` does not hold."""
    return unique_name(slug, taken=taken.__contains__, max_length=max_length, separator=separator)


def id_list(wp_ids: list[str], shown: int = 10) -> str:
    """A few IDs for a report line, and how many more."""
    more = len(wp_ids) - shown
    return ", ".join(wp_ids[:shown]) + (f" and {more} more" if more > 0 else "")


class RowBuilder:
    """Makes unsaved model instances from keyword values, but passes them to the
    model positionally, in field order, as Django does for rows it reads: three
    times quicker, which counts for 100,000 rows."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.defaults = {field.attname: field.get_default() for field in fields}

    def __call__(self, **values):
        row = self.defaults | values
        return self.model(*[row[name] for name in self.names])


def imported_items(kind: str, wp_ids: Iterable[str]) -> dict[str, ImportedItem]:
    """The ``ImportedItem`` of each of ``wp_ids`` imported before, by WordPress ID."""
    found = {}
    for chunk in chunks(list(wp_ids)):
        found.update((i.wp_id, i) for i in ImportedItem.objects.filter(kind=kind, wp_id__in=chunk))
    return found


def remember(kind: str, rows: list[tuple]) -> None:
    """Record ``(wp_id, object_id, checksum, item or None)`` rows in bulk."""
    new, changed = [], []
    for wp_id, object_id, checksum, item in rows:
        if item is None:
            new.append(ImportedItem(kind=kind, wp_id=wp_id, object_id=object_id, checksum=checksum))
        elif (item.object_id, item.checksum) != (object_id, checksum):
            item.object_id, item.checksum = object_id, checksum
            changed.append(item)
    ImportedItem.objects.bulk_create(new, ignore_conflicts=True)
    ImportedItem.objects.bulk_update(changed, ["object_id", "checksum"])


def insert_items(kind: str, rows: list[tuple[str, int, str]]) -> None:
    """Insert ``ImportedItem`` rows ``(wp_id, object_id, checksum)`` with one
    ``executemany``. For 100,000 comments ``bulk_create`` would spend seconds
    compiling SQL value by value; here the constant columns are adapted once,
    by the fields themselves, and the rest are plain strings and integers."""
    if not rows:
        return
    opts = ImportedItem._meta
    connection = connections[router.db_for_write(ImportedItem)]
    constant = {
        "parent_wp_id": "",
        "data": opts.get_field("data").get_db_prep_save({}, connection),
        "imported_at": opts.get_field("imported_at").get_db_prep_save(timezone.now(), connection),
    }
    columns = ["kind", "wp_id", "object_id", "checksum", *constant]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(opts.db_table),
        ", ".join(quote(opts.get_field(name).column) for name in columns),
        ", ".join(["%s"] * len(columns)),
    )
    values = tuple(constant.values())
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(str(kind), *row, *values) for row in rows])
