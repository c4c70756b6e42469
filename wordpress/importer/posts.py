"""WordPress posts → Newsroom articles, and pages → Newsroom pages (``Article``
of kind page), a batch at a time, through ``articles.services.article_save``
(which sanitises the body, once).

A page is a post without categories, tags, source line or featured image, and
with a parent page (found through its ``ImportedItem``: ``reading`` imports
pages a level at a time, parents first) and a menu order; its address is its
parent's and its slug, and its old permalink an old link when they differ.

For each post: a plan (``PostPlan``: what the article should be, worked out
before anything is written), then the write when the export changed since the
last import, then, for the batch, its categories and tags, old links,
bookkeeping and comments.

New articles get their categories and tags in two bulk inserts for the whole
batch (an import of 10,000 posts would otherwise spend most of its time
there); an article the export changed gets them through ``article_save``.

Called by ``reading`` inside the transaction of each batch.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.files import File
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import ARTICLE_BODY_MAX_LENGTH, Article, Category, Source, unique_slug
from articles.services import article_save
from wordpress.content import convert_post, plain_text
from wordpress.importer import media
from wordpress.importer.authors import author_for
from wordpress.importer.comments import import_comments
from wordpress.importer.records import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Kind,
    RowBuilder,
    chunks,
    decode_slug,
    digest,
    imported_items,
    number,
)
from wordpress.importer.redirects import record_old_links
from wordpress.importer.state import ImportState
from wordpress.importer.terms import CATEGORIES, TAGS, upsert_terms
from wordpress.models import ImportedItem
from wordpress.wxr import WxrItem, WxrTerm, parse_date

STATUS_MAP = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with a future publish time: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.PENDING,
    "private": Article.Status.DRAFT,
}
SKIPPED_POST_STATUSES = {"trash", "auto-draft", "inherit"}


@dataclass
class PostPlan:
    """What one post becomes, worked out before anything is written."""

    post: WxrItem
    label: str
    kind: str  # ImportedItem.Kind.POST or PAGE
    item: ImportedItem | None
    article: Article | None
    wanted: dict
    slug: str
    category_ids: list[int]
    tag_ids: list[int]
    image: dict | None
    checksum: str
    outcome: str = UNCHANGED
    data: dict = field(default_factory=dict)


@dataclass
class Slugs:
    """The slugs new articles of a batch want, who has them, and which of those
    articles an import made (a post may take over an article a seed made)."""

    taken: dict[str, Article]
    imported: set[int]


def import_batch(
    state: ImportState, posts: list[WxrItem], *, thorough: bool = False, kind: str = Kind.POST
) -> None:
    """Import ``posts`` (or pages, for ``kind`` page, their parents imported
    before) and their comments (inside the caller's transaction).

    Unless ``thorough``, comments of posts new to this site are taken to be
    new too (no lookup); were one not, the batch fails on the unique key and
    is redone post by post, thoroughly."""
    ready = [(post, label) for post in posts if (label := _importable(state, post, kind))]
    items = imported_items(kind, [post.post_id for post, _ in ready])
    articles = Article.objects.in_bulk(
        [i.object_id for i in items.values() if i.object_id is not None]
    )
    parents = _parent_pages(ready) if kind == Kind.PAGE else {}
    plans = []
    for post, label in ready:
        item = items.get(post.post_id)
        article = articles.get(item.object_id) if item is not None else None
        plan = _plan(state, post, label, item, article, kind=kind)
        if kind == Kind.PAGE:
            _plan_page(state, plan, parents)
        plans.append(plan)
    slugs = _slugs_wanted(plans)
    for plan in plans:
        _write(state, plan, slugs)
    _set_new_terms(state, [p for p in plans if p.outcome == CREATED])
    record_old_links(state, plans)
    _record(state, plans)
    import_comments(state, plans, thorough=thorough)


def _importable(state: ImportState, post: WxrItem, kind: str = Kind.POST) -> str | None:
    """The post's label for reports, or None when it is skipped (reported)."""
    label = f"{kind} {post.post_id} “{plain_text(post.title) or '(no title)'}”"
    if not post.post_id:
        reason = f"{label}: no wp:post_id, guid or link to know it by; skipped"
    elif len(post.content) > ARTICLE_BODY_MAX_LENGTH:
        reason = (
            f"{label}: not imported (its body is {len(post.content):,} characters; "
            f"an article holds at most {ARTICLE_BODY_MAX_LENGTH:,})"
        )
    elif post.status in SKIPPED_POST_STATUSES:
        reason = f"{label}: status {post.status}; skipped"
    else:
        return label
    state.summary.add(kind, SKIPPED)
    state.summary.add("comment", SKIPPED, len(post.comments))
    state.report(reason)
    return None


def _parent_pages(ready: list[tuple[WxrItem, str]]) -> dict[str, int]:
    """WordPress page ID → Newsroom page pk, for the parents of ``ready``'s pages."""
    wanted = {post.post_parent.strip() for post, _ in ready} - {"", "0"}
    return {
        wp_id: item.object_id
        for wp_id, item in imported_items(Kind.PAGE, wanted).items()
        if item.object_id is not None
    }


def _plan_page(state: ImportState, plan: PostPlan, parents: dict[str, int]) -> None:
    """What a page adds to its plan: kind, parent page and menu order, in its
    digest too; no filing, source line or featured image."""
    parent_wp_id = plan.post.post_parent.strip()
    parent_id = parents.get(parent_wp_id) if parent_wp_id not in ("", "0") else None
    if parent_wp_id not in ("", "0") and parent_id is None:
        state.report(
            f"{plan.label}: its parent page {parent_wp_id} was not imported; "
            "imported at the top level"
        )
    plan.wanted.update(
        kind=Article.Kind.PAGE,
        parent_id=parent_id,
        menu_order=number(plan.post.menu_order),
        source_id=None,
        source_published_on=None,
        is_featured=False,
    )
    plan.category_ids, plan.tag_ids, plan.image = [], [], None
    plan.checksum = digest(plan.checksum, plan.wanted)


def _slugs_wanted(plans: list[PostPlan]) -> Slugs:
    """The slugs new posts want and the posts that have them (a page's slug is
    free or not among its siblings only: ``_write``)."""
    wanted = {p.slug for p in plans if p.article is None and p.kind == Kind.POST}
    taken = {
        a.slug: a
        for chunk in chunks(list(wanted))
        for a in Article.objects.posts()
        .filter(slug__in=chunk)
        .only("pk", "kind", "slug", "publish_at")
    }
    imported = set()
    for chunk in chunks([a.pk for a in taken.values()]):
        imported.update(
            ImportedItem.objects.filter(kind=Kind.POST, object_id__in=chunk).values_list(
                "object_id", flat=True
            )
        )
    return Slugs(taken, imported)


def _plan(state: ImportState, post: WxrItem, label: str, item, article, *, kind: str) -> PostPlan:
    gallery_cache = {}

    def gallery(ids):
        key = tuple(ids or ())
        if key not in gallery_cache:
            gallery_cache[key] = media.gallery(post.post_id, ids)
        return gallery_cache[key]

    # A page has no source line: its first line stays in its body.
    converted = convert_post(
        post.content, excerpt=post.excerpt, gallery=gallery, source_line=kind == Kind.POST
    )
    for note in converted.notes:
        state.report(f"{label}: {note}")
    title = plain_text(post.title)[:300]
    category_ids, tag_ids, term_keys = (
        _post_terms(state, post) if kind == Kind.POST else ([], [], [])
    )
    credit = converted.credit
    image = media.featured_image(state, post, label) if kind == Kind.POST else None
    known = (item.data or {}).get("body_images", {}) if item is not None else {}
    body, body_images = media.body_images(
        state, label, converted.body, published=_publish_at(post, article), known=known
    )
    wanted = {
        "title": title,
        "body": body,
        "excerpt": converted.excerpt,
        "status": _status(state, post, label),
        "author_id": author_for(state, post.creator, post),
        "source_id": _source(state, credit.name) if credit else None,
        "source_published_on": credit.published_on if credit else None,
        "comments_enabled": post.comment_status.strip() != "closed",
        "is_featured": post.is_sticky.strip() == "1",  # WordPress's sticky posts
    }
    slug = decode_slug(post.post_name) or decode_slug(title) or f"post-{post.post_id}"
    checksum = digest(
        wanted,
        slug,
        post.post_date_gmt,
        post.post_date,
        term_keys,
        image["source"] if image else None,
        image["alt"] if image else None,
    )
    plan = PostPlan(
        post, label, kind, item, article, wanted, slug, category_ids, tag_ids, image, checksum
    )
    plan.data = dict(item.data) if item is not None else {}
    if body_images or "body_images" in plan.data:
        plan.data["body_images"] = body_images
    return plan


def _status(state: ImportState, post: WxrItem, label: str) -> str:
    """The article's status; a post that is not public on WordPress is a draft."""
    status = STATUS_MAP.get(post.status)
    if status is None:
        status = Article.Status.DRAFT
        state.report(f"{label}: unknown status {post.status!r}; imported as a draft")
    if post.status == "private":
        state.report(f"{label}: private on WordPress; imported as a draft (not public)")
    if post.password.strip():
        status = Article.Status.DRAFT
        state.report(f"{label}: password-protected; imported as a draft (not public)")
    if post.is_sticky.strip() == "1":
        state.sticky += 1
    return status


def _write(state: ImportState, plan: PostPlan, slugs: Slugs) -> None:
    """Create or update the plan's article (unless the export did not change)."""
    article, item = plan.article, plan.item
    if article is not None and item.checksum == plan.checksum:
        plan.outcome = UNCHANGED
        return
    publish_at = _publish_at(plan.post, article)
    if article is None and plan.kind == Kind.POST:
        article = _seeded(plan, slugs, publish_at)
    plan.outcome = CREATED if article is None else UPDATED
    if article is None:
        article = Article(**plan.wanted, publish_at=publish_at)
        taken = plan.slug in slugs.taken if plan.kind == Kind.POST else True
        article.slug = _free_slug(state, plan, article) if taken else plan.slug
    else:
        for name, value in plan.wanted.items():
            setattr(article, name, value)
        article.publish_at = publish_at
        if article.slug != plan.slug:
            article.slug = _free_slug(state, plan, article)
    _attach_image(plan, article)
    if plan.outcome == UPDATED:
        article_save(
            article=article,
            categories=Category.objects.filter(pk__in=plan.category_ids),
            tags=Tag.objects.filter(pk__in=plan.tag_ids).values_list("name", flat=True),
        )
    else:  # its categories and tags: with the batch's (_set_new_terms)
        article_save(article=article)
    if plan.kind == Kind.POST:
        slugs.taken[article.slug] = article
        slugs.imported.add(article.pk)
    plan.article = article


def _seeded(plan: PostPlan, slugs: Slugs, publish_at: datetime) -> Article | None:
    """An article already here (from a seed, say) that the post is: same slug,
    same day, not another post's."""
    same = slugs.taken.get(plan.slug)
    if (
        same is not None
        and same.pk not in slugs.imported
        and timezone.localdate(same.publish_at) == timezone.localdate(publish_at)
    ):
        slugs.imported.add(same.pk)
        return Article.objects.get(pk=same.pk)
    return None


def _attach_image(plan: PostPlan, article: Article) -> None:
    image = plan.image
    if image is None:
        return
    if image["source"] != plan.data.get("image") or not article.featured_image:
        with open(image["path"], "rb") as handle:
            article.featured_image.save(image["path"].name, File(handle), save=False)
    article.featured_image_alt = image["alt"][:300]
    plan.data["image"] = image["source"]


def _set_new_terms(state: ImportState, plans: list[PostPlan]) -> None:
    """Categories and tags of the new articles, in two inserts."""
    through = Article.categories.through
    new_link, new_tag = RowBuilder(through), RowBuilder(TaggedItem)
    through.objects.bulk_create(
        new_link(article_id=plan.article.pk, category_id=pk)
        for plan in plans
        for pk in plan.category_ids
    )
    TaggedItem.objects.bulk_create(
        new_tag(content_type_id=state.article_type.pk, object_id=plan.article.pk, tag_id=pk)
        for plan in plans
        for pk in plan.tag_ids
    )


def _record(state: ImportState, plans: list[PostPlan]) -> None:
    """Count the posts and record what each became."""
    new_items, changed_items = [], []
    for plan in plans:
        if plan.item is None:
            new_items.append(
                ImportedItem(
                    kind=plan.kind,
                    wp_id=plan.post.post_id,
                    object_id=plan.article.pk,
                    checksum=plan.checksum,
                    data=plan.data,
                )
            )
        elif (plan.item.object_id, plan.item.checksum, plan.item.data) != (
            plan.article.pk,
            plan.checksum,
            plan.data,
        ):
            plan.item.object_id = plan.article.pk
            plan.item.checksum, plan.item.data = plan.checksum, plan.data
            changed_items.append(plan.item)
        state.summary.add(plan.kind, plan.outcome)
    ImportedItem.objects.bulk_create(new_items)
    ImportedItem.objects.bulk_update(changed_items, ["object_id", "checksum", "data"])


def _publish_at(post: WxrItem, article: Article | None) -> datetime:
    published = parse_date(post.post_date_gmt, gmt=True)
    if published is None:  # drafts: "0000-00-00 00:00:00"
        local = parse_date(post.post_date, gmt=False)
        if local is not None:
            published = timezone.make_aware(local)
    if published is None:
        published = article.publish_at if article is not None else timezone.now()
    return published


def _free_slug(state: ImportState, plan: PostPlan, article: Article) -> str:
    free = unique_slug(article, plan.slug)
    if free != plan.slug:
        state.report(f"{plan.label}: the slug {plan.slug} is taken; imported as {free}")
    return free


def _source(state: ImportState, name: str) -> int:
    if name not in state.sources:
        state.sources[name] = Source.objects.get_or_create(name=name)[0].pk
    return state.sources[name]


def _post_terms(state: ImportState, post: WxrItem) -> tuple[list[int], list[int], list]:
    """The post's category and tag pks, and their keys for the digest. A term
    the export's header did not declare is imported on the spot."""
    category_ids, tag_ids, keys = [], [], []
    for domain, nicename, name in post.terms:
        nicename = nicename or slugify(name, allow_unicode=True)
        if not nicename or domain not in ("category", "post_tag"):
            continue
        rules, ids = (CATEGORIES, category_ids) if domain == "category" else (TAGS, tag_ids)
        lookup = getattr(state, rules.lookup)
        if nicename not in lookup:  # used, but not declared in the header
            upsert_terms(state, rules, [WxrTerm(domain, "", nicename, name)])
        if lookup[nicename] not in ids:
            ids.append(lookup[nicename])
        keys.append(["category" if domain == "category" else "tag", nicename])
    return category_ids, tag_ids, sorted(keys)
