"""Import a WordPress export (WXR) into Newsroom: ``WordPressImporter(path).run()``.

The file is read twice, each time as a stream (``wordpress.wxr``):

1. authors, categories, tags and attachments — small, and needed before any
   post (a post may come before its featured image, a category before its
   parent);
2. posts with their comments; pages, menu items and other post types are
   counted and skipped.

Posts are written in groups of a few hundred, one transaction per group and
bulk inserts within it (comments a thread level at a time, so a reply always
finds its parent). A group that fails is rolled back and redone one post per
transaction, so every post is in whole or not at all and a bad post costs only
itself. A file that breaks off stops the import with ``WXRSyntaxError`` after
the posts read in full before the break are in.

Every WordPress item is recorded in ``ImportedItem`` with a digest of what was
written, so a second run updates what changed in the export, leaves the rest
(and any editing done in Newsroom since) alone, and duplicates nothing.
WordPress IDs are per site: import one WordPress site into one Newsroom.

Imported comments are stored as they were moderated on WordPress: no emails,
no spam checks, unless ``check_spam`` (then the pending ones are checked).
"""

import hashlib
import ipaddress
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError
from taggit.models import Tag, TaggedItem

from articles.models import ARTICLE_BODY_MAX_LENGTH, Article, Category, Source, unique_slug
from comments.models import Comment
from comments.services import comment_thread_shape
from newsroom.links import safe_url
from wordpress.content import GalleryImage, comment_text, convert_post, plain_text
from wordpress.models import ImportedItem, OldLink
from wordpress.wxr import (
    WxrAuthor,
    WxrComment,
    WxrItem,
    WXRSyntaxError,
    WxrTerm,
    item_type,
    parse_author,
    parse_date,
    parse_item,
    parse_term,
    qname,
    read_wxr,
)

Kind = ImportedItem.Kind

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, SKIPPED)
SUMMARY_KINDS = ("author", "category", "tag", "attachment", "post", "comment", "redirect")

STATUS_MAP = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with a future publish time: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.PENDING,
    "private": Article.Status.DRAFT,
}
SKIPPED_POST_STATUSES = {"trash", "auto-draft", "inherit"}
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
OLD_LINK_MAX_LENGTH = OldLink._meta.get_field("path").max_length
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff"}
COMMENT_FIELDS = [
    "parent_id", "root_id", "depth", "kind", "author_name", "author_email", "author_url",
    "body", "user_id", "ip_address", "created_at", "status",
]  # fmt: skip


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


@dataclass
class Attachment:
    wp_id: str
    url: str
    file: str
    title: str
    alt: str
    caption: str
    menu_order: int

    @property
    def is_image(self) -> bool:
        return PurePosixPath(urlsplit(self.url).path or self.file).suffix.lower() in IMAGE_SUFFIXES


@dataclass
class PostPlan:
    """What one post becomes, worked out before anything is written."""

    post: WxrItem
    label: str
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


