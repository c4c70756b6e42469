"""The reader's site. Every view reads ``Article.objects.published()`` (posts)
or ``Page.objects.published()`` (pages, ``PageDetailView``, at ``/<path>/``);
only staff who may change them also see unpublished ones, as previews.

Views filter with ``ArticleQuerySet`` methods and take the rest from
``articles.selectors``; ``newsroom.pagecache`` says what each page is built from."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import (
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from articles import search
from articles.models import Article, Category, Page, Source
from articles.selectors import listed_by_slug, published_page, published_post
from newsroom import pagecache


def listing_subject(model, *, slug: str):
    """The category, source or tag a listing is about, or a 404."""
    found = listed_by_slug(model, slug=slug)
    if found is None:
        raise Http404(f"No {model._meta.verbose_name} at this address.")
    return found


class CountedOncePaginator(Paginator):
    """A listing's paginator whose count — a query over every article the
    listing holds — is kept until content changes, under ``count_key``."""

    def __init__(self, *args, count_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return pagecache.fragment(
            self.count_key,
            pagecache.CONTENT,
            build=lambda: Paginator.count.func(self),
        )


class PublishedArticlesMixin:
    """What every listing shares: published articles, a page at a time. The
    cards of each page are cached by the template (``render_cards``) and the
    count by the paginator, so a page whose cards are cached runs no query
    for them."""

    model = Article
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    # A section with nothing published is a dead end: 404, not an empty page.
    allow_empty = False
    # The listing is the same for every reader at its address (not a search).
    same_at_its_address = True

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_PAGE_SIZE

    def get_allow_empty(self):
        # ``ListView.get`` would ask the database whether a listing that may
        # not be empty is; the paginator says so from its kept count instead
        # (``allow_empty_first_page``, below): a 404 either way.
        return True

    def get_paginator(self, queryset, per_page, **kwargs):
        kwargs["allow_empty_first_page"] = self.allow_empty
        if not self.same_at_its_address:
            return super().get_paginator(queryset, per_page, **kwargs)
        count_key = f"articles:count:{self.request.path}"
        return CountedOncePaginator(queryset, per_page, count_key=count_key, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        return pagecache.depends_on(
            response, pagecache.CONTENT, timeout=pagecache.seconds_until_stale()
        )


class HomeView(PublishedArticlesMixin, ListView):
    """The latest articles, featured ones pinned at the top."""

    allow_empty = True
    template_name = "articles/home.html"

    def get_queryset(self):
        return super().get_queryset().featured_first()


class CategoryView(PublishedArticlesMixin, ListView):
    """A category's articles, including those of the categories inside it."""

    def get_queryset(self):
        self.category = listing_subject(Category, slug=self.kwargs["slug"])
        return super().get_queryset().in_category_tree(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.category.name,
            listing_kind="Category",
            listing_description=self.category.description,
            listing_object=self.category,
            feed_url=reverse("articles:category-feed", kwargs={"slug": self.category.slug}),
            **kwargs,
        )


class TagView(PublishedArticlesMixin, ListView):
    def get_queryset(self):
        self.tag = listing_subject(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.tag.name,
            listing_kind="Tag",
            listing_object=self.tag,
            feed_url=reverse("articles:tag-feed", kwargs={"slug": self.tag.slug}),
            **kwargs,
        )


class SourceView(PublishedArticlesMixin, ListView):
    def get_queryset(self):
        self.source = listing_subject(Source, slug=self.kwargs["slug"])
        return super().get_queryset().filter(source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.source.name,
            listing_kind="Source",
            listing_description=self.source.description,
            listing_object=self.source,
            feed_url=reverse("articles:source-feed", kwargs={"slug": self.source.slug}),
            **kwargs,
        )


class AuthorView(PublishedArticlesMixin, ListView):
    def get_queryset(self):
        self.author = get_object_or_404(get_user_model(), username=self.kwargs["username"])
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.author.get_display_name(),
            listing_kind="Author",
            listing_description=self.author.bio,
            listing_object=self.author,
            feed_url=reverse("articles:author-feed", kwargs={"username": self.author.username}),
            **kwargs,
        )


