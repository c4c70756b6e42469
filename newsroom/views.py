"""Site-wide views: the health check and the error pages.

The error pages (``handler400`` … ``handler500`` in ``newsroom.urls``) never
read the request's body: the body may be the very thing that failed (a form
declared in a charset other than UTF-8, a broken upload), and reading it again
would turn a 400 into a 500. Django's own handlers run the CSRF check, which
reads it, so they are not used. The 400, 403 and 500 pages are plain templates
rendered without the request; the 404 page is the site's own, with its
navigation, and reads no more of the request than any page does.
"""

import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    JsonResponse,
)
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request):
    """For load balancers and Varnish's probe: 200 while this server can serve
    pages, 503 when it cannot reach the database.

    The cache is reported but does not fail the check: pages are served
    without Redis while it is unreachable, and every app server shares it, so
    failing on it would take them all out of the pool at once — an outage
    where there was a slower site. Monitoring alerts on ``"degraded"``.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    try:
        cache.set("healthz", "ok", timeout=10)
        ok = cache.get("healthz") == "ok" and getattr(cache, "is_available", lambda: True)()
        checks["cache"] = "ok" if ok else "unavailable"
    except Exception as error:
        checks["cache"] = f"unavailable: {type(error).__name__}"
    if checks["database"] != "ok":
        status = "unavailable"
    else:
        status = "ok" if checks["cache"] == "ok" else "degraded"
    return JsonResponse(
        {"status": status, **checks}, status=503 if status == "unavailable" else 200
    )


def server_error(request):
    """500, or 503 with Retry-After when the database cannot be reached.

    Rendered from a template without context processors, so it works when
    nothing else does; never a traceback.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", error)
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def bad_request(request, exception):
    """400: what the client sent could not be understood."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def permission_denied(request, exception):
    """403: the request is understood and refused."""
    return HttpResponseForbidden(loader.get_template("403.html").render())


def page_not_found(request, exception):
    """404: the site's page, with search and a way home."""
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))
