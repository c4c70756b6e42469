"""factory_boy factories for the models tests build."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Category, Page, Source
from articles.services import article_save
from wire.models import WireItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"Writer {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("a-long-test-password-42")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Publication {n}")
    homepage_url = factory.LazyAttribute(
        lambda s: f"https://{s.name.lower().replace(' ', '')}.example"
    )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Section {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article, live an hour ago unless told otherwise.

    Written through ``article_save`` like every article (sanitised body), with
    its after-commit work (renditions, cache refresh) run at once, as a commit
    would; ``categories`` and ``tags`` are passed on to it."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    body = factory.LazyAttribute(lambda a: f"<p>The body of {a.title}.</p><p>Second paragraph.</p>")
    author = factory.SubFactory(UserFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _create(cls, model_class, *args, categories=None, tags=None, **kwargs):
        article = model_class(*args, **kwargs)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return article_save(article=article, categories=categories, tags=tags)


class PageFactory(factory.django.DjangoModelFactory):
    """A published page at the site's top level (``/page-number-N/``); pass
    ``parent`` for a subpage. Written through ``article_save``."""

    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page number {n}")
    body = factory.LazyAttribute(lambda p: f"<p>The text of {p.title}.</p>")
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = model_class(*args, **kwargs)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return article_save(article=page)


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment; pass ``parent`` for a reply."""

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.LazyAttribute(
        lambda c: f"{c.author_name.lower().replace(' ', '')}@example.org"
    )
    body = factory.Sequence(lambda n: f"Comment text number {n}.")
    status = "approved"
    created_at = factory.LazyFunction(timezone.now)
    ip_address = "192.0.2.10"
    depth = factory.LazyAttribute(lambda c: c.parent.depth + 1 if c.parent else 0)
    root = factory.LazyAttribute(lambda c: (c.parent.root or c.parent) if c.parent else None)
    parent = None


class WireItemFactory(factory.django.DjangoModelFactory):
    """An item on the wire, as a feed would bring it."""

    class Meta:
        model = WireItem

    source = factory.SubFactory(SourceFactory)
    guid = factory.Sequence(lambda n: f"https://thecradle.example/?p={n}")
    link = factory.Sequence(lambda n: f"https://thecradle.example/story-{n}/")
    title = factory.Sequence(lambda n: f"Story {n} from the region")
    published_at = factory.LazyFunction(timezone.now)
    listed_at = factory.LazyAttribute(lambda item: item.published_at or timezone.now())
    summary = "Officials met on Thursday."
    author = "News Desk"
