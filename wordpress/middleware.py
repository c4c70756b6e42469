"""Old WordPress links that carry the post in the query string.

``/?p=123`` (WordPress's "plain" permalinks, and the shortlink every post has)
and ``/?attachment_id=45`` are answered with a permanent redirect to the
imported article, when it is published; anything else passes through.
Permalinks with a path (``/2012/01/03/hello/``, ``/hello/``) are redirects in
``django.contrib.redirects``, written by the importer and served by
``RedirectFallbackMiddleware`` when the path is not found.
"""

import re

from django.db.models import Subquery
from django.http import HttpResponsePermanentRedirect

from articles.models import Article
from wordpress.models import ImportedItem

# The paths WordPress answers ?p= on.
FRONT_PATHS = ("/", "/index.php")
# A WordPress ID: ASCII digits only (str.isdigit() also takes "²", which int()
# refuses), and not so many that int() refuses them either.
WP_ID = re.compile(r"[0-9]{1,19}")


class WordPressLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path in FRONT_PATHS and request.GET:
            url = self.article_url(request.GET)
            if url is not None:
                return HttpResponsePermanentRedirect(url)
        return self.get_response(request)

    @staticmethod
    def article_url(query) -> str | None:
        """The address of the published article a WordPress query names, if any."""
        post_id = query.get("p", "").strip()
        if WP_ID.fullmatch(post_id):
            article_id = Subquery(
                ImportedItem.objects.filter(
                    kind=ImportedItem.Kind.POST, wp_id=str(int(post_id))
                ).values("object_id")[:1]
            )
        else:
            attachment_id = query.get("attachment_id", "").strip()
            if not WP_ID.fullmatch(attachment_id):
                return None
            # An attachment's page becomes the post it is attached to.
            parent = ImportedItem.objects.filter(
                kind=ImportedItem.Kind.ATTACHMENT, wp_id=str(int(attachment_id))
            ).values("parent_wp_id")[:1]
            article_id = Subquery(
                ImportedItem.objects.filter(
                    kind=ImportedItem.Kind.POST, wp_id=Subquery(parent)
                ).values("object_id")[:1]
            )
        article = (
            Article.objects.published().filter(pk=article_id).only("slug", "publish_at").first()
        )
        return article.get_absolute_url() if article is not None else None
