"""Benchmark ``import_wordpress`` on a synthetic export (not a test).

    .venv/bin/python bench/import_wordpress.py [--posts 10000] [--comments 100000] [--keep]

Writes a WXR 1.2 file of N posts and M comments (streamed, to a temporary
folder), imports it into a throwaway SQLite database and prints the import's
seconds and the process's peak memory (``ru_maxrss``). Posts carry paragraphs,
``<!--more-->``, captions, galleries, source lines, categories in a hierarchy
and tags; comments are threaded up to five deep, with pingbacks and every
moderation status. Memory should not grow with the file: compare
``--posts 2000 --comments 20000`` with the defaults.
"""

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

PROJECT_DIR = Path(__file__).resolve().parent.parent

WORDS = [
    "government",
    "minister",
    "border",
    "security",
    "forces",
    "report",
    "officials",
    "said",
    "week",
    "city",
    "region",
    "economy",
    "market",
    "energy",
    "prices",
    "talks",
    "agreement",
    "council",
    "water",
    "farmers",
    "election",
    "court",
    "ruling",
    "protest",
    "workers",
    "union",
    "strike",
    "budget",
    "hospital",
    "school",
    "road",
    "bridge",
    "river",
    "harbour",
    "festival",
    "museum",
    "history",
    "village",
    "coast",
    "island",
]
STATUSES = ["1"] * 14 + ["0", "spam", "trash"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 5)))


