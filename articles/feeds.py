"""RSS and Atom feeds (``django.contrib.syndication``): the site's latest
articles, and those of a category, tag, source or author.

What a feed reader shows as HTML must never hold markup a reader did not
write on purpose, so each field is written as what it is:

- a feed's methods return **text** for titles, names and categories, and
  **HTML** for descriptions (``item_description``: plain text is escaped into
  it, e.g. an article's summary or a comment's body);
- the feed *generators* below know which elements the format types as HTML.
  Atom says so itself (``<summary type="html">``; titles, names and
  categories are text and are left as they are). RSS does not, and readers
  take every element as HTML (WordPress's feeds assume as much), so in RSS
  text is escaped too: a title ``<img onerror=…>`` is shown, not run.
- every HTML field then goes through the one sanitiser,
  ``articles.html.sanitize_html``, whatever the feed put in it.

Links are the site's own addresses, made absolute (always http(s)).
"""

import html
from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from articles.html import paragraphs_to_html, sanitize_html, strip_control_characters
from articles.models import Article, Category, Source
from newsroom.models import SiteSettings

FEED_SIZE = 20


def sanitized(markup: str | None) -> str | None:
    return None if markup is None else sanitize_html(markup)


class TypedFieldsMixin:
    """For a feed generator: each text field goes through ``text_field``, and the
    description (HTML in both RSS and Atom) through ``sanitize_html``.

    Text also loses the control characters XML cannot carry, so a feed stays
    well-formed whatever was stored."""

    FEED_TEXT_FIELDS = ("title", "description", "subtitle", "author_name", "feed_copyright")
    ITEM_TEXT_FIELDS = ("title", "author_name", "item_copyright")

    @staticmethod
    def text_field(text: str) -> str:
        raise NotImplementedError

    def _text(self, text: str | None) -> str | None:
        return None if text is None else self.text_field(strip_control_characters(text))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.FEED_TEXT_FIELDS:
            self.feed[name] = self._text(self.feed[name])
        self.feed["categories"] = [self._text(c) for c in self.feed["categories"]]

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        item = self.items[-1]
        for name in self.ITEM_TEXT_FIELDS:
            item[name] = self._text(item[name])
        item["categories"] = [self._text(c) for c in item["categories"]]
        item["description"] = sanitized(item["description"])
        if item["author_link"]:  # Django makes the item's link absolute, not this one
            item["author_link"] = urljoin(self.feed["link"], item["author_link"])


class HtmlSafeRssFeed(TypedFieldsMixin, Rss201rev2Feed):
    """RSS 2.0: text is escaped as HTML, descriptions sanitised.

    RSS types nothing, and readers decode every element as HTML: the text of a
    title, an author's name or a category is escaped so that it reads as itself
    (quotes need no escaping outside attributes, so they are left alone)."""

    @staticmethod
    def text_field(text: str) -> str:
        return html.escape(text, quote=False)


class HtmlSafeAtomFeed(TypedFieldsMixin, Atom1Feed):
    """Atom: the summary (``<summary type="html">``) is sanitised; titles, names
    and categories are Atom text and are written as they are."""

    @staticmethod
    def text_field(text: str) -> str:
        return text


class SiteFeed(Feed):
    """A feed that knows the site's name (``self.site``) while it renders, and
    writes each field as text or sanitised HTML (``HtmlSafeRssFeed``)."""

    feed_type = HtmlSafeRssFeed

    def __call__(self, request, *args, **kwargs):
        self.site = SiteSettings.load()
        return super().__call__(request, *args, **kwargs)


class LatestArticlesFeed(SiteFeed):
    def title(self, obj=None):
        return f"{self.site.name} — {obj}" if obj else self.site.name

    def description(self, obj=None):
        return self.site.description or self.site.tagline or self.site.name

    subtitle = description

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else reverse("articles:home")

    def articles(self, obj):
        return Article.objects.published().with_filing()

    def items(self, obj=None):
        return self.articles(obj)[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # The summary is plain text (the excerpt, or the body's opening as text).
        return paragraphs_to_html([article.summary]) if article.summary else ""

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author.get_display_name()

    def item_author_link(self, article):
        return article.author.get_absolute_url()

    def item_categories(self, article):
        return [c.name for c in article.categories.all()] + [t.name for t in article.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = HtmlSafeAtomFeed


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def articles(self, category):
        return super().articles(category).in_category_tree(category)


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def link(self, tag=None):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def articles(self, tag):
        return super().articles(tag).filter(tags=tag)


class SourceFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def articles(self, source):
        return super().articles(source).filter(source=source)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, username):
        return get_object_or_404(get_user_model(), username=username)

    def articles(self, author):
        return super().articles(author).filter(author=author)
