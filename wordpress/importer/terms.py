"""WordPress categories and tags → Newsroom categories and taggit tags.

One upserter (``upsert_terms``) does both: it finds what each term already is
(by what an earlier import recorded, else by slug or name), plans every term
(``TermPlan``), writes the batch in bulk and records it. What differs between
the two taxonomies is data, in a ``TermRules``: how a term matches a stored row
and what it writes. Categories then get their parents, which may come after
them in the file.

Called by ``reading`` (the terms the export declares) and ``posts`` (a term a
post uses that the export did not declare).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.db.models import Model, Q
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Category
from wordpress.content import plain_text
from wordpress.importer.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Kind,
    decode_slug,
    digest,
    free_slug,
    imported_items,
    remember,
)
from wordpress.importer.state import ImportState
from wordpress.models import ImportedItem
from wordpress.wxr import WxrTerm

# A stored row the term matches, written as it was: unchanged, unless the
# category's parent differs (decided after the batch is written).
KEPT = "kept"


@dataclass
class TermPlan:
    """What one WordPress term becomes, decided before the batch is written."""

    term: WxrTerm
    checksum: str
    item: ImportedItem | None  # what an earlier import recorded, if it did
    outcome: str
    row: int | Model  # the stored row's pk, or a new row the batch creates

    @property
    def pk(self) -> int:
        return self.row if isinstance(self.row, int) else self.row.pk


@dataclass
class TermRows:
    """The rows a batch of terms may become: those stored (by pk, slug and
    lower-cased name) and those the batch adds or changes."""

    stored: dict[int, dict] = field(default_factory=dict)
    by_slug: dict[str, int | Model] = field(default_factory=dict)
    by_name: dict[str, int | Model] = field(default_factory=dict)
    new: list[Model] = field(default_factory=list)
    changed: list[Model] = field(default_factory=list)


@dataclass(frozen=True)
class TermRules:
    """What makes one taxonomy's terms rows; ``upsert_terms`` does the rest."""

    kind: str  # ImportedItem.Kind, and the summary's line
    model: type[Model]
    lookup: str  # the ``ImportState`` dict the pks go into, by nicename
    columns: tuple[str, ...]  # read for each stored row (``TermRows.stored``)
    changed_fields: list[str]  # written to stored rows the export changed
    near: Callable[[WxrTerm], Q]  # the stored rows a term may match
    decide: Callable[[WxrTerm, ImportedItem | None, TermRows], TermPlan]
    finish: Callable[[ImportState, list[TermPlan], TermRows], None] | None = None


def import_terms(state: ImportState, terms: list[WxrTerm]) -> None:
    """The export's categories and tags (other taxonomies are left out)."""
    seen = set()
    categories, tags = [], []
    for term in terms:
        if term.taxonomy not in ("category", "post_tag") or not term.slug:
            continue
        # WXR 1.2 lists a term as wp:category (or wp:tag) and again as wp:term.
        if (term.taxonomy, term.slug) in seen:
            continue
        seen.add((term.taxonomy, term.slug))
        (categories if term.taxonomy == "category" else tags).append(term)
    upsert_terms(state, TAGS, tags)
    upsert_terms(state, CATEGORIES, categories)


def upsert_terms(state: ImportState, rules: TermRules, terms: list[WxrTerm]) -> None:
    """Create or update ``terms`` in bulk, remember their pks by nicename, count
    and record them."""
    if not terms:
        return
    items = imported_items(rules.kind, [t.key for t in terms])
    rows = _stored_rows(rules, terms, items)
    plans = [rules.decide(term, items.get(term.key), rows) for term in terms]
    rules.model.objects.bulk_create(rows.new)
    rules.model.objects.bulk_update(rows.changed, rules.changed_fields)
    lookup = getattr(state, rules.lookup)
    for plan in plans:
        lookup[plan.term.slug] = plan.pk
    if rules.finish is not None:
        rules.finish(state, plans, rows)
    for plan in plans:
        state.summary.add(str(rules.kind), UNCHANGED if plan.outcome == KEPT else plan.outcome)
    remember(rules.kind, [(p.term.key, p.pk, p.checksum, p.item) for p in plans])


def _stored_rows(rules: TermRules, terms: list[WxrTerm], items: dict) -> TermRows:
    stored = rules.model.objects.all()
    if len(terms) < 10:  # a few terms a post uses without the header declaring them
        near = Q(pk__in=[i.object_id for i in items.values()])
        for term in terms:
            near |= rules.near(term)
        stored = stored.filter(near)
    rows = TermRows()
    for row in stored.values("pk", *rules.columns):
        pk = row.pop("pk")
        rows.stored[pk] = row
        rows.by_slug[row["slug"]] = pk
        rows.by_name[row["name"].lower()] = pk
    return rows


def _stored_pk(item: ImportedItem | None, rows: TermRows) -> int | None:
    """The row an earlier import made of the term, if it is still there."""
    return item.object_id if item is not None and item.object_id in rows.stored else None


# -- Categories -------------------------------------------------------------------