def write_wxr(path: Path, posts: int, comments: int, seed: int = 1) -> None:
    """Stream a synthetic WXR 1.2 export to ``path``."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    authors = [f"writer{i}" for i in range(20)]
    categories = [f"section-{i}" for i in range(60)]
    tags = [f"topic-{i}" for i in range(500)]
    attachments_per_post = 0.1
    with open(path, "w", encoding="utf-8") as out:
        w = out.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w(
            '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        )
        w("<title>Synthetic News</title>\n<link>https://news.example</link>\n")
        w("<wp:wxr_version>1.2</wp:wxr_version>\n")
        w("<wp:base_blog_url>https://news.example</wp:base_blog_url>\n")
        for i, login in enumerate(authors, start=1):
            w(
                f"<wp:author><wp:author_id>{i}</wp:author_id>"
                f"<wp:author_login>{login}</wp:author_login>"
                f"<wp:author_email>{login}@news.example</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Writer {i}')}</wp:author_display_name>"
                "</wp:author>\n"
            )
        # Children first: the importer resolves parents at the end.
        for i, slug in reversed(list(enumerate(categories))):
            parent = categories[i // 6] if i >= 10 else ""
            w(
                f"<wp:category><wp:term_id>{1000 + i}</wp:term_id>"
                f"<wp:category_nicename>{slug}</wp:category_nicename>"
                f"<wp:category_parent>{parent}</wp:category_parent>"
                f"<wp:cat_name>{cdata(slug.replace('-', ' ').title())}</wp:cat_name></wp:category>\n"
            )
        for i, slug in enumerate(tags):
            w(
                f"<wp:tag><wp:term_id>{5000 + i}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(slug.replace('-', ' '))}</wp:tag_name></wp:tag>\n"
            )

        comment_id = 0
        per_post, extra = divmod(comments, posts) if posts else (0, 0)
        next_id = 100
        for n in range(posts):
            post_id = next_id
            next_id += 10
            published = start + timedelta(minutes=53 * n)
            slug = f"story-{n}-{rng.choice(WORDS)}"
            title = sentence(rng, rng.randint(5, 10))[:-1]
            body = []
            if n % 7 == 0:
                body.append(f"Northern Dispatch | {published:%B} {published.day}, {published.year}")
            body.extend(paragraph(rng) for _ in range(rng.randint(3, 7)))
            if n % 3 == 0:
                body.insert(2, "<!--more-->")
            gallery_ids = []
            if rng.random() < attachments_per_post:
                gallery_ids = [str(post_id + k) for k in (1, 2)]
                body.insert(
                    1,
                    f'[caption id="attachment_{post_id + 1}" width="600"]'
                    f'<img src="https://news.example/wp-content/uploads/{published:%Y/%m}/'
                    f'photo-{n}.jpg" alt="" /> A caption[/caption]',
                )
                body.append(f'[gallery ids="{",".join(gallery_ids)}"]')
            link = (
                f"https://news.example/{published:%Y/%m/%d}/{slug}/"
                if n % 10
                else f"https://news.example/archives/{post_id}"
            )
            w("<item>\n")
            w(f"<title>{escape(title)}</title>\n<link>{link}</link>\n")
            w(f"<dc:creator>{cdata(rng.choice(authors))}</dc:creator>\n")
            w(f"<content:encoded>{cdata(chr(10).join(chunk + chr(10) for chunk in body))}")
            w("</content:encoded>\n<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n")
            w(f"<wp:post_id>{post_id}</wp:post_id>\n")
            w(f"<wp:post_date>{published:%Y-%m-%d %H:%M:%S}</wp:post_date>\n")
            w(f"<wp:post_date_gmt>{published:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>\n")
            w("<wp:comment_status>open</wp:comment_status><wp:ping_status>open</wp:ping_status>\n")
            w(f"<wp:post_name>{slug}</wp:post_name>\n")
            status = "draft" if n % 50 == 0 else "publish"
            w(f"<wp:status>{status}</wp:status><wp:post_parent>0</wp:post_parent>\n")
            w("<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type>\n")
            w("<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>\n")
            for cat in rng.sample(categories, rng.randint(1, 3)):
                w(f'<category domain="category" nicename="{cat}">{cdata(cat)}</category>\n')
            for tag in rng.sample(tags, rng.randint(0, 5)):
                w(f'<category domain="post_tag" nicename="{tag}">{cdata(tag)}</category>\n')
            w("<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key>")
            w("<wp:meta_value>1</wp:meta_value></wp:postmeta>\n")
            count = per_post + (1 if n < extra else 0)
            first = comment_id + 1
            for k in range(count):
                comment_id += 1
                parent = comment_id - 1 if k % 5 and k else 0  # threads five deep
                kind = "pingback" if k == 3 else ""
                when = published + timedelta(hours=k + 1)
                w(
                    "<wp:comment>"
                    f"<wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(f'Reader {comment_id % 997}')}</wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id % 997}@mail.example"
                    "</wp:comment_author_email>"
                    "<wp:comment_author_url>https://blog.example/</wp:comment_author_url>"
                    f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date>"
                    f"<wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(paragraph(rng))}</wp:comment_content>"
                    f"<wp:comment_approved>{rng.choice(STATUSES)}</wp:comment_approved>"
                    f"<wp:comment_type>{kind}</wp:comment_type>"
                    f"<wp:comment_parent>{parent if parent >= first else 0}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id>"
                    "</wp:comment>\n"
                )
            w("</item>\n")
            for k, attachment_id in enumerate(gallery_ids, start=1):
                w(
                    f"<item><title>Photo {n}-{k}</title><wp:post_id>{attachment_id}</wp:post_id>"
                    f"<wp:post_parent>{post_id}</wp:post_parent>"
                    "<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
                    f"<wp:attachment_url>https://news.example/wp-content/uploads/"
                    f"{published:%Y/%m}/photo-{n}-{k}.jpg</wp:attachment_url>"
                    "<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
                    f"<wp:meta_value>{published:%Y/%m}/photo-{n}-{k}.jpg</wp:meta_value>"
                    "</wp:postmeta></item>\n"
                )
            if n % 100 == 0:
                w(
                    f"<item><title>About</title><wp:post_id>{post_id + 5}</wp:post_id>"
                    "<wp:post_type>page</wp:post_type><wp:status>publish</wp:status></item>\n"
                )
        w("</channel>\n</rss>\n")


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the export and database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-wxr-bench-"))
    export = workdir / "export.xml"
    database = workdir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    sys.path.insert(0, str(PROJECT_DIR))

    started = time.perf_counter()
    write_wxr(export, args.posts, args.comments)
    size = export.stat().st_size / (1024 * 1024)
    print(f"Export: {args.posts:,} posts, {args.comments:,} comments, {size:.0f} MB, "
          f"written in {time.perf_counter() - started:.1f}s")  # fmt: skip

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    before = peak_mb()

    out = StringIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    call_command("import_wordpress", str(export), stdout=out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    summary = out.getvalue().splitlines()
    print("\n".join(line for line in summary if not line.startswith("  - ")))
    print(f"Import: {seconds:.1f}s ({cpu:.1f}s of CPU)")
    print(f"Peak memory: {peak_mb():.0f} MB (before the import: {before:.0f} MB)")

    if args.keep:
        print(f"Kept in {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
