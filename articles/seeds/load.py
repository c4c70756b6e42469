"""Writing a ``SeedDocument`` to the database: ``load_seed``, idempotent (the
article is keyed on its slug), in one transaction, the article through
``articles.services.article_save``. The responses are left to the caller
(``articles`` knows no comments: the ``load_seeds`` command hands them to
``comments.seeds``).
"""

from datetime import datetime
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.usernames import unique_username
from articles.models import Article, Category, Source
from articles.seeds.page import PUBLISH_TIME, SeedDocument
from articles.services import article_body_sanitized, article_save
from newsroom.models import SiteSettings


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


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
def load_seed(document: SeedDocument) -> tuple[Outcome, Article]:
    """Create or update what the document names; return what happened to the
    article, and the article."""
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
        "body": article_body_sanitized(document.body_html),
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
        return Outcome.CREATED, article

    changed = {name for name, value in wanted.items() if getattr(article, name) != value}
    for name in changed:
        setattr(article, name, wanted[name])
    if {c.pk for c in categories} == set(article.categories.values_list("pk", flat=True)):
        categories = None
    tags = None if set(document.tags) == set(article.tags.names()) else document.tags
    if not changed and categories is None and tags is None:
        return Outcome.UNCHANGED, article
    article_save(article=article, categories=categories, tags=tags)
    return Outcome.UPDATED, article
