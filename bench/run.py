"""The benchmark harness: build a big site, serve it like production, load it, report.

    .venv/bin/python bench/run.py                      # SQLite, 10k articles, 200k comments
    .venv/bin/python bench/run.py --db postgres --redis
    .venv/bin/python bench/run.py --articles 2000 --comments 20000 --duration 5   # quick

1. builds the site with ``manage.py generate_demo`` (kept under bench/.data and
   reused while the sizes match; ``--fresh`` rebuilds);
2. serves it with gunicorn and production settings (DEBUG off) on 127.0.0.1;
   with ``--redis`` the cache is Redis, otherwise each process's local memory;
3. loads it with wrk (Debian's; installed with apt when missing and root);
4. measures the transport baseline in the same run: the same bytes from the same
   gunicorn through a trivial WSGI app, and through a bare Django view;
5. prints a table and writes it as JSON and Markdown under bench/results/.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SECRET = "bench-only-secret-key-" + "x" * 40

LUA = r"""
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = id
  if os.getenv("BENCH_POST_BODY") then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("BENCH_CSRF")
  end
end
function request()
  if os.getenv("BENCH_POST_BODY") then
    counter = counter + 1
    local body = os.getenv("BENCH_POST_BODY") .. "+" .. thread_id .. "-" .. counter
    return wrk.format(nil, nil, nil, body)
  end
  return wrk.format()
end
function done(summary, latency, requests)
  io.write(string.format(
    "RESULT {\"requests\": %d, \"seconds\": %f, \"errors\": %d, \"non2xx3xx\": %d, \"p50\": %f, \"p95\": %f, \"p99\": %f, \"bytes\": %d}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.bytes))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (Debian) ...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True
            )
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")


def database_url(args) -> str:
    name = f"bench_{args.articles}_{args.comments}"
    if args.db == "sqlite":
        return f"sqlite:///{DATA / (name + '.sqlite3')}"
    return f"postgres://postgres@127.0.0.1:5432/newsroom_{name}"


def base_env(args) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url(args),
        "STATIC_ROOT": str(DATA / "static"),
        "MEDIA_ROOT": str(DATA / "media"),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        # The load comes from one address; the flood guard would refuse it.
        "COMMENTS_RATE_REFUSE_AFTER": "100000000",
        "COMMENTS_RATE_HOLD_AFTER": "100000000",
        # BENCH_REDIS_URL: another Redis database, when several people bench on one machine.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
        if args.redis
        else "",
        "PYTHONPATH": str(ROOT),
    }
    return env


def manage(env, *command, **kwargs):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command], env=env, check=True, **kwargs
    )


def build_site(args, env):
    DATA.mkdir(parents=True, exist_ok=True)
    stamp = DATA / f"{args.db}-{args.articles}-{args.comments}.built"
    if args.db == "postgres":
        name = database_url(args).rsplit("/", 1)[1]
        if args.fresh or not stamp.exists():
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {name}",
                ],
                check=True,
            )
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
                check=True,
            )
            stamp.unlink(missing_ok=True)
    elif args.fresh or not stamp.exists():
        Path(database_url(args).removeprefix("sqlite:///")).unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
    manage(env, "migrate", "--noinput", "-v0")
    if not stamp.exists():
        started = time.monotonic()
        manage(
            env, "generate_demo", "--articles", str(args.articles), "--comments", str(args.comments)
        )
        print(f"Site built in {time.monotonic() - started:.0f}s")
        stamp.write_text("ok")
    if args.db == "postgres":
        # Fresh statistics, as autovacuum would give a live site: the rows were
        # just bulk-inserted, and the measurements start at once.
        name = database_url(args).rsplit("/", 1)[1]
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-qc", "ANALYZE"], check=True
        )
    manage(env, "collectstatic", "--noinput", "-v0")