def _category_slug(term: WxrTerm) -> str:
    return decode_slug(term.slug) or decode_slug(term.name)


def _decide_category(term: WxrTerm, item: ImportedItem | None, rows: TermRows) -> TermPlan:
    slug = _category_slug(term) or "category"
    wanted = {
        "name": (plain_text(term.name) or slug)[:200],
        "description": plain_text(term.description),
    }
    checksum = digest(wanted, slug, term.parent_slug)
    pk = _stored_pk(item, rows)
    if pk is None and isinstance(rows.by_slug.get(slug), int):
        pk = rows.by_slug[slug]
    if pk is not None and item is not None and item.checksum == checksum:
        return TermPlan(term, checksum, item, UNCHANGED, pk)
    if pk is not None:
        stored = rows.stored[pk]
        differs = (stored["name"], stored["description"]) != (wanted["name"], wanted["description"])
        if differs:
            rows.changed.append(Category(pk=pk, **wanted))
        return TermPlan(term, checksum, item, UPDATED if differs else KEPT, pk)
    category = Category(slug=free_slug(slug, rows.by_slug, 200), **wanted)
    rows.by_slug[category.slug] = category
    rows.new.append(category)
    return TermPlan(term, checksum, item, CREATED, category)


def _set_parents(state: ImportState, plans: list[TermPlan], rows: TermRows) -> None:
    """Each written category's parent, once every category of the batch has a pk."""
    current = {pk: row["parent_id"] for pk, row in rows.stored.items()}
    reparented = []
    for plan in plans:
        if plan.outcome == UNCHANGED:
            continue
        parent_pk = _parent(state, plan, current)
        if current.get(plan.pk) != parent_pk:
            current[plan.pk] = parent_pk
            reparented.append(Category(pk=plan.pk, parent_id=parent_pk))
            plan.outcome = CREATED if plan.outcome == CREATED else UPDATED
    Category.objects.bulk_update(reparented, ["parent_id"])


def _parent(state: ImportState, plan: TermPlan, parents: dict[int, int | None]) -> int | None:
    term = plan.term
    if not term.parent_slug:
        return None
    parent_pk = state.categories.get(term.parent_slug)
    if parent_pk is None:
        state.report(
            f"category {term.slug}: its parent {term.parent_slug} is not in the "
            "export; imported at the top level"
        )
    elif _is_ancestor(plan.pk, parent_pk, parents):
        state.report(
            f"category {term.slug}: its parent {term.parent_slug} is inside it; "
            "imported at the top level"
        )
        return None
    return parent_pk


def _is_ancestor(pk: int, candidate: int | None, parents: dict[int, int | None]) -> bool:
    """Whether ``pk`` is ``candidate`` or one of its ancestors."""
    seen = set()
    while candidate is not None and candidate not in seen:
        if candidate == pk:
            return True
        seen.add(candidate)
        candidate = parents.get(candidate)
    return False


CATEGORIES = TermRules(
    kind=Kind.CATEGORY,
    model=Category,
    lookup="categories",
    columns=("slug", "name", "description", "parent_id"),
    changed_fields=["name", "description"],
    near=lambda term: Q(slug__startswith=_category_slug(term)),
    decide=_decide_category,
    finish=_set_parents,
)


# -- Tags ---------------------------------------------------------------------------


def _tag_name(term: WxrTerm) -> str:
    return (plain_text(term.name) or unquote(term.slug))[:100]


def _tag_slug(term: WxrTerm) -> str:
    return decode_slug(term.slug, max_length=100) or slugify(_tag_name(term), allow_unicode=True)


def _decide_tag(term: WxrTerm, item: ImportedItem | None, rows: TermRows) -> TermPlan:
    # TAGGIT_CASE_INSENSITIVE: one tag per name, whatever its case.
    name = _tag_name(term)
    checksum = digest(name, decode_slug(term.slug, max_length=100))
    pk = _stored_pk(item, rows)
    same_name = rows.by_name.get(name.lower())
    if pk is not None and item.checksum == checksum:
        plan = TermPlan(term, checksum, item, UNCHANGED, pk)
    elif same_name is not None:
        outcome = UNCHANGED if pk is None or pk == same_name else UPDATED
        plan = TermPlan(term, checksum, item, outcome, same_name)
    elif pk is not None:
        rows.changed.append(Tag(pk=pk, name=name))
        plan = TermPlan(term, checksum, item, UPDATED, pk)
    else:
        tag = Tag(name=name, slug=free_slug(_tag_slug(term) or "tag", rows.by_slug, 100, "_"))
        rows.by_slug[tag.slug] = tag
        rows.new.append(tag)
        plan = TermPlan(term, checksum, item, CREATED, tag)
    rows.by_name[name.lower()] = plan.row
    return plan


TAGS = TermRules(
    kind=Kind.TAG,
    model=Tag,
    lookup="tags",
    columns=("slug", "name"),
    changed_fields=["name"],
    near=lambda term: Q(name__iexact=_tag_name(term)) | Q(slug__startswith=_tag_slug(term)),
    decide=_decide_tag,
)
