"""The transport baseline: the same bytes as a real page, with no work behind them.

* ``application`` — a trivial WSGI app (gunicorn bench.baseline:application);
* ``urlpatterns`` — a bare Django view, served through the project's settings
  and middleware (DJANGO_ROOT_URLCONF=bench.baseline).

Both read the page saved by bench/run.py (``BENCH_BASELINE_FILE``).
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

BODY = Path(os.environ.get("BENCH_BASELINE_FILE", __file__)).read_bytes()


def application(environ, start_response):
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]


def bare(request):
    return HttpResponse(BODY)


urlpatterns = [path("bench/bare/", bare)]