class _Builder:
    """Makes unsaved model instances from keyword values, but passes them to the
    model positionally, in field order, as Django does for rows it reads: three
    times quicker, which counts for 100,000 comments."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.defaults = {field.attname: field.get_default() for field in fields}

    def __call__(self, **values):
        row = self.defaults | values
        return self.model(*[row[name] for name in self.names])


def _insert_items(kind: str, rows: list[tuple[str, int, str]]) -> None:
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


def _number(value: str) -> int:
    """An integer from WordPress (an ID, a menu order); 0 when it is not one."""
    value = value.strip()
    return int(value) if re.fullmatch(r"-?[0-9]{1,18}", value) else 0


def _chunks(values: list, size: int = 1000):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class WordPressImporter:
    """Import one WXR file; see the module docstring. ``run()`` returns a ``Summary``
    and raises ``WXRSyntaxError`` for a malformed file (after keeping what was
    complete before the break)."""

    # Posts are written in groups, one transaction (one commit) per group; a
    # group that fails is redone one post per transaction, so each post is whole
    # or absent and a bad post costs only itself.
    GROUP_POSTS = 200
    GROUP_COMMENTS = 4000

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
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.check_spam = check_spam
        self.atomic = atomic
        self.progress = progress
        self.summary = Summary()
        self.users: dict[str, int] = {}  # author login → user pk
        self.users_by_wp_id: dict[str, int] = {}  # WordPress user ID → user pk
        self.categories: dict[str, int] = {}  # nicename → category pk
        self.tags: dict[str, int] = {}  # nicename → tag pk
        self.sources: dict[str, int] = {}  # name → source pk
        self.article_type = ContentType.objects.get_for_model(Article)
        self.sticky = 0
        self.post_total = 0
        self.posts_done = 0
        self.failed = 0  # posts that could not be imported (reported)

    # -- Running -------------------------------------------------------------

    def run(self) -> Summary:
        started = time.monotonic()
        try:
            syntax_error = self._first_pass()
            self._import_posts()
            if syntax_error is not None:  # the second pass stops there too
                raise syntax_error
        finally:
            if self.sticky:
                self.report(
                    f"{self.sticky} sticky post{'s' if self.sticky != 1 else ''}: Newsroom has "
                    "no sticky flag, imported as ordinary posts"
                )
            transaction.on_commit(_content_changed)
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def report(self, problem: str) -> None:
        self.summary.problems.append(problem)

    def _checkpoint(self) -> tuple:
        """What a rolled-back transaction must take back from the importer's memory."""
        counts = {kind: Counter(counter) for kind, counter in self.summary.counts.items()}
        caches = (self.users, self.users_by_wp_id, self.categories, self.tags, self.sources)
        return counts, len(self.summary.problems), self.sticky, [dict(c) for c in caches]

    def _restore(self, checkpoint: tuple) -> None:
        counts, problems, self.sticky, caches = checkpoint
        self.summary.counts = defaultdict(Counter, counts)
        del self.summary.problems[problems:]
        self.users, self.users_by_wp_id, self.categories, self.tags, self.sources = caches

    @staticmethod
    def _items(kind: str, wp_ids) -> dict[str, ImportedItem]:
        found = {}
        for chunk in _chunks(list(wp_ids)):
            found.update(
                (i.wp_id, i) for i in ImportedItem.objects.filter(kind=kind, wp_id__in=chunk)
            )
        return found

    # -- Pass 1: authors, terms, attachments ---------------------------------------

    def _first_pass(self) -> WXRSyntaxError | None:
        authors: list[WxrAuthor] = []
        terms: list[WxrTerm] = []
        attachments: list[WxrItem] = []
        syntax_error = None
        with transaction.atomic():
            try:
                for name, element in read_wxr(self.path):
                    if name == "item":
                        post_type, _ = item_type(element)
                        if post_type == "attachment":
                            attachments.append(parse_item(element))
                            if len(attachments) >= 1000:
                                self._import_attachments(attachments)
                                attachments = []
                        elif post_type == "post":
                            self.post_total += 1
                    elif name == "wp:author":
                        authors.append(parse_author(element))
                    elif name in ("wp:category", "wp:tag", "wp:term"):
                        terms.append(parse_term(name, element))
                    elif name == "wp:wxr_version":
                        self.summary.wxr_version = (element.text or "").strip()
            except WXRSyntaxError as error:
                syntax_error = error
            self._import_attachments(attachments)
            for author in authors:
                self._import_author(author)
            self._import_terms(terms)
        if not self.summary.wxr_version and syntax_error is None:
            self.report("the file names no WXR version (wp:wxr_version): is it a WordPress export?")
        return syntax_error

    def _import_author(self, author: WxrAuthor) -> None:
        User = get_user_model()
        if not author.login:
            self.summary.add("author", SKIPPED)
            self.report("an author with no login was skipped")
            return
        display_name = author.display_name or author.login
        wanted = {
            "display_name": display_name[:150],
            "first_name": author.first_name[:150],
            "last_name": author.last_name[:150],
            "email": author.email[:254],
        }
        checksum = digest(wanted)
        item = ImportedItem.objects.filter(kind=Kind.AUTHOR, wp_id=author.login).first()
        user = User.objects.filter(pk=item.object_id).first() if item else None
        if user is not None and item.checksum == checksum:
            outcome = UNCHANGED
        elif user is not None:
            for name, value in wanted.items():
                setattr(user, name, value)
            user.save(update_fields=list(wanted))
            outcome = UPDATED
        else:
            user = (
                User.objects.filter(email__iexact=author.email).order_by("pk").first()
                if author.email
                else None
            )
            if user is not None:
                outcome = UNCHANGED
                self.report(
                    f"author {author.login}: an account with the same email exists "
                    f"({user.username}); their posts are credited to it"
                )
            else:
                user = User(username=self._username(author.login), **wanted)
                user.set_unusable_password()
                user.save()
                outcome = CREATED
        if item is None:
            ImportedItem.objects.create(
                kind=Kind.AUTHOR, wp_id=author.login, object_id=user.pk, checksum=checksum
            )
        elif (item.object_id, item.checksum) != (user.pk, checksum):
            item.object_id, item.checksum = user.pk, checksum
            item.save(update_fields=["object_id", "checksum", "imported_at"])
        self.summary.add("author", outcome)
        self.users[author.login] = user.pk
        if author.wp_id:
            self.users_by_wp_id[author.wp_id] = user.pk

    @staticmethod
    def _username(login: str) -> str:
        User = get_user_model()
        base = "".join(c for c in login if c.isalnum() or c in "@.+-_")[:140]
        base = base or slugify(login)[:140] or "author"
        username, n = base, 2
        while User.objects.filter(username__iexact=username).exists():
            username, n = f"{base}-{n}", n + 1
        return username

    def _author_for(self, login: str, post: WxrItem) -> int:
        # Stray angle brackets (">admin") are typos in real exports, not part of a login.
        login = login.strip().strip("<>").strip() or "wordpress"
        if login not in self.users:
            self.report(f"post {post.post_id}: author {login} is not in the export's authors")
            self._import_author(WxrAuthor(login=login))
        return self.users[login]

    def _import_terms(self, terms: list[WxrTerm]) -> None:
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
        self._import_tags(tags)
        self._import_categories(categories)

    def _import_categories(self, terms: list[WxrTerm]) -> None:
        """Create or update categories, then set their parents (which may come
        after them in the file)."""
        if not terms:
            return
        items = self._items(Kind.CATEGORY, [t.key for t in terms])
        existing = Category.objects.all()
        if len(terms) < 10:  # a few terms a post uses without the header declaring them
            near = Q(pk__in=[i.object_id for i in items.values()])
            for term in terms:
                near |= Q(slug__startswith=decode_slug(term.slug) or decode_slug(term.name))
            existing = existing.filter(near)
        rows = {
            pk: (slug, name, description, parent_id)
            for pk, slug, name, description, parent_id in existing.values_list(
                "pk", "slug", "name", "description", "parent_id"
            )
        }
        by_slug = {row[0]: pk for pk, row in rows.items()}
        plans = []  # (term, category or pk, checksum, item, outcome)
        new, changed = [], []
        for term in terms:
            slug = decode_slug(term.slug) or decode_slug(term.name) or "category"
            wanted = {
                "name": (plain_text(term.name) or slug)[:200],
                "description": plain_text(term.description),
            }
            checksum = digest(wanted, slug, term.parent_slug)
            item = items.get(term.key)
            pk = item.object_id if item is not None and item.object_id in rows else None
            if pk is None and isinstance(by_slug.get(slug), int):
                pk = by_slug[slug]
            if pk is not None and item is not None and item.checksum == checksum:
                outcome = UNCHANGED
            elif pk is not None:
                differs = (rows[pk][1], rows[pk][2]) != (wanted["name"], wanted["description"])
                if differs:
                    changed.append(Category(pk=pk, **wanted))
                # "kept": unchanged, unless its parent differs (decided below).
                outcome = UPDATED if differs else "kept"
            else:
                slug = _free(slug, by_slug, 200)
                pk = Category(slug=slug, **wanted)
                by_slug[slug] = pk
                new.append(pk)
                outcome = CREATED
            plans.append([term, pk, checksum, item, outcome])
        Category.objects.bulk_create(new)
        Category.objects.bulk_update(changed, ["name", "description"])
        for plan in plans:
            if isinstance(plan[1], Category):
                plan[1] = plan[1].pk
            self.categories[plan[0].slug] = plan[1]

        current = {pk: row[3] for pk, row in rows.items()}
        reparented = []
        for plan in plans:
            term, pk, _checksum, _item, outcome = plan
            if outcome == UNCHANGED:
                continue
            parent_pk = None
            if term.parent_slug:
                parent_pk = self.categories.get(term.parent_slug)
                if parent_pk is None:
                    self.report(
                        f"category {term.slug}: its parent {term.parent_slug} is not in the "
                        "export; imported at the top level"
                    )
                elif _is_ancestor(pk, parent_pk, current):
                    self.report(
                        f"category {term.slug}: its parent {term.parent_slug} is inside it; "
                        "imported at the top level"
                    )
                    parent_pk = None
            if current.get(pk) != parent_pk:
                current[pk] = parent_pk
                reparented.append(Category(pk=pk, parent_id=parent_pk))
                plan[4] = CREATED if outcome == CREATED else UPDATED
        Category.objects.bulk_update(reparented, ["parent_id"])
        for plan in plans:
            self.summary.add("category", UNCHANGED if plan[4] == "kept" else plan[4])
        self._remember(Kind.CATEGORY, [(p[0].key, p[1], p[2], p[3]) for p in plans])

    def _import_tags(self, terms: list[WxrTerm]) -> None:
        if not terms:
            return
        items = self._items(Kind.TAG, [t.key for t in terms])
        existing = Tag.objects.all()
        if len(terms) < 10:  # a few terms a post uses without the header declaring them
            near = Q(pk__in=[i.object_id for i in items.values()])
            for term in terms:
                name = (plain_text(term.name) or unquote(term.slug))[:100]
                slug = decode_slug(term.slug, max_length=100) or slugify(name, allow_unicode=True)
                near |= Q(name__iexact=name) | Q(slug__startswith=slug)
            existing = existing.filter(near)
        by_pk, by_name, slugs = {}, {}, {}
        for pk, name, slug in existing.values_list("pk", "name", "slug"):
            by_pk[pk] = name
            by_name[name.lower()] = pk  # TAGGIT_CASE_INSENSITIVE: one tag per name
            slugs[slug] = pk
        plans, new, renamed = [], [], []
        for term in terms:
            name = (plain_text(term.name) or unquote(term.slug))[:100]
            checksum = digest(name, decode_slug(term.slug, max_length=100))
            item = items.get(term.key)
            pk = item.object_id if item is not None and item.object_id in by_pk else None
            same_name = by_name.get(name.lower())
            if pk is not None and item.checksum == checksum:
                outcome = UNCHANGED
            elif same_name is not None:
                outcome = UNCHANGED if pk is None or pk == same_name else UPDATED
                pk = same_name
            elif pk is not None:
                renamed.append(Tag(pk=pk, name=name))
                outcome = UPDATED
            else:
                slug = decode_slug(term.slug, max_length=100) or slugify(name, allow_unicode=True)
                pk = Tag(name=name, slug=_free(slug or "tag", slugs, 100, "_"))
                slugs[pk.slug] = pk
                new.append(pk)
                outcome = CREATED
            by_name[name.lower()] = pk
            plans.append([term, pk, checksum, item])
            self.summary.add("tag", outcome)
        Tag.objects.bulk_create(new)
        Tag.objects.bulk_update(renamed, ["name"])
        for plan in plans:
            if isinstance(plan[1], Tag):
                plan[1] = plan[1].pk
            self.tags[plan[0].slug] = plan[1]
        self._remember(Kind.TAG, [tuple(p) for p in plans])

    def _remember(self, kind: str, rows: list[tuple]) -> None:
        """Record ``(wp_id, object_id, checksum, item or None)`` rows in bulk."""
        new, changed = [], []
        for wp_id, object_id, checksum, item in rows:
            if item is None:
                new.append(
                    ImportedItem(kind=kind, wp_id=wp_id, object_id=object_id, checksum=checksum)
                )
            elif (item.object_id, item.checksum) != (object_id, checksum):
                item.object_id, item.checksum = object_id, checksum
                changed.append(item)
        ImportedItem.objects.bulk_create(new, ignore_conflicts=True)
        ImportedItem.objects.bulk_update(changed, ["object_id", "checksum"])

    def _import_attachments(self, items: list[WxrItem]) -> None:
        if not items:
            return
        known = self._items(Kind.ATTACHMENT, [a.post_id for a in items])
        new, changed = [], []
        for attachment in items:
            if not attachment.post_id:
                self.summary.add("attachment", SKIPPED)
                continue
            order = attachment.menu_order.strip()
            data = {
                "url": attachment.attachment_url.strip(),
                "file": attachment.meta.get("_wp_attached_file", "").strip(),
                "title": plain_text(attachment.title),
                "alt": plain_text(attachment.meta.get("_wp_attachment_image_alt", "")),
                "caption": plain_text(attachment.excerpt),
                "menu_order": _number(order),
            }
            parent = attachment.post_parent.strip()
            parent = "" if parent in ("", "0") else parent
            checksum = digest(data, parent)
            item = known.get(attachment.post_id)
            if item is None:
                item = ImportedItem(
                    kind=Kind.ATTACHMENT,
                    wp_id=attachment.post_id,
                    parent_wp_id=parent,
                    checksum=checksum,
                    data=data,
                )
                new.append(item)
                known[attachment.post_id] = item
                self.summary.add("attachment", CREATED)
            elif item.checksum != checksum:
                item.parent_wp_id, item.checksum, item.data = parent, checksum, data
                if item.pk is not None:
                    changed.append(item)
                self.summary.add("attachment", UPDATED)
            else:
                self.summary.add("attachment", UNCHANGED)
        ImportedItem.objects.bulk_create(new)
        ImportedItem.objects.bulk_update(changed, ["parent_wp_id", "checksum", "data"])

    # -- Pass 2: posts and their comments --------------------------------------------

    def _import_posts(self) -> None:
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
                    self.summary.skipped_types[post_type or "(none)"] += 1
                    skipped = sum(1 for child in element if qname(child.tag) == "wp:comment")
                    if skipped:
                        self.summary.add("comment", SKIPPED, skipped)
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

    def _import_group(self, posts: list[WxrItem]) -> None:
        if not posts:
            return
        checkpoint = self._checkpoint()
        try:
            with transaction.atomic():
                self._import_batch(posts)
        except Exception:
            # Find the post that failed: one transaction per post.
            self._restore(checkpoint)
            for post in posts:
                self._import_one(post)
        else:
            self._progress(len(posts))

    def _import_one(self, post: WxrItem) -> None:
        checkpoint = self._checkpoint()
        try:
            with transaction.atomic():
                self._import_batch([post], thorough=True)
        except Exception as error:
            if self.atomic:
                raise ImportAborted(
                    f"post {post.post_id}: {type(error).__name__}: {error}"
                ) from error
            self._restore(checkpoint)
            self.failed += 1
            self.summary.add("post", SKIPPED)
            self.summary.add("comment", SKIPPED, len(post.comments))
            self.report(f"post {post.post_id}: not imported ({type(error).__name__}: {error})")
        self._progress(1)

    def _progress(self, n: int) -> None:
        self.posts_done += n
        if self.progress:
            self.progress(self.posts_done, self.post_total)

    def _import_batch(self, posts: list[WxrItem], *, thorough: bool = False) -> None:
        """Import ``posts`` and their comments (inside the caller's transaction).

        Unless ``thorough``, comments of posts new to this site are taken to be
        new too (no lookup); were one not, the group fails on the unique key
        and is redone post by post, thoroughly."""
        ready = []
        for post in posts:
            label = f"post {post.post_id} “{plain_text(post.title) or '(no title)'}”"
            if not post.post_id:
                self.summary.add("post", SKIPPED)
                self.summary.add("comment", SKIPPED, len(post.comments))
                self.report(f"{label}: no wp:post_id; skipped")
            elif len(post.content) > ARTICLE_BODY_MAX_LENGTH:
                self.summary.add("post", SKIPPED)
                self.summary.add("comment", SKIPPED, len(post.comments))
                self.report(
                    f"{label}: not imported (its body is {len(post.content):,} characters; "
                    f"an article holds at most {ARTICLE_BODY_MAX_LENGTH:,})"
                )
            elif post.status in SKIPPED_POST_STATUSES:
                self.summary.add("post", SKIPPED)
                self.summary.add("comment", SKIPPED, len(post.comments))
                self.report(f"{label}: status {post.status}; skipped")
            else:
                ready.append((post, label))
        items = self._items(Kind.POST, [post.post_id for post, _ in ready])
        articles = Article.objects.in_bulk(
            [i.object_id for i in items.values() if i.object_id is not None]
        )
        plans = []
        for post, label in ready:
            item = items.get(post.post_id)
            article = articles.get(item.object_id) if item is not None else None
            plans.append(self._plan(post, label, item, article))

        # Slugs wanted by new articles, and who has them already.
        wanted = {p.slug for p in plans if p.article is None}
        taken = {
            a.slug: a
            for chunk in _chunks(list(wanted))
            for a in Article.objects.filter(slug__in=chunk).only("pk", "slug", "publish_at")
        }
        imported = set()
        for chunk in _chunks([a.pk for a in taken.values()]):
            imported.update(
                ImportedItem.objects.filter(kind=Kind.POST, object_id__in=chunk).values_list(
                    "object_id", flat=True
                )
            )
        for plan in plans:
            self._write(plan, taken, imported)

        self._set_new_terms([p for p in plans if p.outcome == CREATED])
        self._redirects(plans)
        new_items, changed_items = [], []
        for plan in plans:
            if plan.item is None:
                new_items.append(
                    ImportedItem(
                        kind=Kind.POST,
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
            self.summary.add("post", plan.outcome)
        ImportedItem.objects.bulk_create(new_items)
        ImportedItem.objects.bulk_update(changed_items, ["object_id", "checksum", "data"])
        self._import_comments(plans, thorough=thorough)

    def _plan(self, post: WxrItem, label: str, item, article) -> PostPlan:
        gallery_cache = {}

        def gallery(ids):
            key = tuple(ids or ())
            if key not in gallery_cache:
                gallery_cache[key] = self._gallery(post.post_id, ids)
            return gallery_cache[key]

        converted = convert_post(post.content, excerpt=post.excerpt, gallery=gallery)
        for note in converted.notes:
            self.report(f"{label}: {note}")

        status = STATUS_MAP.get(post.status)
        if status is None:
            status = Article.Status.DRAFT
            self.report(f"{label}: unknown status {post.status!r}; imported as a draft")
        if post.status == "private":
            self.report(f"{label}: private on WordPress; imported as a draft (not public)")
        if post.password.strip():
            status = Article.Status.DRAFT
            self.report(f"{label}: password-protected; imported as a draft (not public)")
        if post.is_sticky.strip() == "1":
            self.sticky += 1

        title = plain_text(post.title)[:300]
        category_ids, tag_ids, term_keys = self._post_terms(post)
        credit = converted.credit
        image = self._featured_image(post, label)
        wanted = {
            "title": title,
            "body": converted.body,
            "excerpt": converted.excerpt,
            "status": status,
            "author_id": self._author_for(post.creator, post),
            "source_id": self._source(credit.name) if credit else None,
            "source_published_on": credit.published_on if credit else None,
            "comments_enabled": post.comment_status.strip() != "closed",
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
            post, label, item, article, wanted, slug, category_ids, tag_ids, image, checksum
        )
        plan.data = dict(item.data) if item is not None else {}
        return plan

    def _write(self, plan: PostPlan, taken: dict[str, Article], imported: set[int]) -> None:
        """Create or update the plan's article (unless the export did not change)."""
        article, item = plan.article, plan.item
        if article is not None and item.checksum == plan.checksum:
            plan.outcome = UNCHANGED
            return
        publish_at = self._publish_at(plan.post, article)
        if article is None:
            same = taken.get(plan.slug)
            if (
                same is not None
                and same.pk not in imported
                and timezone.localdate(same.publish_at) == timezone.localdate(publish_at)
            ):
                # Already here (from a seed, say): same slug, same day, not another post's.
                article = Article.objects.get(pk=same.pk)
                imported.add(same.pk)
        plan.outcome = CREATED if article is None else UPDATED
        if article is None:
            article = Article(**plan.wanted, publish_at=publish_at)
            article.slug = plan.slug if plan.slug not in taken else self._free_slug(plan, article)
        else:
            for name, value in plan.wanted.items():
                setattr(article, name, value)
            article.publish_at = publish_at
            if article.slug != plan.slug:
                article.slug = self._free_slug(plan, article)
        image = plan.image
        if image is not None:
            if image["source"] != plan.data.get("image") or not article.featured_image:
                with open(image["path"], "rb") as handle:
                    article.featured_image.save(image["path"].name, File(handle), save=False)
            article.featured_image_alt = image["alt"][:300]
            plan.data["image"] = image["source"]
        article.save()
        taken[article.slug] = article
        imported.add(article.pk)
        plan.article = article
        if plan.outcome == UPDATED:
            article.categories.set(plan.category_ids)
            have = set(
                TaggedItem.objects.filter(
                    content_type=self.article_type, object_id=article.pk
                ).values_list("tag_id", flat=True)
            )
            wanted = set(plan.tag_ids)
            TaggedItem.objects.filter(
                content_type=self.article_type, object_id=article.pk, tag_id__in=have - wanted
            ).delete()
            TaggedItem.objects.bulk_create(
                TaggedItem(content_type=self.article_type, object_id=article.pk, tag_id=pk)
                for pk in plan.tag_ids
                if pk not in have
            )

    def _set_new_terms(self, plans: list[PostPlan]) -> None:
        """Categories and tags of the new articles, in two inserts."""
        through = Article.categories.through
        new_link, new_tag = _Builder(through), _Builder(TaggedItem)
        through.objects.bulk_create(
            new_link(article_id=plan.article.pk, category_id=pk)
            for plan in plans
            for pk in plan.category_ids
        )
        TaggedItem.objects.bulk_create(
            new_tag(content_type_id=self.article_type.pk, object_id=plan.article.pk, tag_id=pk)
            for plan in plans
            for pk in plan.tag_ids
        )

    def _publish_at(self, post: WxrItem, article: Article | None) -> datetime:
        published = parse_date(post.post_date_gmt, gmt=True)
        if published is None:  # drafts: "0000-00-00 00:00:00"
            local = parse_date(post.post_date, gmt=False)
            if local is not None:
                published = timezone.make_aware(local)
        if published is None:
            published = article.publish_at if article is not None else timezone.now()
        return published

    def _free_slug(self, plan: PostPlan, article: Article) -> str:
        free = unique_slug(article, plan.slug)
        if free != plan.slug:
            self.report(f"{plan.label}: the slug {plan.slug} is taken; imported as {free}")
        return free

    def _source(self, name: str) -> int:
        if name not in self.sources:
            self.sources[name] = Source.objects.get_or_create(name=name)[0].pk
        return self.sources[name]

    def _post_terms(self, post: WxrItem) -> tuple[list[int], list[int], list]:
        category_ids, tag_ids, keys = [], [], []
        for domain, nicename, name in post.terms:
            nicename = nicename or slugify(name, allow_unicode=True)
            if not nicename:
                continue
            if domain == "category":
                if nicename not in self.categories:  # used, but not declared in the header
                    self._import_categories([WxrTerm("category", "", nicename, name)])
                if self.categories[nicename] not in category_ids:
                    category_ids.append(self.categories[nicename])
                keys.append(["category", nicename])
            elif domain == "post_tag":
                if nicename not in self.tags:
                    self._import_tags([WxrTerm("post_tag", "", nicename, name)])
                if self.tags[nicename] not in tag_ids:
                    tag_ids.append(self.tags[nicename])
                keys.append(["tag", nicename])
        return category_ids, tag_ids, sorted(keys)

    # -- Media ---------------------------------------------------------------------

    def _attachment(self, wp_id: str) -> Attachment | None:
        item = ImportedItem.objects.filter(kind=Kind.ATTACHMENT, wp_id=wp_id).first()
        return _attachment(item) if item else None

    def _gallery(self, post_id: str, ids) -> list[GalleryImage] | None:
        if ids:
            found = {i.wp_id: _attachment(i) for i in self._items(Kind.ATTACHMENT, ids).values()}
            attachments = [found[i] for i in ids if i in found]
        else:
            attachments = sorted(
                (
                    _attachment(i)
                    for i in ImportedItem.objects.filter(kind=Kind.ATTACHMENT, parent_wp_id=post_id)
                ),
                key=lambda a: (a.menu_order, _number(a.wp_id), a.wp_id),
            )
        images = [
            GalleryImage(url=a.url, alt=a.alt or a.title, caption=a.caption)
            for a in attachments
            if a.is_image and a.url
        ]
        return images or None

    def _featured_image(self, post: WxrItem, label: str) -> dict | None:
        """The featured image's file under the media folder, or None (reported)."""
        thumbnail_id = post.meta.get("_thumbnail_id", "").strip()
        if not thumbnail_id or thumbnail_id == "0":
            return None
        attachment = self._attachment(thumbnail_id)
        if attachment is None:
            self.report(f"{label}: featured image {thumbnail_id} is not in the export")
            return None
        if self.media_dir is None:
            self.report(
                f"{label}: featured image {attachment.url or attachment.file} not imported "
                "(no --media-dir given)"
            )
            return None
        path, relative = self._media_file(attachment)
        if path is None:
            self.report(f"{label}: featured image file {relative} is missing from {self.media_dir}")
            return None
        try:
            with Image.open(path) as picture:
                picture.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            self.report(f"{label}: featured image file {relative} is not an image ({error})")
            return None
        return {
            "path": path,
            "source": f"{relative}:{path.stat().st_size}",
            "alt": attachment.alt or attachment.title,
        }

    def _media_file(self, attachment: Attachment) -> tuple[Path | None, str]:
        """The attachment's file under ``--media-dir`` (a copy of wp-content/uploads)."""
        candidates = []
        if attachment.file:
            candidates.append(attachment.file)
        url_path = unquote(urlsplit(attachment.url).path)
        if "/wp-content/uploads/" in url_path:
            candidates.append(url_path.split("/wp-content/uploads/", 1)[1])
        if url_path.strip("/"):
            candidates.append(url_path.lstrip("/"))
        for relative in candidates:
            path = (self.media_dir / relative.lstrip("/")).resolve()
            if path.is_relative_to(self.media_dir) and path.is_file():
                return path, relative
        return None, candidates[0] if candidates else "(no file name)"

    # -- Old links ---------------------------------------------------------------

    def _redirects(self, plans: list[PostPlan]) -> None:
        """Old addresses → the articles, as ``OldLink`` rows: the WordPress
        permalink and the Newsroom address after the last import, when they
        differ from the article's address now. Recorded whatever the article's
        status: ``wordpress.middleware`` follows one only while its article is
        published, so a draft or scheduled post's link starts working when it
        goes live, with no new import."""
        wanted: dict[str, int] = {}
        for plan in plans:
            article = plan.article
            new_path = article.get_absolute_url()
            old = old_path(plan.post.link)
            previous = plan.data.get("url")  # its Newsroom address after the last import
            plan.data["url"] = new_path
            for path in (old, previous):
                if path and path != new_path:
                    if len(path) > OLD_LINK_MAX_LENGTH:
                        self.report(f"{plan.label}: old address too long to redirect: {path}")
                    else:
                        wanted[path] = article.pk
        if not wanted:
            return
        existing = {}
        for chunk in _chunks(list(wanted)):
            existing.update((link.path, link) for link in OldLink.objects.filter(path__in=chunk))
        new, changed = [], []
        for path, article_id in wanted.items():
            link = existing.get(path)
            if link is None:
                new.append(OldLink(path=path, article_id=article_id))
                self.summary.add("redirect", CREATED)
            elif link.article_id != article_id:
                link.article_id = article_id
                changed.append(link)
                self.summary.add("redirect", UPDATED)
            else:
                self.summary.add("redirect", UNCHANGED)
        OldLink.objects.bulk_create(new)
        OldLink.objects.bulk_update(changed, ["article_id"])

    # -- Comments ----------------------------------------------------------------

    def _import_comments(self, plans: list[PostPlan], *, thorough: bool) -> None:
        """The comments of ``plans``' posts: inserted a thread level at a time, so a
        reply always finds its parent (which may come after it in the file)."""
        threads = []  # (plan, comments, parent_of, depth, root_of)
        seen = set()
        for plan in plans:
            comments = []
            for comment in plan.post.comments:
                if not comment.wp_id or comment.wp_id in seen:
                    self.summary.add("comment", SKIPPED)
                    self.report(
                        f"{plan.label}: a comment with "
                        + (f"a repeated ID {comment.wp_id}" if comment.wp_id else "no ID")
                        + " was skipped"
                    )
                elif comment.type not in COMMENT_KIND_MAP:
                    self.summary.add("comment", SKIPPED)
                    self.report(
                        f"{plan.label}: comment {comment.wp_id} of type {comment.type} skipped"
                    )
                else:
                    seen.add(comment.wp_id)
                    comments.append(comment)
            if comments:
                threads.append((plan, comments, *self._thread(comments, plan.label)))
        if not threads:
            return

        known = (
            seen
            if thorough
            else {
                c.wp_id for plan, comments, *_ in threads if plan.item is not None for c in comments
            }
        )
        items = self._items(Kind.COMMENT, known)
        existing = set()
        for chunk in _chunks([i.object_id for i in items.values() if i.object_id]):
            existing.update(Comment.objects.filter(pk__in=chunk).values_list("pk", flat=True))

        new_comment = _Builder(Comment)
        pk_of: dict[str, int] = {}
        new_items, changed_items, created = [], [], []
        deepest = max(max(depth.values()) for _, _, _, depth, _ in threads)
        for level in range(deepest + 1):
            to_create, to_update = [], []
            for plan, comments, parent_of, depth, root_of in threads:
                for comment in comments:
                    if depth[comment.wp_id] != level:
                        continue
                    parent, root = parent_of[comment.wp_id], root_of[comment.wp_id]
                    values = self._comment_values(comment, level, plan.article, plan.label)
                    checksum = digest(values, parent, root)
                    values["parent_id"] = pk_of[parent] if parent else None
                    values["root_id"] = pk_of[root] if root else None
                    item = items.get(comment.wp_id)
                    if item is not None and item.object_id in existing:
                        pk_of[comment.wp_id] = item.object_id
                        if item.checksum == checksum:
                            self.summary.add("comment", UNCHANGED)
                            continue
                        to_update.append(new_comment(id=item.object_id, **values))
                        item.checksum = checksum
                        changed_items.append(item)
                        self.summary.add("comment", UPDATED)
                    else:
                        comment_object = new_comment(article_id=plan.article.pk, **values)
                        to_create.append((comment.wp_id, comment_object, checksum, item))
            Comment.objects.bulk_create([c for _, c, _, _ in to_create], batch_size=1000)
            Comment.objects.bulk_update(to_update, COMMENT_FIELDS, batch_size=500)
            for wp_id, comment_object, checksum, item in to_create:
                pk_of[wp_id] = comment_object.pk
                created.append(comment_object)
                self.summary.add("comment", CREATED)
                if item is None:
                    new_items.append((wp_id, comment_object.pk, checksum))
                else:  # imported before, deleted here since: imported again
                    item.object_id, item.checksum = comment_object.pk, checksum
                    changed_items.append(item)
        _insert_items(Kind.COMMENT, new_items)
        ImportedItem.objects.bulk_update(changed_items, ["object_id", "checksum"], batch_size=500)
        if self.check_spam:
            for comment_object in created:
                if comment_object.status == Comment.Status.PENDING:
                    transaction.on_commit(lambda c=comment_object: _enqueue_checks(c))

    def _thread(
        self, comments: list[WxrComment], label: str
    ) -> tuple[dict[str, str | None], dict[str, int], dict[str, str | None]]:
        """Each comment's parent, depth and top-level comment (by WordPress ID),
        by the rule every comment write follows (``comment_thread_shape``).

        A reply to a comment that is not among this post's (missing from the
        export, on another post, itself) becomes top-level, a loop of replies is
        cut, and replies nested deeper than ``COMMENTS_MAX_DEPTH`` are attached
        to their deepest allowed ancestor; each is reported."""
        ids = {c.wp_id for c in comments}
        replies_to: dict[str, str | None] = {}
        for comment in comments:
            parent = comment.parent if comment.parent not in ("", "0") else None
            if parent is not None and parent not in ids:
                self.report(
                    f"{label}: comment {comment.wp_id} replies to {parent}, which is not a "
                    "comment of this post in the export; imported as a top-level comment"
                )
                parent = None
            replies_to[comment.wp_id] = parent
        shape = comment_thread_shape(replies_to)
        for loop, cut in shape.loops:
            if len(loop) == 1:
                self.report(
                    f"{label}: comment {cut} replies to itself; imported as a top-level comment"
                )
            else:
                self.report(
                    f"{label}: comments {', '.join(loop)} reply to each other in a loop; "
                    f"comment {cut} imported as a top-level comment"
                )
        if shape.lifted:
            self.report(
                f"{label}: {len(shape.lifted)} replies nested deeper than "
                f"COMMENTS_MAX_DEPTH ({settings.COMMENTS_MAX_DEPTH} levels) attached to their "
                f"deepest allowed ancestor (comments {_id_list(shape.lifted)})"
            )
        return shape.parent, shape.depth, shape.root

    def _comment_values(
        self, comment: WxrComment, depth: int, article: Article, label: str
    ) -> dict:
        created_at = parse_date(comment.date_gmt, gmt=True)
        if created_at is None:
            local = parse_date(comment.date, gmt=False)
            created_at = timezone.make_aware(local) if local else article.publish_at
        return {
            "depth": depth,
            "kind": COMMENT_KIND_MAP[comment.type],
            "author_name": (plain_text(comment.author) or "Anonymous")[:100],
            "author_email": comment.email[:254],
            "author_url": self._commenter_url(comment, label),
            "body": comment_text(comment.content),
            "user_id": self.users_by_wp_id.get(comment.user_id),
            "ip_address": _ip(comment.ip),
            "created_at": created_at,
            "status": COMMENT_STATUS_MAP.get(comment.approved, Comment.Status.PENDING),
        }

    def _commenter_url(self, comment: WxrComment, label: str) -> str:
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
        self.report(
            f"{label}: comment {comment.wp_id}: website {given[:200]!r} not imported ({reason})"
        )
        return ""


def _free(slug: str, taken: dict, max_length: int, separator: str = "-") -> str:
    """``slug``, or ``slug-2``, ``slug-3`` … whichever ``taken`` does not hold."""
    base = slug[: max_length - 8]
    candidate, n = slug[:max_length], 2
    while candidate in taken:
        candidate, n = f"{base}{separator}{n}", n + 1
    return candidate


def _id_list(wp_ids: list[str], shown: int = 10) -> str:
    """A few IDs for a report line, and how many more."""
    more = len(wp_ids) - shown
    return ", ".join(wp_ids[:shown]) + (f" and {more} more" if more > 0 else "")


def _is_ancestor(pk: int, candidate: int, parents: dict[int, int | None]) -> bool:
    """Whether ``pk`` is ``candidate`` or one of its ancestors."""
    seen = set()
    while candidate is not None and candidate not in seen:
        if candidate == pk:
            return True
        seen.add(candidate)
        candidate = parents.get(candidate)
    return False


def _attachment(item: ImportedItem) -> Attachment:
    data = item.data or {}
    return Attachment(
        wp_id=item.wp_id,
        url=data.get("url", ""),
        file=data.get("file", ""),
        title=data.get("title", ""),
        alt=data.get("alt", ""),
        caption=data.get("caption", ""),
        menu_order=data.get("menu_order", 0),
    )


@lru_cache(maxsize=4096)  # commenters come back: the same addresses again and again
def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _enqueue_checks(comment: Comment) -> None:
    from comments.services import RequestInfo, comment_enqueue_checks

    # The form's traps (honeypot, timestamp, rate) judged nothing here: rerun=True.
    comment_enqueue_checks(
        comment=comment, request_info=RequestInfo(ip_address=comment.ip_address, rerun=True)
    )


def _content_changed() -> None:
    from articles.sidebar import bump_content_generation

    bump_content_generation()
