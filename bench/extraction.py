"""Measure article-body extraction on real pages: trafilatura against readability-lxml.

    .venv/bin/python bench/extraction.py --dataset DIR [--limit N] [--json]

DIR is a copy of Scrapinghub's article extraction benchmark
(github.com/scrapinghub/article-extraction-benchmark, MIT): ``html/<id>.html.gz``
(181 news and blog pages saved in 2019) and ``ground-truth.json`` (each page's
``articleBody``, written by people). Without ``--dataset``,
``../shared/data/article-extraction-benchmark`` is used when it is there.

Each library gets each page and its URL; its body HTML goes through the one
sanitiser and ``articles.html.html_to_text``, the same for both, and is compared
with the ground truth as bags of lower-cased word tokens:

- **recall**: share of the ground-truth body's tokens recovered;
- **precision**: share of the extracted tokens that are in the body;
- **boilerplate kept**: 1 − precision (menus, captions, "read more", footers);
- **F1**, and **empty**: pages where the library returned nothing;
- **ms per page**: median and 95th percentile, one process, one core.

trafilatura is asked exactly as ``wire.extraction`` asks it
(``TRAFILATURA_OPTIONS``); readability-lxml as its README shows
(``Document(html, url=…).summary(html_partial=True)``). A third row is
``wire.extraction.extract_article`` itself (trafilatura less the headline and
paywall boxes; a page with under 20 words of text counts as empty).
Prints a table (or JSON with ``--json``), and the per-page figures with ``--pages``.
"""

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATASET = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


def main(argv=None) -> dict:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    import django

    django.setup()
    pages = load_pages(args.dataset, args.limit)
    extractors = {
        "trafilatura": trafilatura_body,
        "readability-lxml": readability_body,
        "wire.extraction": newsroom_body,
    }
    figures = {
        "dataset": str(args.dataset),
        "pages": len(pages),
        "versions": versions(),
        "results": {name: measure(extract, pages) for name, extract in extractors.items()},
    }
    if not args.pages:
        for result in figures["results"].values():
            result.pop("per_page")
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    return figures


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--limit", type=int, default=None, help="the first N pages only")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pages", action="store_true", help="per-page figures too")
    args = parser.parse_args(argv)
    if not (args.dataset / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json in {args.dataset} (see the module docstring)")
    return args


def load_pages(dataset: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """``(id, url, html, ground-truth body)`` for each page, in id order."""
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((dataset / "html" / f"{page_id}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        pages.append((page_id, truth[page_id]["url"], html, truth[page_id]["articleBody"]))
    return pages


def trafilatura_body(html: str, url: str) -> str:
    import trafilatura

    from wire.extraction import TRAFILATURA_OPTIONS

    return trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS) or ""


def newsroom_body(html: str, url: str) -> str:
    """What reposting keeps: trafilatura, less the headline and paywall boxes, sanitised."""
    from wire.extraction import ExtractionFailed, extract_article

    try:
        return extract_article(html, url=url).body_html
    except ExtractionFailed:
        return ""


def readability_body(html: str, url: str) -> str:
    from readability import Document

    return Document(html, url=url).summary(html_partial=True) or ""


def measure(extract, pages) -> dict:
    from articles.html import html_to_text, sanitize_html

    per_page, seconds = [], []
    for page_id, url, html, truth in pages:
        started = time.perf_counter()
        try:
            body = extract(html, url)
        except Exception as error:  # a library crash is a page it failed, not the bench's end
            body = ""
            print(f"{extract.__name__} {page_id}: {error!r}", file=sys.stderr)
        seconds.append(time.perf_counter() - started)
        per_page.append({"id": page_id, **score(html_to_text(sanitize_html(body)), truth)})
    return {
        "recall": _mean(per_page, "recall"),
        "precision": _mean(per_page, "precision"),
        "f1": _mean(per_page, "f1"),
        "boilerplate_kept": round(1 - _mean(per_page, "precision"), 3),
        "empty": sum(1 for page in per_page if page["extracted_tokens"] == 0),
        "ms_per_page_median": round(statistics.median(seconds) * 1000, 1),
        "ms_per_page_p95": round(statistics.quantiles(seconds, n=20)[-1] * 1000, 1),
        "per_page": per_page,
    }


def score(extracted: str, truth: str) -> dict:
    got, want = _tokens(extracted), _tokens(truth)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "extracted_tokens": sum(got.values()),
        "truth_tokens": sum(want.values()),
    }


def _tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(text.lower()))


def _mean(pages: list[dict], key: str) -> float:
    return round(statistics.fmean(page[key] for page in pages), 3)


def versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("trafilatura", "readability-lxml", "lxml")}


def table(figures: dict) -> str:
    columns = ("recall", "precision", "f1", "boilerplate_kept", "empty")
    columns += ("ms_per_page_median", "ms_per_page_p95")
    lines = [
        f"{figures['pages']} pages from {figures['dataset']}",
        ", ".join(f"{name} {version}" for name, version in figures["versions"].items()),
        "",
        f"{'library':<18}" + "".join(f"{column:>20}" for column in columns),
    ]
    for name, result in figures["results"].items():
        lines.append(f"{name:<18}" + "".join(f"{result[column]:>20}" for column in columns))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
