"""Seed documents: a post as it reads on a reposting news site, as plain text.

A seed document is the page a reader sees, block by block, blank lines
between blocks::

    Aletho News                                      site name
    ΑΛΗΘΩΣ                                           tagline
    Iraq boosts security on Syrian border …          title
    The Cradle | August 1, 2024                      source line (optional)
    The Iraqi armed forces have increased …          body paragraphs
    …
    August 1, 2024 - Posted by | Aletho News | Cat A, Cat B | tag one, tag two
    No comments yet.                                 boilerplate, ignored
    Leave a comment
    This site uses Akismet to reduce spam. …

``parse_seed`` turns the text into a ``SeedDocument``; ``load_seed`` writes it
to the database, idempotently (the article is keyed on its slug), in one
transaction, the article through ``articles.services.article_save``. Called by
``manage.py load_seeds``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.usernames import unique_username
from articles.attribution import SourceCredit, normalize_line, parse_long_date, parse_source_line
from articles.html import paragraphs_to_html
from articles.models import Article, Category, Source
from articles.services import article_body_sanitized, article_save
from newsroom.models import SiteSettings

_POSTED_BY = re.compile(r"^(?P<date>.*?)\s*[-–—]?\s*Posted by\s*\|(?P<rest>.*)$", re.IGNORECASE)

# Seeds are dated, not timed: the article is published at noon of its day.
PUBLISH_TIME = time(12, 0)


class SeedError(ValueError):
    """A seed document that cannot be read; the message says what is wrong."""


@dataclass
class SeedDocument:
    site_name: str
    tagline: str
    title: str
    credit: SourceCredit | None
    paragraphs: list[str]
    posted_on: date
    author_name: str
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:192].strip("-")


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _blocks(text: str) -> list[str]:
    """Blank-line separated blocks, each joined to one normalised line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks, current = [], []
    for line in text.split("\n"):
        line = normalize_line(line)
        if line:
            current.append(line)
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def _names(text: str) -> list[str]:
    names = (normalize_line(name) for name in text.split(","))
    return list(dict.fromkeys(name for name in names if name))


def parse_seed(text: str) -> SeedDocument:
    """Read a seed document; raise ``SeedError`` saying what is wrong."""
    blocks = _blocks(text)
    if not blocks:
        raise SeedError("the file is empty")
    posted_at = next((i for i, block in enumerate(blocks) if _POSTED_BY.match(block)), None)
    if posted_at is None:
        raise SeedError(
            "no 'Posted by' line (expected e.g. 'August 1, 2024 - Posted by | Author | , ,')"
        )
    if posted_at < 4:
        raise SeedError(
            "expected the site name, tagline, title and at least one body paragraph "
            "before the 'Posted by' line"
        )
    site_name, tagline, title = blocks[:3]
    credit = parse_source_line(blocks[3])
    paragraphs = blocks[4 if credit else 3 : posted_at]
    if not paragraphs:
        raise SeedError("the article has no body paragraphs")

    posted = _POSTED_BY.match(blocks[posted_at])
    posted_on = parse_long_date(posted["date"])
    if posted_on is None:
        raise SeedError(f"the 'Posted by' line has no readable date: {posted['date']!r}")
    parts = [normalize_line(part) for part in posted["rest"].split("|")]
    author_name = parts[0]
    if not author_name:
        raise SeedError("the 'Posted by' line names no author")

    return SeedDocument(
        site_name=site_name,
        tagline=tagline,
        title=title,
        credit=credit,
        paragraphs=paragraphs,
        posted_on=posted_on,
        author_name=author_name,
        categories=_names(parts[1]) if len(parts) > 1 else [],
        tags=_names(parts[2]) if len(parts) > 2 else [],
    )


def _author(display_name: str):
    User = get_user_model()
    user = User.objects.filter(display_name=display_name).order_by("pk").first()
    if user is None:
        user = User(display_name=display_name)
        user.username = unique_username(slugify(display_name) or "author")
        user.set_unusable_password()
        user.save()
    return user


def _category(name: str) -> Category:
    category = Category.objects.filter(name__iexact=name).order_by("pk").first()
    if category is None:
        category = Category(name=name)
        category.save()  # which gives it a free slug
    return category


@transaction.atomic
def load_seed(document: SeedDocument) -> Outcome:
    """Create or update what the document names; return what happened to the article."""
    site = SiteSettings.load()
    if site.name == SiteSettings._meta.get_field("name").default and not site.tagline:
        # A fresh site takes its identity from the seeds; an edited one keeps its own.
        site.name, site.tagline = document.site_name, document.tagline
        site.save()

    source = None
    if document.credit:
        source, _ = Source.objects.get_or_create(name=document.credit.name)

    wanted = {
        "title": document.title,
        "body": article_body_sanitized(paragraphs_to_html(document.paragraphs)),
        "author": _author(document.author_name),
        "source": source,
        "source_published_on": document.credit.published_on if document.credit else None,
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.make_aware(datetime.combine(document.posted_on, PUBLISH_TIME)),
    }
    categories = [_category(name) for name in document.categories]
    article = Article.objects.posts().filter(slug=document.slug).first()
    if article is None:
        article = Article(slug=document.slug, **wanted)
        article_save(article=article, categories=categories, tags=document.tags)
        return Outcome.CREATED

    changed = {name for name, value in wanted.items() if getattr(article, name) != value}
    for name in changed:
        setattr(article, name, wanted[name])
    if {c.pk for c in categories} == set(article.categories.values_list("pk", flat=True)):
        categories = None
    tags = None if set(document.tags) == set(article.tags.names()) else document.tags
    if not changed and categories is None and tags is None:
        return Outcome.UNCHANGED
    article_save(article=article, categories=categories, tags=tags)
    return Outcome.UPDATED
