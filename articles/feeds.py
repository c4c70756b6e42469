"""RSS and Atom feeds (``django.contrib.syndication``): the site's latest
articles, and those of a category, tag, source or author."""

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from taggit.models import Tag

from articles.models import Article, Category, Source
from articles.views import CategoryView
from newsroom.models import SiteSettings

FEED_SIZE = 20


class SiteFeed(Feed):
    """A feed that knows the site's name (``self.site``) while it renders."""

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
        return article.summary

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
    feed_type = Atom1Feed


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def articles(self, category):
        return CategoryView.in_categories(super().articles(category), category)


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