class Server:
    def __init__(self, name, env, app="newsroom.wsgi:application", workers=4, probe="/robots.txt"):
        self.name, self.port, self.env = name, free_port(), env
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--worker-class", "sync", "--keep-alive", "5", "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{probe}", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def peak_rss_mb(self) -> dict:
        """Peak resident memory (VmHWM) of each worker so far, in MB."""
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return {}
        peaks = []
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return {"workers": len(peaks), "max_mb": max(peaks, default=0)}

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(url, args, env_extra=None) -> dict:
    script = DATA / "bench.lua"
    script.write_text(LUA)
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env_extra or {})}
    ).stdout
    match = re.search(r"RESULT (\{.*\})", output)
    if not match:
        raise RuntimeError(f"wrk gave no result for {url}:\n{output}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure_queries(paths: dict[str, str]) -> dict[str, int]:
    """Queries per request for each page, rendered (no page cache) in this process."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # count what rendering costs, fragments warm
    client = Client()
    counts = {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[name] = len(queries)
    return counts


def pages_named(only: str, names) -> list[str]:
    """The pages ``--only`` names. Page names hold commas ("post, 50 comments"),
    so the list is read greedily: comma-separated pieces are joined back while
    they spell a longer page name. A name that matches no page stops the run
    with the list of names, rather than silently measuring nothing."""
    by_folded = {name.casefold(): name for name in names}
    pieces = [piece.strip() for piece in only.split(",") if piece.strip()]
    chosen, start = [], 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            candidate = ", ".join(pieces[start:end]).casefold()
            if candidate in by_folded:
                chosen.append(by_folded[candidate])
                start = end
                break
        else:
            sys.exit(
                f"--only: no page named {pieces[start]!r}; pages: " + "; ".join(by_folded.values())
            )
    return chosen


def comment_post_env(article_id) -> dict:
    """The form fields wrk posts: a time token issued a minute ago (a form filled
    in at reading speed). The token's clock is moved with the standard library's
    ``unittest.mock``, not ``time_machine``: that is a test-only package and the
    bench must run from the virtualenv ``make run`` creates."""
    from unittest import mock

    import django

    django.setup()
    from django.core import signing

    from comments.spam import TIMESTAMP_FIELD, form_timestamp_token

    a_minute_ago = signing.b62_encode(int(time.time()) - 60)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=a_minute_ago):
        started = form_timestamp_token()
    csrf = secrets.token_hex(16)
    body = (
        f"csrfmiddlewaretoken={csrf}&author_name=Bench+Reader&author_email=bench%40example.org"
        f"&{TIMESTAMP_FIELD}={urllib.request.quote(started)}&body=Benchmark+comment+number"
    )
    return {"BENCH_POST_BODY": body, "BENCH_CSRF": csrf, "BENCH_ARTICLE": str(article_id)}


def parse_args():
    parser = argparse.ArgumentParser(description="Newsroom benchmark harness")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis", action="store_true", help="use Redis as the cache")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--fresh", action="store_true", help="rebuild the site")
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    parser.add_argument(
        "--against-wordpress",
        action="store_true",
        help="also install and measure WordPress (Debian's; apt, root) with the same post",
    )
    parser.add_argument(
        "--varnish",
        action="store_true",
        help="also measure the page through Varnish with deploy/varnish/default.vcl",
    )
    return parser.parse_args()


def bench_paths(args) -> tuple[dict[str, str], object]:
    """The pages measured (``--only`` picks some) and the busy post comments go to."""
    from taggit.models import Tag

    from articles.models import Article, Category, Source
    from newsroom.management.commands.generate_demo import PLACES

    busy = Article.objects.get(slug="demo-busy-500")
    paths = {
        "post, 50 comments": Article.objects.get(slug="demo-fifty-comments").get_absolute_url(),
        "post, 500 comments": busy.get_absolute_url(),
        "post, no comments": Article.objects.get(slug="demo-no-comments").get_absolute_url(),
        "home": "/",
        "category page 1": Category.objects.get(slug="demo-section-1").get_absolute_url(),
        "category page 400": None,
        "tag": "/tag/"
        + Tag.objects.filter(slug__startswith="demo-tag-").order_by("pk").first().slug
        + "/",
        "source": Source.objects.filter(slug__startswith="demo-source-")
        .order_by("pk")
        .first()
        .get_absolute_url(),
        "search": f"/search/?q={PLACES[7]}",
        "RSS feed": "/feed/",
    }
    # The deepest page of the biggest listing (page 400 when the site is that big).
    biggest = (
        Category.objects.filter(parent=None, slug__startswith="demo-section-")
        .order_by("pk")
        .first()
    )
    deep = min(
        400, max(1, Article.objects.published().filter(categories__in=[biggest]).count() // 10)
    )
    paths["category page 400"] = f"{biggest.get_absolute_url()}?page={deep}"
    if args.only:
        paths = {name: paths[name] for name in pages_named(args.only, paths)}
    return paths, busy


def start_servers(env, args, paths) -> tuple[dict, str, bytes]:
    """The gunicorn servers measured, the sample page's path and its bytes
    (which the baselines serve)."""
    # The baseline serves the 50-comment post page's bytes.
    uncached = Server("uncached", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0"}, workers=args.workers)
    sample_path = paths.get("post, 50 comments", next(iter(paths.values())))
    sample = urllib.request.urlopen(uncached.url(sample_path)).read()
    (DATA / "baseline.html").write_bytes(sample)
    baseline_env = {**env, "BENCH_BASELINE_FILE": str(DATA / "baseline.html")}
    servers = {
        "uncached": uncached,
        "cached": Server("cached", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "600"}, workers=args.workers),
        # Every fragment built on every request: what the first reader after a change pays.
        "cold": Server(
            "cold", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0", "NEWSROOM_FRAGMENT_CACHE": "0"},
            workers=args.workers,
        ),
        "wsgi": Server("wsgi", baseline_env, app="bench.baseline:application", workers=args.workers),
        "django": Server(
            "django", {**baseline_env, "DJANGO_ROOT_URLCONF": "bench.baseline", "NEWSROOM_PAGE_CACHE_SECONDS": "0"},
            workers=args.workers, probe="/bench/bare/",
        ),
    }  # fmt: skip
    return servers, sample_path, sample


def main():
    args = parse_args()
    ensure_wrk()
    env = base_env(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    build_site(args, env)

    import django

    django.setup()
    from articles.models import Article

    paths, busy = bench_paths(args)
    queries = measure_queries(paths)
    servers, sample_path, sample = start_servers(env, args, paths)
    rows, memory = [], {}
    try:
        measure_newsroom(servers, paths, queries, busy, args, rows)
        if args.against_wordpress:
            post = Article.objects.get(slug="demo-fifty-comments")
            measure_wordpress(post, sample, args, rows)
        if args.varnish:
            measure_varnish(env, sample_path, args, rows)
    finally:
        for name, server in servers.items():
            memory[name] = server.peak_rss_mb()
            server.stop()

    report(rows, args, memory)


def body_size(url: str) -> int:
    """The bytes ``url`` answers with; 0, said aloud, if it answers an error
    (a failed answer is the run's finding, not a reason to stop it)."""
    try:
        return len(urllib.request.urlopen(url, timeout=30).read())
    except OSError as error:  # urllib.error.HTTPError and URLError included
        print(f"    {url}: {error}", flush=True)
        return 0


def measure(rows, args, name, url, mode, extra=None, query_count=None) -> dict:
    """One wrk run of ``url``, added to ``rows`` (a page is fetched once first)."""
    if not extra:
        body_size(url)  # warm
    result = wrk(url, args, extra)
    size = body_size(url) if not extra else 0
    row = {"page": name, "mode": mode, "queries": query_count, "size": size, **result}
    rows.append(row)
    print(
        f"  {name:22} {mode:26} {result['rps']:9.0f} req/s  p50 {result['p50']:6.1f} ms  "
        f"p99 {result['p99']:6.1f} ms",
        flush=True,
    )
    return row


def measure_newsroom(servers, paths, queries, busy, args, rows) -> None:
    def run(name, server, path, mode, extra=None, query_count=None):
        measure(rows, args, name, servers[server].url(path), mode, extra, query_count)

    print(
        f"Measuring ({args.db}{' + Redis' if args.redis else ''}, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {args.workers} gunicorn workers; "
        f"load average {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    run("transport: WSGI app", "wsgi", "/", "baseline")
    run("transport: bare Django", "django", "/bench/bare/", "baseline")
    for name, path in paths.items():
        run(name, "uncached", path, "uncached", query_count=queries[name])
    for name in ("post, 50 comments", "home"):
        if name in paths:
            run(name, "cold", paths[name], "cold (no fragments)")
    for name in ("post, 50 comments", "home"):
        if name in paths:
            run(name, "cached", paths[name], "cached", query_count=0)
    run(
        "comment POST",
        "uncached",
        f"/comments/post/{busy.pk}/",
        "uncached",
        extra=comment_post_env(busy.pk),
    )


def measure_wordpress(post, newsroom_html: bytes, args, rows) -> None:
    """WordPress's classic theme with the same post, uncached and behind
    nginx's FastCGI cache, and nginx serving Newsroom's page as a static file."""
    from bench import wordpress

    print("Setting up WordPress (Debian's, nginx + PHP-FPM, MariaDB) ...", flush=True)
    server, path = wordpress.start(
        article=post, workers=args.workers, static_html=newsroom_html, free_port=free_port
    )
    try:
        name = "post, 50 comments"
        measure(rows, args, name, server.url("wordpress", path), "WordPress (Twenty Twenty-One)")
        measure(rows, args, name, server.url("cache", path), "WordPress + nginx FastCGI cache")
        measure(rows, args, name, server.url("static", path), "nginx, static file")
    finally:
        server.stop()


VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def measure_varnish(env, path, args, rows) -> None:
    """The post page through varnishd running the shipped VCL, in front of a
    server configured to purge it (hits, after one miss)."""
    if not VCL.exists() or not shutil.which("varnishd"):
        print(f"  (no Varnish row: {VCL.relative_to(ROOT)} or varnishd is missing)")
        return
    port = free_port()
    backend = Server(
        "edge",
        {**env, "NEWSROOM_FRONTEND_CACHE_URLS": f"varnish://127.0.0.1:{port}",
         "NEWSROOM_TRUSTED_PROXIES": "1"},
        workers=args.workers,
    )  # fmt: skip
    try:
        through_varnish(backend, port, path, args, rows)
    finally:
        backend.stop()


# Run by ``purge_storm`` beside wrk, with the edge server's environment: edits
# the post once a second through article_save (which purges after commit), then
# reads the page through Varnish; a read without the new title is stale.
STORM_EDITOR = r"""
import json, sys, time, urllib.request
import django
django.setup()
from django.urls import resolve
from articles.models import Article
from articles.services import article_save

path, url, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
article = Article.objects.posts().get(slug=resolve(path).kwargs["slug"])
title, edits, stale, lags = article.title, 0, 0, []
deadline = time.monotonic() + seconds
try:
    while time.monotonic() < deadline:
        started = time.monotonic()
        edits += 1
        marker = f"[storm {edits}]"
        article.title = f"{title} {marker}"
        article_save(article=article)
        committed = time.monotonic()
        if marker not in urllib.request.urlopen(url, timeout=10).read().decode():
            stale += 1
        lags.append((time.monotonic() - committed) * 1000)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
finally:
    article.title = title
    article_save(article=article)
print("STORM " + json.dumps({"edits": edits, "stale_after_purge": stale, "max_read_ms": max(lags, default=0)}))
"""


def purge_storm(env, url, path, args, rows) -> None:
    """Readers through Varnish while the post is edited every second: after each
    edit's purge, the next read must show it; wrk counts any 5xx."""
    if not args.redis:
        # Without a shared cache each gunicorn worker keeps its own generations,
        # so the editor's bump cannot reach the server's page cache.
        print("  (no purge-storm row: it needs --redis)")
        return
    editor = subprocess.Popen(
        [PYTHON, "-c", STORM_EDITOR, path, url, str(args.duration)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    row = measure(rows, args, "post, 50 comments", url, "Varnish during a purge storm")
    output, _ = editor.communicate(timeout=args.duration + 60)
    match = re.search(r"STORM (\{.*\})", output or "")
    storm = json.loads(match.group(1)) if match else {"edits": 0, "stale_after_purge": None}
    row.update(storm)
    print(
        f"    {storm['edits']} edits, {storm['stale_after_purge']} stale reads after a purge, "
        f"{row['non2xx3xx']} non-2xx/3xx answers, {row['errors']} socket errors",
        flush=True,
    )


def through_varnish(backend, port, path, args, rows) -> None:
    workdir = DATA / "varnish"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    vcl = re.sub(r'\.port = "\d+";', f'.port = "{backend.port}";', VCL.read_text(), count=1)
    (workdir / "default.vcl").write_text(vcl)
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-n", str(workdir / "state"), "-f", str(workdir / "default.vcl"),
         "-a", f"127.0.0.1:{port}", "-s", "malloc,256m"],
        stdout=(workdir / "varnishd.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}{path}"
        deadline = time.monotonic() + 30
        while True:
            try:
                headers = urllib.request.urlopen(url, timeout=5).headers
                if headers.get("X-Varnish", "").count(" ") or time.monotonic() > deadline:
                    break  # two transaction ids: a hit
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.5)
        measure(rows, args, "post, 50 comments", url, "Newsroom through Varnish (hit)")
        purge_storm(backend.env, url, path, args, rows)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def ratio(rows, page, mode, other_page, other_mode) -> str:
    def rps(p, m):
        return next((r["rps"] for r in rows if r["page"] == p and r["mode"] == m), None)

    mine, theirs = rps(page, mode), rps(other_page, other_mode)
    return "n/a" if not mine or not theirs else f"{mine / theirs:.2f}×"


def summary(rows, memory) -> str:
    post = "post, 50 comments"
    lines = [
        f"- uncached post page ÷ WordPress classic theme (uncached): "
        f"{ratio(rows, post, 'uncached', post, 'WordPress (Twenty Twenty-One)')}",
        f"- cold post page (no fragments: the first reader after a change) ÷ WordPress: "
        f"{ratio(rows, post, 'cold (no fragments)', post, 'WordPress (Twenty Twenty-One)')}",
        f"- cached post page ÷ bare Django view: "
        f"{ratio(rows, post, 'cached', 'transport: bare Django', 'baseline')}",
        f"- Newsroom through Varnish (hit) ÷ nginx static file: "
        f"{ratio(rows, post, 'Newsroom through Varnish (hit)', post, 'nginx, static file')}",
        f"- WordPress + FastCGI cache ÷ nginx static file: "
        f"{ratio(rows, post, 'WordPress + nginx FastCGI cache', post, 'nginx, static file')}",
    ]
    storm = next((r for r in rows if r["mode"] == "Varnish during a purge storm"), None)
    if storm:
        lines.append(
            f"- purge storm through Varnish: {storm.get('edits')} edits, "
            f"{storm.get('stale_after_purge')} stale reads after a purge, "
            f"{storm['non2xx3xx']} non-2xx/3xx answers, {storm['rps']:.0f} req/s"
        )
    for name, peak in memory.items():
        if peak:
            lines.append(
                f"- peak RSS per gunicorn worker, {name} server: {peak['max_mb']:.0f} MB "
                f"(largest of {peak['workers']} workers)"
            )
    return "\n".join(lines)


def chart(rows, path: Path, title: str) -> bool:
    """requests/s per page and system as a PNG (matplotlib, installed on demand:
    a bench tool, not a project dependency)."""
    try:
        import matplotlib
    except ImportError:
        print("Installing matplotlib for the chart ...", flush=True)
        done = subprocess.run([PYTHON, "-m", "pip", "install", "-q", "matplotlib"])
        if done.returncode:
            print("  no chart: matplotlib could not be installed")
            return False
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['page']} — {r['mode']}" for r in rows]
    values = [r["rps"] for r in rows]
    figure, axes = plt.subplots(figsize=(10, 0.32 * len(rows) + 1.5))
    bars = axes.barh(range(len(rows)), values, color="#3b6ea5")
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("requests/s (log scale)")
    axes.set_title(title, fontsize=10)
    axes.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=7, padding=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def report(rows, args, memory=None):
    bare = next(r["rps"] for r in rows if r["page"] == "transport: bare Django")
    wsgi = next(r["rps"] for r in rows if r["page"] == "transport: WSGI app")
    for row in rows:
        row["ratio_to_bare_django"] = row["rps"] / bare
        row["ratio_to_wsgi"] = row["rps"] / wsgi
    header = "| page | mode | req/s | p50 ms | p95 ms | p99 ms | queries | bytes | errors | × bare Django | × WSGI |"
    lines = [header, "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['mode']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
            f"{'' if r['queries'] is None else r['queries']} | {r['size']} | {r['errors'] + r['non2xx3xx']} | "
            f"{r['ratio_to_bare_django']:.2f} | {r['ratio_to_wsgi']:.2f} |"
        )
    table = "\n".join(lines)
    print()
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    label = f"{args.db}{'-redis' if args.redis else ''}-{args.articles}a-{args.comments}c"
    meta = {
        "database": args.db, "redis": args.redis, "articles": args.articles, "comments": args.comments,
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s", "gunicorn_workers": args.workers,
        "cpus": os.cpu_count(), "when": stamp,
    }  # fmt: skip
    meta["load_average_at_end"] = round(os.getloadavg()[0], 2)
    meta["peak_rss_per_worker_mb"] = memory or {}
    (RESULTS / f"{label}-{stamp}.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2)
    )
    png = RESULTS / f"{label}-{stamp}.png"
    drawn = chart(rows, png, f"Newsroom {label}, {stamp}: requests/s, wrk -c{args.connections}")
    md = (
        f"# Benchmark {label} ({stamp})\n\n`{' '.join(sys.argv)}`\n\n{json.dumps(meta)}\n\n"
        f"{table}\n\n{summary(rows, memory or {})}\n"
        + (f"\n![requests/s per page and system]({png.name})\n" if drawn else "")
    )
    (RESULTS / f"{label}-{stamp}.md").write_text(md)
    (RESULTS / f"latest-{label}.md").write_text(md)
    print(summary(rows, memory or {}))
    print(f"\nWritten to bench/results/{label}-{stamp}.{{json,md,png}}")


if __name__ == "__main__":
    main()
