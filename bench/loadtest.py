"""Load test: many readers comment at once while others browse; nothing is lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_load \\
        .venv/bin/python bench/loadtest.py --comments 500 --clients 50 --readers 10

Starts gunicorn with production settings (DEBUG off) on 127.0.0.1 against
DATABASE_URL (migrated and seeded here if empty), then ``--clients`` threads
each fetch a CSRF token and post their share of ``--comments`` comments
(each with a unique marker), while ``--readers`` threads browse the home page
and post pages. It then checks, in the database, that every accepted comment
(HTTP 302) is stored exactly once and nothing refused was stored, and that no
request got a 5xx. Prints throughput and latency percentiles; exits 1 on any
lost, duplicated or failed request. ``tests/test_load_smoke.py`` runs a short
version in CI.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Stats:
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    accepted: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status, seconds):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


class Browser:
    """One keep-alive HTTP connection with a cookie jar, like one reader's browser."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data


def commenter(port, paths_by_id, count, run_id, client_no, stats):
    browser = Browser(port)
    article_ids = list(paths_by_id)
    for n in range(count):
        article_id = article_ids[(client_no + n) % len(article_ids)]
        status, page = browser.request("GET", paths_by_id[article_id])
        stats.record(status, 0)
        # As the form's script does when the reader starts writing: a CSRF token
        # and a time token bound to this article and this browser.
        status, token = browser.request("GET", f"/comments/form-token/?article={article_id}")
        tokens = json.loads(token)
        marker = f"loadtest-{run_id}-{client_no}-{n}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": tokens["csrfToken"],
                "author_name": f"Load Reader {client_no}",
                "author_email": f"reader{client_no}@loadtest.example",
                "body": f"Comment {marker} about the article.",
                "form_started": tokens.get("formStarted", ""),
            }
        )
        begin = time.perf_counter()
        status, _ = browser.request(
            "POST",
            f"/comments/post/{article_id}/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "http://127.0.0.1/",
            },
        )
        stats.record(status, time.perf_counter() - begin)
        with stats.lock:
            (stats.accepted if status == 302 else stats.refused).append(marker)


def reader(port, paths, stop, stats):
    browser = Browser(port)
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        begin = time.perf_counter()
        status, _ = browser.request("GET", path)
        stats.record(status, time.perf_counter() - begin)
        i += 1


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_load(port, paths_by_id, comments=500, clients=50, readers=10) -> dict:
    """Drive the server on ``port``; return the figures and the markers sent."""
    run_id = uuid.uuid4().hex[:8]
    posts, reads = Stats(), Stats()
    stop = threading.Event()
    browse = ["/", *paths_by_id.values()]
    reader_threads = [
        threading.Thread(target=reader, args=(port, browse, stop, reads)) for _ in range(readers)
    ]
    per_client = [
        comments // clients + (1 if i < comments % clients else 0) for i in range(clients)
    ]
    post_threads = [
        threading.Thread(
            target=commenter, args=(port, paths_by_id, per_client[i], run_id, i, posts)
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in reader_threads + post_threads:
        thread.start()
    for thread in post_threads:
        thread.join()
    stop.set()
    for thread in reader_threads:
        thread.join()
    seconds = time.perf_counter() - started
    post_latency = [s for s in posts.latencies if s]
    return {
        "run_id": run_id,
        "seconds": seconds,
        "comments_sent": comments,
        "accepted": sorted(posts.accepted),
        "refused": sorted(posts.refused),
        "post_statuses": posts.statuses,
        "read_statuses": reads.statuses,
        "reads": len(reads.latencies),
        "comment_throughput": len(post_latency) / seconds,
        "read_throughput": len(reads.latencies) / seconds,
        "post_p50_ms": 1000 * statistics.median(post_latency) if post_latency else 0,
        "post_p99_ms": 1000 * percentile(post_latency, 99),
        "read_p99_ms": 1000 * percentile(reads.latencies, 99),
    }


def verify(result) -> list[str]:
    """Problems found in the database and in the answers; empty when all is well."""
    from comments.models import Comment

    problems = []
    stored = {}
    for body in Comment.objects.filter(body__contains=f"loadtest-{result['run_id']}-").values_list(
        "body", flat=True
    ):
        marker = re.search(r"loadtest-\S+", body).group(0)
        stored[marker] = stored.get(marker, 0) + 1
    for marker in result["accepted"]:
        if stored.get(marker, 0) != 1:
            problems.append(f"{marker}: accepted but stored {stored.get(marker, 0)} times")
    for marker in result["refused"]:
        if marker in stored:
            problems.append(f"{marker}: refused but stored")
    for kind in ("post_statuses", "read_statuses"):
        errors = {s: n for s, n in result[kind].items() if s >= 500 or s == 0}
        if errors:
            problems.append(f"{kind}: server errors {errors}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Note: the load test is meant for PostgreSQL (DATABASE_URL=postgres://...).")

    from tests.faults import Gunicorn

    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "loadtest-secret-key-" + "y" * 40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    if not Article.objects.published().exists():
        call_command("load_seeds", verbosity=0)
    paths = {a.pk: a.get_absolute_url() for a in Article.objects.published()[:5]}
    server = Gunicorn(
        {
            "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
            # One machine sends everything: the per-IP flood guard would refuse it.
            "COMMENTS_RATE_REFUSE_AFTER": "1000000",
            "COMMENTS_RATE_HOLD_AFTER": "1000000",
            "LOG_LEVEL": "ERROR",
        },
        workers=args.workers,
    )
    try:
        result = run_load(server.port, paths, args.comments, args.clients, args.readers)
    finally:
        server.stop()
    problems = verify(result)
    print(
        f"{result['comments_sent']} comments from {args.clients} clients with {args.readers} readers "
        f"in {result['seconds']:.1f}s: {len(result['accepted'])} accepted, {len(result['refused'])} refused, "
        f"statuses {result['post_statuses']}; {result['reads']} page reads {result['read_statuses']}.\n"
        f"Comment POSTs: {result['comment_throughput']:.0f}/s, p50 {result['post_p50_ms']:.0f} ms, "
        f"p99 {result['post_p99_ms']:.0f} ms; reads: {result['read_throughput']:.0f}/s, "
        f"p99 {result['read_p99_ms']:.0f} ms."
    )
    print(
        "Every accepted comment stored exactly once; no 5xx."
        if not problems
        else "\n".join(problems)
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
