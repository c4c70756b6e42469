"""Writes to articles that more than one caller makes (admin actions, commands)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from articles.models import Article
from articles.sidebar import bump_content_generation


@transaction.atomic
def articles_publish(*, articles: QuerySet[Article]) -> int:
    """Publish the given articles; return how many changed.

    Drafts and articles pending review go live now, unless their publish time
    is in the future, in which case they become scheduled for that time.
    """
    count = articles.exclude(status=Article.Status.PUBLISHED).update(
        status=Article.Status.PUBLISHED, updated_at=timezone.now()
    )
    transaction.on_commit(bump_content_generation)
    return count


@transaction.atomic
def articles_unpublish(*, articles: QuerySet[Article]) -> int:
    """Take the given articles off the site (back to draft); return how many changed."""
    count = articles.filter(status=Article.Status.PUBLISHED).update(
        status=Article.Status.DRAFT, updated_at=timezone.now()
    )
    transaction.on_commit(bump_content_generation)
    return count
