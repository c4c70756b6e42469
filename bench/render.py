"""CPU cost of rendering a page, in this process: no HTTP, no page cache.

    .venv/bin/python bench/render.py                       # SQLite
    .venv/bin/python bench/render.py --db postgres --redis
    .venv/bin/python bench/render.py --profile "post, 50 comments"   # where the time goes

Each page is requested through Django's test client (the whole middleware
stack and URLconf, as gunicorn would run it) with the anonymous page cache off,
``--renders`` times; the figure is the median of ``time.process_time()`` per
render: CPU time, so it holds on a machine other processes share. Two states:

* **warm** — fragments (sidebar, comment thread, per-article HTML) in the cache,
  as on a busy site where only the page cache missed;
* **cold** — ``NEWSROOM_FRAGMENT_CACHE`` off, so every fragment is built: the
  cost of the first reader after a change.

``--profile`` prints a cProfile summary of one page (warm and cold), with how
many times ``reverse()`` and template variable look-ups ran per render.

The site is built by ``bench/run.py``'s ``build_site`` (``generate_demo``, kept
under bench/.data). Results are printed and written to bench/results/render-*.md.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, base_env, build_site  # noqa: E402


def page_paths() -> dict[str, str]:
    from articles.models import Article, Category

    return {
        "post, 50 comments": Article.objects.get(slug="demo-fifty-comments").get_absolute_url(),
        "post, no comments": Article.objects.get(slug="demo-no-comments").get_absolute_url(),
        "home": "/",
        "category": Category.objects.get(slug="demo-section-1").get_absolute_url(),
    }


def fragments(enabled: bool):
    from django.test import override_settings

    return override_settings(NEWSROOM_FRAGMENT_CACHE=enabled, NEWSROOM_PAGE_CACHE_SECONDS=0)


def render_once(client, path: str) -> float:
    started = time.process_time()
    response = client.get(path)
    elapsed = time.process_time() - started
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}")
    return elapsed


def cpu_ms(client, path: str, renders: int) -> float:
    render_once(client, path)  # templates compiled, fragments built
    return statistics.median(render_once(client, path) for _ in range(renders)) * 1000


def measure(paths: dict[str, str], renders: int) -> list[dict]:
    from django.test import Client

    client = Client()
    rows = []
    for name, path in paths.items():
        for state, enabled in (("warm", True), ("cold", False)):
            with fragments(enabled):
                ms = cpu_ms(client, path, renders)
            rows.append({"page": name, "fragments": state, "cpu_ms": ms})
            print(f"  {name:20} {state:5} {ms:7.2f} ms CPU per render", flush=True)
    return rows


def profile(path: str, renders: int) -> None:
    """cProfile of ``renders`` renders, warm then cold, with the calls that say
    what a page costs: URL reversing and template variable look-ups."""
    from django.test import Client

    client = Client()
    for state, enabled in (("warm", True), ("cold", False)):
        with fragments(enabled):
            client.get(path)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(renders):
                client.get(path)
            profiler.disable()
        stats = pstats.Stats(profiler, stream=(out := io.StringIO()))
        counted = {"reverse": 0, "_resolve_lookup": 0, "render_annotated": 0}
        for (filename, _, function), (_, calls, *_) in stats.stats.items():
            if function == "reverse" and filename.endswith(os.path.join("urls", "base.py")):
                counted["reverse"] += calls
            elif function in ("_resolve_lookup", "render_annotated") and "template" in filename:
                counted[function] += calls
        per_render = ", ".join(f"{k} {v / renders:.0f}" for k, v in counted.items())
        print(f"\n== {path} ({state} fragments), per render: {per_render}")
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())


def write_report(rows: list[dict], args) -> None:
    label = f"render-{args.db}{'-redis' if args.redis else ''}"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = ["| page | fragments | CPU ms per render (median) |", "|---|---|---|"]
    lines += [f"| {r['page']} | {r['fragments']} | {r['cpu_ms']:.2f} |" for r in rows]
    load = os.getloadavg()
    md = (
        f"# Render cost, {label} ({stamp})\n\n`{' '.join(sys.argv)}`\n\n"
        f"{args.renders} renders per row after one warm-up; load average {load[0]:.2f} "
        f"(CPU time per render does not count other processes' time).\n\n" + "\n".join(lines) + "\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{label}-{stamp}.md").write_text(md)
    print(f"\nWritten to bench/results/{label}-{stamp}.md")


def main():
    parser = argparse.ArgumentParser(description="CPU per uncached render")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis", action="store_true", help="Redis as the fragment cache")
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--fresh", action="store_true", help="rebuild the site")
    parser.add_argument("--profile", metavar="PAGE", help="profile one page instead")
    args = parser.parse_args()

    env = base_env(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    build_site(args, env)

    import django

    django.setup()
    paths = page_paths()
    if args.profile:
        return profile(paths[args.profile], args.renders)
    print(f"CPU per render ({args.db}{' + Redis' if args.redis else ''}, median of {args.renders})")
    write_report(measure(paths, args.renders), args)


if __name__ == "__main__":
    main()
