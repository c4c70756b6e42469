"""The one write path for articles: every article row is written through here.

Writers:

- ``article_save`` — posts and pages alike: the admin (``ArticleAdmin`` and
  ``PageAdmin.save_model``), ``load_seeds`` (``articles.seeds``), the
  WordPress importer (``wordpress.importer.posts``), the test factories. It
  sanitises the body once, gives its library images their ``srcset``
  (``images.html.responsive_images``), saves, sets categories and tags, renews
  the paths of a page's subpages when its own changed (refusing a parent inside
  the page), and after commit queues the featured image's renditions (the task
  in ``articles.tasks`` stores them with one UPDATE) and refreshes what
  readers see (``newsroom.pagecache``).
- ``articles_publish`` / ``articles_unpublish`` — the admin's actions.
- ``articles_create_bulk`` — ``manage.py generate_demo``'s many new articles.

``Article.save()`` only derives fields (summary, a blank slug); sanitising,
renditions and cache invalidation belong here. Deleting an article (the admin)
is left to Django; ``articles.signals`` refreshes pages for it, and for direct
``save()`` calls made outside this module (the shell, tests).
"""

from collections.abc import Iterable, Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone

from articles.html import excerpt_from_html, sanitize_html, strip_control_characters
from articles.models import Article, Category
from articles.tasks import article_build_renditions
from images.html import responsive_images
from newsroom import pagecache


class SanitizedHTML(str):
    """A body already through ``sanitize_html`` (see ``article_body_sanitized``):
    ``article_save`` stores it as it is rather than sanitising it again."""


def article_body_sanitized(html: str) -> SanitizedHTML:
    """``html`` sanitised for an article body, for a writer that must compare it
    with the stored body before saving (``load_seeds``, the importer)."""
    return SanitizedHTML(sanitize_html(html))


@transaction.atomic
def article_save(
    *,
    article: Article,
    categories: Iterable[Category] | None = None,
    tags: Iterable[str] | None = None,
) -> Article:
    """Create or update ``article`` and return it.

    ``categories`` and ``tags``: None leaves them as they are, anything else
    replaces them. The body is sanitised here, once per write: the admin's
    editor field does not sanitise, and a body from ``article_body_sanitized``
    is not sanitised again. The featured image's renditions are built after
    commit; until then the article has none.
    """
    article.title = strip_control_characters(article.title)
    article.excerpt = strip_control_characters(article.excerpt)
    if not isinstance(article.body, SanitizedHTML):
        article.body = sanitize_html(article.body)
    # Library images get their renditions from the library (one query).
    article.body = SanitizedHTML(responsive_images(article.body))
    image_changed = _featured_image_changed(article)
    if image_changed:
        article.featured_image_renditions = {}
    path_before = _stored_path(article)
    article.save()
    if path_before is not None and path_before != article.path:
        _refresh_subpage_paths(article)
    if categories is not None:
        article.categories.set(categories)
    if tags is not None:
        article.tags.set(list(tags))
    if image_changed and article.featured_image:
        transaction.on_commit(partial(_build_renditions, article))
    # Pages are refreshed by the save itself: ``articles.signals`` bumps the
    # content generation, and ``pagecache.bump`` repeats that on commit.
    return article


@transaction.atomic
def articles_publish(*, articles: QuerySet[Article]) -> int:
    """Publish the given articles; return how many changed.

    Drafts and articles pending review go live now, unless their publish time
    is in the future, in which case they become scheduled for that time.
    """
    count = articles.exclude(status=Article.Status.PUBLISHED).update(
        status=Article.Status.PUBLISHED, updated_at=timezone.now()
    )
    transaction.on_commit(pagecache.bump_content)
    return count


@transaction.atomic
def articles_unpublish(*, articles: QuerySet[Article]) -> int:
    """Take the given articles off the site (back to draft); return how many changed."""
    count = articles.filter(status=Article.Status.PUBLISHED).update(
        status=Article.Status.DRAFT, updated_at=timezone.now()
    )
    transaction.on_commit(pagecache.bump_content)
    return count


def _stored_path(article: Article) -> str | None:
    """A stored page's path before this write (None for a post or a new page);
    refuses a parent that would put the page inside itself."""
    if not article.is_page:
        return None
    if article.parent_id is not None and article.parent_cycle():
        raise ValidationError({"parent": "A page cannot be inside itself."})
    if article.pk is None:
        return None
    return Article.objects.filter(pk=article.pk).values_list("path", flat=True).first()


def _refresh_subpage_paths(page: Article) -> None:
    """The paths of ``page``'s subpages, at every depth, after its own changed
    (a new slug or parent): one query and one update per level."""
    parents = {page.pk: page.path}
    while parents:
        children = list(Article.objects.filter(parent__in=parents).only("parent", "slug", "path"))
        for child in children:
            child.path = f"{parents[child.parent_id]}/{child.slug}"
        Article.objects.bulk_update(children, ["path"])
        parents = {child.pk: child.path for child in children}
    transaction.on_commit(pagecache.bump_content)


def _featured_image_changed(article: Article) -> bool:
    """Whether the renditions stored for ``article`` no longer match its image."""
    if not article.featured_image:
        return bool(article.featured_image_renditions)
    if article.pk is None or not article.featured_image._committed:
        return True
    stored = Article.objects.filter(pk=article.pk).values_list("featured_image", flat=True)
    return stored.first() != article.featured_image.name


def _build_renditions(article: Article) -> None:
    result = article_build_renditions.enqueue(article.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        # The task ran at once (immediate backend): the caller's copy is current too.
        article.featured_image_renditions = result.return_value


# -- Bulk creation: many new articles at once (demo data) -----------------------


@transaction.atomic
def articles_create_bulk(*, articles: Sequence[Article], batch_size: int = 2000) -> list[Article]:
    """Create many new articles in bulk inserts (``manage.py generate_demo``):
    what ``article_save`` does for one — title and excerpt cleaned, the body
    sanitised once (not again for an ``article_body_sanitized`` body), the
    summary derived, pages refreshed after commit — without a query per article.

    Each article needs its slug; featured images are not taken (their
    renditions are ``article_save``'s), nor are categories and tags."""
    for article in articles:
        if not article.slug or article.featured_image:
            raise ValueError("articles_create_bulk takes articles with a slug and no image")
        article.title = strip_control_characters(article.title)
        article.excerpt = strip_control_characters(article.excerpt)
        if not isinstance(article.body, SanitizedHTML):
            article.body = sanitize_html(article.body)
        article.summary = article.excerpt.strip() or excerpt_from_html(article.body)
    created = Article.objects.bulk_create(articles, batch_size=batch_size)
    transaction.on_commit(pagecache.bump_content)
    return created
