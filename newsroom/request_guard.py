"""NUL characters in a request never reach a query, and a header never crashes one.

PostgreSQL text cannot contain a NUL character (psycopg refuses to send one),
so a NUL that reaches a query is a 500. ``NulGuardMiddleware`` keeps them out
of what the site reads before any view, cache or other middleware does:

- the path: no page's address has a NUL, and the path is looked up as text
  (flat pages, redirects), so the request is refused (400);
- cookies: a cookie holding a NUL is ignored, as if it had not been sent (a
  session key with a NUL names no session);
- headers: their NULs are dropped. No header means anything by one, and some
  are stored (a comment's user agent and referrer, django-axes' records). The
  WSGI server refuses raw NULs in headers; this also covers test clients and
  other servers.

The query string is left to what reads it: search and pagination clean their
values, and the admin validates its filters (``newsroom.admin_site``). Path
converters (``articles.converters``) and forms (Django's fields refuse NUL)
check each value as what it is.

One header is read before any middleware runs: Django takes the request's
``Content-Type`` apart while making the request object, and a header it cannot
parse, or a charset Python cannot even look up (``charset*=utf-8''%00``),
escaped as an exception the WSGI server answered with a 500.
``NewsroomWSGIHandler`` (``newsroom.wsgi``) makes requests that ignore such a
charset, as Django ignores an unknown one, and refuse an unparseable header
with a 400 when the body is read.
"""

from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

NUL = "\x00"


class NulGuardMiddleware:
    """400 for a NUL in the path; cookies with one ignored; headers without them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info:
            raise BadRequest("The path contains a NUL character.")
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
                request.META[key] = value.replace(NUL, "")
        if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
            request.COOKIES = {
                key: value
                for key, value in request.COOKIES.items()
                if NUL not in key and NUL not in value
            }
        return self.get_response(request)


class TolerantWSGIRequest(WSGIRequest):
    """A WSGI request whose ``Content-Type`` header cannot fail its making."""

    _content_type_error = None

    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except BadRequest as error:  # unparseable: the body cannot be read as a form
            self.content_type, self.content_params = "", {}
            self._content_type_error = error
        except ValueError:  # codecs.lookup() on a charset with a NUL: an unknown charset
            pass

    def _load_post_and_files(self):
        if self._content_type_error is not None:
            raise BadRequest("Invalid Content-Type header.")
        super()._load_post_and_files()


class NewsroomWSGIHandler(WSGIHandler):
    request_class = TolerantWSGIRequest
