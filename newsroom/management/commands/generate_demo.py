"""``manage.py generate_demo``: a large synthetic site, fast, for benchmarks.

Bulk inserts only (no ``save()`` per row), through the services' bulk writers
(``articles_create_bulk``, ``comments_import_threads``); categories and tags
are linked with two bulk inserts here. 10,000 articles and 200,000 comments
take a minute or two on SQLite. Three articles are made to measure:
``demo-busy-500`` (500 threaded approved comments), ``demo-fifty-comments``
(50) and ``demo-no-comments`` (none); their addresses are printed at the end.
"""

import itertools
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import Article, Category, Source
from articles.services import articles_create_bulk
from comments.models import Comment
from comments.services import ImportedComment, comments_import_threads
from comments.threads import max_reply_depth
from newsroom import pagecache

WORDS = [
    "government",
    "border",
    "security",
    "economy",
    "energy",
    "market",
    "water",
    "climate",
    "report",
    "council",
    "minister",
    "election",
    "research",
    "health",
    "technology",
    "court",
    "trade",
    "agreement",
    "region",
    "city",
    "farmers",
    "workers",
    "prices",
    "budget",
    "talks",
    "army",
    "police",
    "investigation",
    "community",
    "schools",
    "hospital",
    "drought",
    "harvest",
    "pipeline",
    "network",
    "data",
    "study",
    "scientists",
    "officials",
    "protest",
    "reform",
    "parliament",
    "village",
    "river",
]
BATCH = 2000
# 500 made-up place names, each in about 1 in 500 articles: a search for one is
# as selective as a real reader's search (the common words above match most).
_SYLLABLES = ["ka", "ro", "mi", "ten", "va", "lor", "su", "bri"] + [
    "an",
    "del",
    "os",
    "ur",
    "fen",
    "tas",
    "gil",
    "mar",
]
PLACES = [
    (_SYLLABLES[i % 16] + _SYLLABLES[(i // 16) % 16] + _SYLLABLES[(i // 256 + 3) % 16]).capitalize()
    for i in range(500)
]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


class Command(BaseCommand):
    help = "Fill the database with a large synthetic site (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--comments", type=int, default=200_000)
        parser.add_argument("--tags", type=int, default=2_000)
        parser.add_argument("--categories", type=int, default=50)
        parser.add_argument("--sources", type=int, default=200)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--force", action="store_true", help="add to a database that has articles"
        )

    def handle(self, *args, **opts):
        if opts["articles"] < 3:
            raise CommandError("--articles must be at least 3.")
        if Article.objects.posts().exists() and not opts["force"]:
            raise CommandError("The database already has articles; use --force to add more.")
        if opts["comments"] > 1_000_000:
            raise CommandError("--comments is capped at 1,000,000.")
        rng = random.Random(opts["seed"])
        self.thread_ids = itertools.count()
        started = timezone.now()
        with transaction.atomic():
            authors = self.authors(rng)
            sources = self.sources(opts["sources"])
            categories = self.categories(rng, opts["categories"])
            tags = self.tags(opts["tags"])
            articles = self.articles(rng, opts["articles"], authors, sources)
            self.file(rng, articles, categories, tags)
            special = self.comments(rng, articles, opts["comments"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses badly
        pagecache.bump("content")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Generated {len(articles)} articles, {Comment.objects.count()} comments, {len(tags)} tags, "
            f"{len(categories)} categories, {len(sources)} sources in {seconds:.0f}s."
        )
        for label, article in special.items():
            self.stdout.write(f"{label}: {article.get_absolute_url()}")

    def authors(self, rng):
        User = get_user_model()
        users = [
            User(username=f"demo-author-{i}", display_name=f"Demo Author {i}", password="!")
            for i in range(20)
        ]
        User.objects.bulk_create(users, ignore_conflicts=True)
        return list(User.objects.filter(username__startswith="demo-author-"))

    def sources(self, count):
        Source.objects.bulk_create(
            [Source(name=f"Demo Source {i}", slug=f"demo-source-{i}") for i in range(count)],
            ignore_conflicts=True,
        )
        return list(Source.objects.filter(slug__startswith="demo-source-"))

    def categories(self, rng, count):
        Category.objects.bulk_create(
            [Category(name=f"Demo Section {i}", slug=f"demo-section-{i}") for i in range(count)],
            ignore_conflicts=True,
        )
        categories = list(Category.objects.filter(slug__startswith="demo-section-").order_by("pk"))
        # A fifth of the sections nest under the first ten, as WordPress sites do.
        children = categories[10:][: count // 5]
        for child in children:
            child.parent = rng.choice(categories[:10])
        Category.objects.bulk_update(children, ["parent"])
        return categories

    def tags(self, count):
        Tag.objects.bulk_create(
            [Tag(name=f"demo tag {i}", slug=f"demo-tag-{i}") for i in range(count)],
            ignore_conflicts=True,
        )
        return list(Tag.objects.filter(slug__startswith="demo-tag-").values_list("pk", flat=True))

    def articles(self, rng, count, authors, sources):
        now = timezone.now()
        names = ["demo-busy-500", "demo-fifty-comments", "demo-no-comments"]
        rows = []
        for i in range(count):
            place = PLACES[i % len(PLACES)]
            paragraphs = [f"Reported from {place}."] + [
                sentence(rng, rng.randint(15, 40)) for _ in range(rng.randint(4, 10))
            ]
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            title = f"{place}: " + sentence(rng, rng.randint(5, 11))[:-1]
            slug = names[i] if i < len(names) else f"{slugify(title)[:150]}-{i}"
            status = Article.Status.PUBLISHED
            publish_at = now - timedelta(minutes=rng.randint(60, 5 * 365 * 24 * 60))
            if i >= len(names) and i % 50 == 0:
                status = rng.choice([Article.Status.DRAFT, Article.Status.PENDING])
            elif i >= len(names) and i % 97 == 0:
                publish_at = now + timedelta(days=rng.randint(1, 30))  # scheduled
            if i < len(names):
                publish_at = now - timedelta(hours=2 + i)
            rows.append(
                Article(
                    title=title,
                    slug=slug,
                    body=body,
                    author=rng.choice(authors),
                    source=rng.choice(sources) if rng.random() < 0.9 else None,
                    source_published_on=(publish_at - timedelta(days=rng.randint(0, 2))).date(),
                    status=status,
                    publish_at=publish_at,
                )
            )
        created = articles_create_bulk(articles=rows, batch_size=BATCH)
        self.stdout.write(f"  articles: {len(created)}")
        return created

    def file(self, rng, articles, categories, tags):
        Through = Article.categories.through
        links = [
            Through(article_id=a.pk, category_id=c.pk)
            for a in articles
            for c in rng.sample(categories, rng.randint(1, 3))
        ]
        Through.objects.bulk_create(links, batch_size=BATCH)
        content_type = ContentType.objects.get_for_model(Article)
        items = [
            TaggedItem(content_type=content_type, object_id=a.pk, tag_id=t)
            for a in articles
            for t in rng.sample(tags, min(len(tags), rng.randint(2, 6)))
        ]
        TaggedItem.objects.bulk_create(items, batch_size=BATCH)

    def comments(self, rng, articles, total):
        by_slug = {a.slug: a for a in articles}
        special = {
            "500 threaded comments": by_slug["demo-busy-500"],
            "50 comments": by_slug["demo-fifty-comments"],
            "no comments": by_slug["demo-no-comments"],
        }
        measured = {article.slug for article in special.values()}
        now = timezone.now()
        published = [
            a
            for a in articles
            if a.status == Article.Status.PUBLISHED
            and a.publish_at <= now
            and a.slug not in measured
        ]
        threads = CommentThreads()
        made = threads.add(self.thread(rng, special["500 threaded comments"], 500, ["approved"]))
        made += threads.add(self.thread(rng, special["50 comments"], 50, ["approved"]))
        remaining = max(0, total - made)
        statuses = ["approved"] * 17 + ["pending"] * 2 + ["spam"]
        per_article = max(1, remaining // max(1, len(published) // 2))
        while remaining > 0:
            article = rng.choice(published)
            count = min(remaining, rng.randint(1, per_article * 2))
            made += threads.add(self.thread(rng, article, count, statuses))
            remaining -= count
            if made // 20_000 != (made - count) // 20_000:
                self.stdout.write(f"  comments: {made}/{total}")
        threads.flush()
        return special

    def thread(self, rng, article, count, statuses) -> tuple[Article, list[ImportedComment]]:
        """``count`` comments on ``article``: a third top-level, the rest replies
        (never deeper than threads go: a reply that would be is made to a
        top-level comment instead)."""
        base = article.publish_at + timedelta(minutes=5)
        thread_id = next(self.thread_ids)  # keys are (thread, n): an article may get several
        depth = {}

        def comment(i, parent=None):
            key = (thread_id, i)
            depth[key] = depth[parent] + 1 if parent is not None else 0
            return ImportedComment(
                key=key,
                replies_to=parent,
                author_name=f"Reader {rng.randint(1, 5000)}",
                author_email=f"reader{rng.randint(1, 5000)}@example.org",
                body=sentence(rng, rng.randint(8, 60)),
                ip_address=f"198.51.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                created_at=base + timedelta(minutes=i),
                status=rng.choice(statuses),
            )

        roots = [comment(i) for i in range(max(1, count // 3))]
        rows = list(roots)
        level = [r for r in roots if r.status == "approved"] or roots
        while len(rows) < count:
            made = len(rows)
            replies = [
                comment(made + i, parent=rng.choice(level).key)
                for i in range(min(count - made, max(1, len(level) * 2)))
            ]
            replies = [r for r in replies if depth[r.key] <= max_reply_depth()] or [
                comment(made, parent=rng.choice(roots).key)
            ]
            rows += replies
            level = replies
        return article, rows


class CommentThreads:
    """Comment threads written through ``comments_import_threads`` a few
    thousand comments at a time (one insert per thread level, not per thread)."""

    BATCH = 20_000

    def __init__(self):
        self.threads: dict[Article, list[ImportedComment]] = {}
        self.size = 0

    def add(self, thread: tuple[Article, list[ImportedComment]]) -> int:
        article, rows = thread
        self.threads.setdefault(article, []).extend(rows)
        self.size += len(rows)
        if self.size >= self.BATCH:
            self.flush()
        return len(rows)

    def flush(self) -> None:
        if self.threads:
            comments_import_threads(threads=self.threads)
        self.threads, self.size = {}, 0
