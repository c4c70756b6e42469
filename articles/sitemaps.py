from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from articles.models import Article, Category, Page, Source


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("kind", "slug", "publish_at", "updated_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, article):
        return article.updated_at


class PageSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Page.objects.published().only("kind", "path", "updated_at").order_by("path")

    def lastmod(self, page):
        return page.updated_at


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class _SectionSitemap(Sitemap):
    """Sections that have published articles, last modified with their newest one."""

    model = None
    changefreq = "daily"

    def items(self):
        live = Q(articles__in=Article.objects.published())
        return (
            self.model.objects.annotate(latest=Max("articles__updated_at", filter=live))
            .filter(latest__isnull=False)
            .order_by("name")
        )

    def lastmod(self, section):
        return section.latest


class CategorySitemap(_SectionSitemap):
    model = Category


class SourceSitemap(_SectionSitemap):
    model = Source


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "sources": SourceSitemap,
}
