"""WordPress imports for tests: small exports written on the spot, and what
an import made, looked up by the export's own IDs."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from articles.models import Article
from comments.models import Comment
from wordpress.models import ImportedItem

# WordPress's own theme unit test export, kept in ../shared (see its README).
THEME_EXPORT = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "wordpress"
    / "themeunittestdata.wordpress.xml"
)


def wp_article(post_id: int) -> Article:
    """The article imported from the post ``post_id``."""
    item = ImportedItem.objects.get(kind=ImportedItem.Kind.POST, wp_id=str(post_id))
    return Article.objects.get(pk=item.object_id)


def wp_comment(comment_id: int) -> Comment:
    """The comment imported from the export's comment ``comment_id``."""
    item = ImportedItem.objects.get(kind=ImportedItem.Kind.COMMENT, wp_id=str(comment_id))
    return Comment.objects.get(pk=item.object_id)


def run_import(path, *args) -> str:
    """Run ``import_wordpress`` on the export at ``path``; return its report."""
    out = StringIO()
    call_command("import_wordpress", str(path), *map(str, args), stdout=out)
    return out.getvalue()


def post_xml(
    post_id: int,
    slug: str,
    *,
    link: str | None = None,
    status: str = "publish",
    date: str = "2024-08-01 09:00:00",
    sticky: bool = False,
    comments: str = "",
) -> str:
    """One WXR ``<item>``: a post by ``eleni`` whose old address was ``link``
    (``/<slug>/`` unless given) on ``old.example``; ``comments`` is WXR too."""
    return f"""
    <item>
        <title>Post {post_id}</title>
        <link>https://old.example{link or f"/{slug}/"}</link>
        <dc:creator><![CDATA[eleni]]></dc:creator>
        <content:encoded><![CDATA[The body of post {post_id}.]]></content:encoded>
        <excerpt:encoded><![CDATA[]]></excerpt:encoded>
        <wp:post_id>{post_id}</wp:post_id>
        <wp:post_date_gmt>{date}</wp:post_date_gmt>
        <wp:comment_status>open</wp:comment_status>
        <wp:post_name>{slug}</wp:post_name>
        <wp:status>{status}</wp:status>
        <wp:post_type>post</wp:post_type>
        <wp:post_password></wp:post_password>
        <wp:is_sticky>{int(sticky)}</wp:is_sticky>{comments}
    </item>"""


def page_xml(page_id: int, slug: str, *, parent: int = 0, link: str | None = None) -> str:
    """One WXR ``<item>``: a published page by ``eleni`` under page ``parent``,
    whose old address was ``link`` (``/<slug>/`` unless given)."""
    return f"""
    <item>
        <title>Page {page_id}</title>
        <link>https://old.example{link or f"/{slug}/"}</link>
        <dc:creator><![CDATA[eleni]]></dc:creator>
        <content:encoded><![CDATA[The text of page {page_id}.]]></content:encoded>
        <wp:post_id>{page_id}</wp:post_id>
        <wp:post_date_gmt>2024-08-01 09:00:00</wp:post_date_gmt>
        <wp:comment_status>open</wp:comment_status>
        <wp:post_name>{slug}</wp:post_name>
        <wp:status>publish</wp:status>
        <wp:post_parent>{parent}</wp:post_parent>
        <wp:menu_order>0</wp:menu_order>
        <wp:post_type>page</wp:post_type>
    </item>"""


def import_posts(tmp_path, *posts: str) -> str:
    """Import a WXR 1.2 file holding ``posts``; return the command's report."""
    path = tmp_path / "export.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
    <title>Old Dispatch</title>
    <wp:wxr_version>1.2</wp:wxr_version>
    <wp:author><wp:author_id>7</wp:author_id><wp:author_login>eleni</wp:author_login></wp:author>
    {"".join(posts)}
</channel>
</rss>""",
        encoding="utf-8",
    )
    return run_import(path)


def table_row(report: str, kind: str) -> tuple[int, int, int, int]:
    """The ``created, updated, unchanged, skipped`` counts of ``kind``
    (``posts``, ``comments``, ``total`` …) in an import's end-of-run table."""
    for line in report.splitlines():
        *name, created, updated, unchanged, skipped = line.split() or [""] * 5
        numbers = (created, updated, unchanged, skipped)
        if " ".join(name) == kind and all(n.isdigit() for n in numbers):
            return tuple(int(n) for n in numbers)
    raise AssertionError(f"no {kind!r} row in the import table:\n{report}")


def reported_about(report: str, title: str) -> list[str]:
    """What an import's report lists under the post titled ``title``."""
    found, inside = [], False
    for line in report.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            inside = f"“{title}”" in line
        elif inside and line.startswith("    - "):
            found.append(line.removeprefix("    - "))
    return found
