"""Old WordPress links, answered only with what a reader may see.

``/?p=123`` (WordPress's "plain" permalinks, and the shortlink every post has),
``/?page_id=7`` (a page's) and ``/?attachment_id=45`` are answered with a
permanent redirect to the imported article or page when it is public
(``Article.objects.public()``), and with a 404 otherwise (as WordPress
answers a visitor), so a draft or a scheduled post is not revealed by its ID.

Permalinks with a path (``/2012/01/03/hello/``, ``/hello/``) are ``OldLink``
rows the importer writes; when a request would be a 404, its path is looked
up there and answered with a redirect to the article's address of the moment,
in one hop, while the article (or page) is public (``Article.objects.public()``).
A draft, pending, scheduled or unpublished article's old link stays a 404,
and starts redirecting by itself once the article is live. Redirects made by
hand in ``django.contrib.redirects`` come first (that middleware runs inside
this one).

An exact old permalink also wins over the post page's own guess: a path of
the post page's shape whose slug is another article's, at another date, is
answered by that page with a redirect to that other article; when an old link
has exactly that path, it is followed instead (one lookup, only on such a
redirect). A page Newsroom really serves keeps its address; the importer
reports the old links it shadows (``wordpress.importer.redirects``).
"""

import re

from django.conf import settings
from django.db.models import Subquery
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.encoding import escape_uri_path

from articles.models import Article
from wordpress.models import ImportedItem, OldLink

# The paths WordPress answers ?p= on.
FRONT_PATHS = ("/", "/index.php")
# A WordPress ID: ASCII digits only (str.isdigit() also takes "²", which int()
# refuses), and not so many that int() refuses them either.
WP_ID = re.compile(r"[0-9]{1,19}")
# Longer paths are never stored (OldLink.path), so never looked up.
OLD_LINK_MAX_LENGTH = OldLink._meta.get_field("path").max_length
# The view that answers a post's address (and redirects a wrong date).
POST_PAGE = "articles:detail"


class WordPressLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD")
        if reading and request.path in FRONT_PATHS and request.GET:
            article_id = self.query_article_id(request.GET)
            if article_id is not None:
                url = published_url(article_id)
                if url is None:
                    raise Http404("No published article or page has this WordPress ID.")
                return HttpResponsePermanentRedirect(url)
        response = self.get_response(request)
        if reading and (response.status_code == 404 or self.is_post_page_guess(request, response)):
            url = self.old_link_url(request)
            if url is not None:
                return HttpResponsePermanentRedirect(url)
        return response

    @staticmethod
    def is_post_page_guess(request, response) -> bool:
        """Whether ``response`` is the post page redirecting a right slug at a
        wrong date (its guess, which an exact old permalink overrules)."""
        match = getattr(request, "resolver_match", None)
        return response.status_code == 301 and match is not None and match.view_name == POST_PAGE

    @staticmethod
    def query_article_id(query) -> Subquery | None:
        """The article or page a WordPress ``?p=``, ``?page_id=`` or
        ``?attachment_id=`` names, as a subquery (None when the query names
        no WordPress ID at all)."""
        for parameter, kind in (("p", ImportedItem.Kind.POST), ("page_id", ImportedItem.Kind.PAGE)):
            wp_id = query.get(parameter, "").strip()
            if WP_ID.fullmatch(wp_id):
                return Subquery(
                    ImportedItem.objects.filter(kind=kind, wp_id=str(int(wp_id))).values(
                        "object_id"
                    )[:1]
                )
        attachment_id = query.get("attachment_id", "").strip()
        if not WP_ID.fullmatch(attachment_id):
            return None
        # An attachment's page becomes the post it is attached to.
        parent = ImportedItem.objects.filter(
            kind=ImportedItem.Kind.ATTACHMENT, wp_id=str(int(attachment_id))
        ).values("parent_wp_id")[:1]
        return Subquery(
            ImportedItem.objects.filter(kind=ImportedItem.Kind.POST, wp_id=Subquery(parent)).values(
                "object_id"
            )[:1]
        )

    @staticmethod
    def old_link_url(request) -> str | None:
        """The address of the published article ``request``'s path used to be."""
        path = escape_uri_path(request.path)
        if len(path) > OLD_LINK_MAX_LENGTH:
            return None
        paths = [path]
        if settings.APPEND_SLASH and not path.endswith("/"):
            paths.append(path + "/")
        links = OldLink.objects.filter(path__in=paths).order_by("path").values("article_id")
        return published_url(Subquery(links[:1]))


def published_url(article_id) -> str | None:
    """The address of article or page ``article_id`` (a pk or subquery) if
    readers may see it."""
    article = (
        Article.objects.public()
        .filter(pk=article_id)
        .only("kind", "slug", "path", "publish_at")
        .first()
    )
    return article.get_absolute_url() if article is not None else None
