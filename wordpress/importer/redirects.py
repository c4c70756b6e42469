"""The old addresses of imported posts and pages, kept as ``OldLink`` rows so
links to the WordPress site (and to earlier imports) still reach them.

``wordpress.middleware`` follows an old link when Newsroom has no page at its
path (a 404), and also in place of the article page's own guess (a post
address whose slug is another article's, at another date): an exact old
permalink wins wherever it breaks no Newsroom page. Where a Newsroom page does
answer the path (``/search/``, ``/feed/``, ``/category/x/``, ``/2024/``…),
the page stays and the import reports the old link as shadowed, naming what
answers it (``shadowed_by``). A page answers at its old path itself when that
path is its address; when one of Newsroom's own addresses is the page's
address (a page ``search``), that is reported too: editors give it another slug.

Called by ``posts`` for each batch of written posts.
"""

from urllib.parse import unquote

from django.urls import Resolver404, resolve

from articles.models import PAGE_VIEW, Article, page_address_taken
from wordpress.importer.records import CREATED, UNCHANGED, UPDATED, chunks, old_path
from wordpress.importer.state import ImportState
from wordpress.models import OldLink

# Newsroom's post page: it answers a path only when an article has that slug
# and date; otherwise it answers 404 (the old link is followed) or a redirect
# the middleware replaces with the exact old link.
ARTICLE_PAGE = "articles:detail"

OLD_LINK_MAX_LENGTH = OldLink._meta.get_field("path").max_length


def record_old_links(state: ImportState, plans: list) -> None:
    """Old addresses → the articles of ``plans`` (``posts.PostPlan``): the
    WordPress permalink and the Newsroom address after the last import, when
    they differ from the article's address now. Recorded whatever the
    article's status: ``wordpress.middleware`` follows one only while its
    article is published, so a draft or scheduled post's link starts working
    when it goes live, with no new import."""
    wanted: dict[str, int] = {}
    labels: dict[str, str] = {}
    for plan in plans:
        article = plan.article
        new_path = article.get_absolute_url()
        if article.is_page and (answered_by := page_address_taken(article.path)):
            state.report(
                f"{plan.label}: its address {new_path} is answered by Newsroom's "
                f"{answered_by} page, not by the page; give the page another slug"
            )
        old = old_path(plan.post.link)
        previous = plan.data.get("url")  # its Newsroom address after the last import
        plan.data["url"] = new_path
        for path in (old, previous):
            if path and path != new_path:
                if len(path) > OLD_LINK_MAX_LENGTH:
                    state.report(f"{plan.label}: old address too long to redirect: {path}")
                else:
                    wanted[path] = article.pk
                    labels[path] = plan.label
    if wanted:
        _write_old_links(state, wanted)
        _report_shadowed(state, wanted, labels)
    _report_links_pages_take(state, plans)


def _report_links_pages_take(state: ImportState, plans: list) -> None:
    """Report the old links of other articles that a page of ``plans`` now
    answers itself (a post's old ``/about/`` when the page is at ``/about/``)."""
    pages = {p.article.get_absolute_url(): p for p in plans if p.article.is_page}
    taken = OldLink.objects.filter(path__in=list(pages)).exclude(
        article_id__in=[p.article.pk for p in pages.values()]
    )
    for link in taken:
        state.report(
            f"{pages[link.path].label}: answers {link.path}, the old address of "
            f"article {link.article_id}, which no longer redirects there"
        )


def _report_shadowed(state: ImportState, wanted: dict[str, int], labels: dict[str, str]) -> None:
    """Report each old link a Newsroom page answers instead (the link is
    kept: it is followed should that page ever answer 404)."""
    for path, answer in shadowed_by(wanted).items():
        state.report(
            f"{labels[path]}: old address {path} is answered by {answer}, "
            "not redirected to the article; a Newsroom page keeps its address"
        )


def shadowed_by(links: dict[str, int]) -> dict[str, str]:
    """The old paths of ``links`` (path → article pk) that a Newsroom page
    answers, each with what answers it. A post page, or a page's address,
    shadows a path only when another article or page is at exactly that
    address (one query each for all)."""
    answers: dict[str, str] = {}
    post_pages: dict[str, str] = {}  # path → the slug it names
    page_paths: dict[str, str] = {}  # path → the page path it names
    for path in links:
        try:
            match = resolve(unquote(path))
        except Resolver404:
            continue
        if match.view_name == ARTICLE_PAGE:
            post_pages[path] = match.kwargs["slug"]
        elif match.view_name == PAGE_VIEW:
            page_paths[path] = match.kwargs["path"]
        else:
            answers[path] = f"Newsroom's {match.view_name} page (/{match.route})"
    answers.update(_shadowing_pages(links, page_paths))
    by_slug: dict[str, Article] = {}
    for chunk in chunks(sorted(set(post_pages.values()))):
        query = Article.objects.filter(slug__in=chunk).only("kind", "title", "slug", "publish_at")
        by_slug.update((article.slug, article) for article in query)
    for path, slug in post_pages.items():
        other = by_slug.get(slug)
        if other is not None and other.pk != links[path] and other.get_absolute_url() == path:
            answers[path] = f"the article {other.title!r} (Newsroom's page at that address)"
    return answers


def _shadowing_pages(links: dict[str, int], page_paths: dict[str, str]) -> dict[str, str]:
    """The old paths of ``page_paths`` that are another page's address."""
    by_path: dict[str, Article] = {}
    for chunk in chunks(sorted(set(page_paths.values()))):
        query = Article.objects.pages().filter(path__in=chunk).only("kind", "title", "path")
        by_path.update((page.path, page) for page in query)
    return {
        path: f"the page {other.title!r} (Newsroom's page at that address)"
        for path, page_path in page_paths.items()
        if (other := by_path.get(page_path)) is not None and other.pk != links[path]
    }


def _write_old_links(state: ImportState, wanted: dict[str, int]) -> None:
    existing = {}
    for chunk in chunks(list(wanted)):
        existing.update((link.path, link) for link in OldLink.objects.filter(path__in=chunk))
    new, changed = [], []
    for path, article_id in wanted.items():
        link = existing.get(path)
        if link is None:
            new.append(OldLink(path=path, article_id=article_id))
            state.summary.add("redirect", CREATED)
        elif link.article_id != article_id:
            link.article_id = article_id
            changed.append(link)
            state.summary.add("redirect", UPDATED)
        else:
            state.summary.add("redirect", UNCHANGED)
    OldLink.objects.bulk_create(new)
    OldLink.objects.bulk_update(changed, ["article_id"])
