"""Benchmark ``fetch_sources``: 200 feeds of 50 items from loopback servers (not a test).

    .venv/bin/python bench/fetch_sources.py [--feeds 200] [--items 50] [--latency 0.0]
                                            [--workers 8] [--servers 4]

Serves RSS 2.0 feeds (as WordPress writes them: ``tests/feeds.py``) from
``--servers`` threaded HTTP servers on 127.0.0.1, each answer held back
``--latency`` seconds as a distant server would, and runs three fetches of
every source through ``wire.services.sources_fetch``:

1. first: every item is new (feeds × items rows written);
2. again, feeds changed-looking (no ETag sent): every item parsed, none new;
3. conditional: the servers answer 304 Not Modified to the ETag.

Prints seconds and items per second for each and writes them as JSON to
``bench/results/fetch_sources-<database>-<time>.json``. The database is a
throwaway SQLite file, or ``DATABASE_URL`` when set (it is migrated; use a
database of its own).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup_django(workdir: Path) -> str:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["NEWSROOM_FETCH_ALLOW_LOOPBACK"] = "1"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "postgres" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"


def serve_feeds(stack: ExitStack, args) -> list[str]:
    from tests.feeds import rss2, story
    from tests.web_server import WebServer

    servers = [stack.enter_context(WebServer()) for _ in range(args.servers)]
    urls = []
    for feed in range(args.feeds):
        server = servers[feed % len(servers)]
        site = f"https://source{feed}.example"
        entries = [story(feed * args.items + n, site=site) for n in range(args.items)]
        urls.append(
            server.add(
                f"/feed/{feed}/",
                body=rss2(entries, title=f"Source {feed}"),
                content_type="application/rss+xml; charset=UTF-8",
                etag=f'"feed-{feed}"',
                delay=args.latency,
            )
        )
    return urls


def timed_run(label: str, items: int, workers: int) -> dict:
    from wire.services import sources_fetch

    report = sources_fetch(force=True, workers=workers)
    result = {
        "run": label,
        "seconds": round(report.seconds, 2),
        "feeds": report.sources,
        "read": report.read,
        "not_modified": report.not_modified,
        "failed": report.failed,
        "new_items": report.new_items,
        "items_per_second": round(items / report.seconds, 1),
    }
    print(
        f"{label:<12} {report.seconds:6.2f} s  {result['items_per_second']:8.1f} items/s  "
        f"read {report.read}, 304 {report.not_modified}, failed {report.failed}, "
        f"new items {report.new_items}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--servers", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-fetch-bench-"))
    database = setup_django(workdir)
    from articles.models import Source
    from wire.models import FeedState

    # A database of its own, but a run cut short may have left its sources there.
    Source.objects.filter(slug__startswith="bench-").delete()
    with ExitStack() as stack:
        urls = serve_feeds(stack, args)
        Source.objects.bulk_create(
            [Source(name=f"Bench source {n}", slug=f"bench-{n}", feed_url=url)
             for n, url in enumerate(urls)]
        )  # fmt: skip
        total = args.feeds * args.items
        print(f"{args.feeds} feeds × {args.items} items, {args.workers} workers, "
              f"{args.latency:g} s latency, {database}")  # fmt: skip
        runs = [timed_run("first", total, args.workers)]
        FeedState.objects.update(etag="")  # no conditional GET: parse everything again
        runs.append(timed_run("again", total, args.workers))
        runs.append(timed_run("conditional", total, args.workers))
    Source.objects.filter(slug__startswith="bench-").delete()
    results = {"feeds": args.feeds, "items": args.items, "latency": args.latency,
               "workers": args.workers, "database": database, "runs": runs}  # fmt: skip
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = PROJECT_DIR / "bench" / "results" / f"fetch_sources-{database}-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))
    print(f"Written to {out.relative_to(PROJECT_DIR)}")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