class DateArchiveMixin(PublishedArticlesMixin):
    date_field = "publish_at"
    month_format = "%m"
    day_format = "%d"
    make_object_list = True
    template_name = "articles/article_archive.html"

    def get_year(self):
        return str(self.kwargs["year"])

    def get_month(self):
        return f"{self.kwargs['month']:02d}"

    def get_day(self):
        return f"{self.kwargs['day']:02d}"

    # Neighbouring-period links and date lists cost a query each and the
    # archive pages do not show them; the sidebar's monthly archive does.
    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return []

    def get_next_year(self, date):
        return None

    get_previous_year = get_next_month = get_previous_month = get_next_year
    get_next_day = get_previous_day = get_next_year


class YearView(DateArchiveMixin, YearArchiveView):
    archive_format = "Y"


class MonthView(DateArchiveMixin, MonthArchiveView):
    archive_format = "F Y"


class DayView(DateArchiveMixin, DayArchiveView):
    archive_format = "F j, Y"


class SearchView(PublishedArticlesMixin, ListView):
    allow_empty = True
    same_at_its_address = False
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query, self.query_shortened = search.clean_query(self.request.GET.get("q", ""))
        if not self.query:
            return Article.objects.none()
        return search.search(super().get_queryset(), self.query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query, query_shortened=self.query_shortened, **kwargs
        )
        search.highlight(context["articles"], self.query)
        return context


class ArticleResponseMixin:
    """A post's or a page's response: a staff preview of an unpublished one is
    marked noindex and never cached; a published one is built from published
    content and its own comments (``article:<pk>``)."""

    def render_article(self):
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published:
            response.headers["X-Robots-Tag"] = "noindex"
            return response
        return pagecache.depends_on(
            response,
            pagecache.CONTENT,
            f"article:{self.object.pk}",
            timeout=pagecache.seconds_until_stale(),
        )


class ArticleDetailView(ArticleResponseMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        if self.request.user.has_perm("articles.change_article"):
            # Staff preview unpublished articles at their address.
            return get_object_or_404(Article.objects.posts().for_listing(), slug=slug)
        # Its source, author, categories and tags are read only when the
        # post's HTML is built (``post_html``), not on every render.
        article = published_post(slug=slug)
        if article is None:
            raise Http404("No article at this address.")
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        published = timezone.localtime(self.object.publish_at)
        asked = (self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        if asked != (published.year, published.month, published.day):
            # The slug is right but the date is not (an old link, a rescheduled post).
            return redirect(self.object.get_absolute_url(), permanent=True)
        return self.render_article()

    def get_context_data(self, **kwargs):
        article = self.object
        return super().get_context_data(
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
            **kwargs,
        )


# Reads only (a POST is answered 405, or 404 where no page is): no CSRF check,
# which would read the body of a POST to any unknown address first.
@method_decorator(csrf_exempt, name="dispatch")
class PageDetailView(ArticleResponseMixin, DetailView):
    """A page at its path (``/about/team/``): title, body and its comments;
    no source line, byline or filing. The URL pattern comes last, so a page
    never hides another view's address."""

    template_name = "articles/page_detail.html"
    context_object_name = "page"

    def http_method_not_allowed(self, request, *args, **kwargs):
        # A POST to an address with no page is a 404, as for any unknown address.
        self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def get_object(self, queryset=None):
        path = self.kwargs["path"]
        if self.request.user.has_perm("articles.change_page"):
            # Staff preview unpublished pages at their address.
            return get_object_or_404(Page.objects.all(), path=path)
        page = published_page(path=path)
        if page is None:
            raise Http404("No page at this address.")
        return page

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_article()

    def get_context_data(self, **kwargs):
        return page_context(self.request, self.object, view=self, **kwargs)


def page_context(request, page: Article, **context) -> dict:
    """What ``page_detail.html`` shows besides the site's own context (the
    page view, and the comment form's view when it shows a page again)."""
    return {
        "page": page,
        "object": page,
        "canonical_url": request.build_absolute_uri(page.get_absolute_url()),
        **context,
    }


@pagecache.cached_view(pagecache.CONTENT)
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.NEWSROOM_ADMIN_URL}",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
