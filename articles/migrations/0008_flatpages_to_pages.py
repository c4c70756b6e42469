"""Every flat page (django.contrib.flatpages) becomes a published page at the
same address, and the flat page is removed: the site has one kind of page.

The privacy page (comments/migrations/0002 and 0007) is the one flat page the
project made; a site owner may have added others. A flat page needing login
becomes a draft page (not public). A flat page nested under an address that no
flat page has (``/a/b/`` without ``/a/``) gets a draft parent page, so its
address stays the same. Flat pages had no author; neither have these pages.

Backwards, the pages made here (the pages without an author) become flat pages again.
"""

from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

from articles.html import excerpt_from_html, sanitize_html


def _segments(url: str) -> list[str]:
    return [
        slugify(part, allow_unicode=True) or "page"
        for part in url.strip("/").split("/")
        if part
    ]


def flatpages_to_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Article = apps.get_model("articles", "Article")
    flat_pages = sorted(FlatPage.objects.all(), key=lambda page: page.url.count("/"))
    for flat in flat_pages:
        segments = _segments(flat.url)
        if not segments:
            continue  # the site's root: the home page answers it
        parent = _parent(Article, segments[:-1])
        path = "/".join(segments)
        body = sanitize_html(flat.content)
        Article.objects.update_or_create(
            kind="page",
            path=path,
            defaults={
                "title": flat.title[:300],
                "slug": segments[-1],
                "parent": parent,
                "body": body,
                "summary": excerpt_from_html(body),
                "status": "draft" if flat.registration_required else "published",
                "publish_at": timezone.now(),
                "comments_enabled": flat.enable_comments,
            },
        )
    FlatPage.objects.filter(pk__in=[page.pk for page in flat_pages]).delete()


def _parent(Article, segments: list[str]):
    """The page at ``segments``, made (as a draft) where there is none."""
    parent = None
    for depth in range(1, len(segments) + 1):
        path = "/".join(segments[:depth])
        parent, _ = Article.objects.get_or_create(
            kind="page",
            path=path,
            defaults={
                "title": segments[depth - 1].replace("-", " ").capitalize(),
                "slug": segments[depth - 1],
                "parent": parent,
                "status": "draft",
                "publish_at": timezone.now(),
            },
        )
    return parent


def pages_to_flatpages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Article = apps.get_model("articles", "Article")
    Site = apps.get_model("sites", "Site")
    sites = list(Site.objects.all()[:1])
    made = Article.objects.filter(kind="page", author__isnull=True).order_by("-path")
    for page in made:
        flat, _ = FlatPage.objects.update_or_create(
            url=f"/{page.path}/",
            defaults={
                "title": page.title[:200],
                "content": page.body,
                "enable_comments": page.comments_enabled,
                "registration_required": page.status != "published",
            },
        )
        flat.sites.add(*sites)
        page.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_pages"),
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
        # The privacy page's final text.
        ("comments", "0007_commenter_proofs_and_visitor_network"),
    ]

    operations = [migrations.RunPython(flatpages_to_pages, pages_to_flatpages)]
