"""The old addresses of imported posts, kept as ``OldLink`` rows so links to
the WordPress site (and to earlier imports) still reach the article.

Called by ``posts`` for each batch of written posts; followed by
``wordpress.middleware``.
"""

from wordpress.importer.records import CREATED, UNCHANGED, UPDATED, chunks, old_path
from wordpress.importer.state import ImportState
from wordpress.models import OldLink

OLD_LINK_MAX_LENGTH = OldLink._meta.get_field("path").max_length


def record_old_links(state: ImportState, plans: list) -> None:
    """Old addresses → the articles of ``plans`` (``posts.PostPlan``): the
    WordPress permalink and the Newsroom address after the last import, when
    they differ from the article's address now. Recorded whatever the
    article's status: ``wordpress.middleware`` follows one only while its
    article is published, so a draft or scheduled post's link starts working
    when it goes live, with no new import."""
    wanted: dict[str, int] = {}
    for plan in plans:
        article = plan.article
        new_path = article.get_absolute_url()
        old = old_path(plan.post.link)
        previous = plan.data.get("url")  # its Newsroom address after the last import
        plan.data["url"] = new_path
        for path in (old, previous):
            if path and path != new_path:
                if len(path) > OLD_LINK_MAX_LENGTH:
                    state.report(f"{plan.label}: old address too long to redirect: {path}")
                else:
                    wanted[path] = article.pk
    if wanted:
        _write_old_links(state, wanted)


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
