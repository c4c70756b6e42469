"""Background work on articles (``django.tasks``): featured-image renditions.

``articles.services.article_save`` queues ``article_build_renditions`` after
the article's transaction commits. With the default immediate backend it runs
at once, in the same request; with ``django_tasks_db.DatabaseBackend`` a
``manage.py db_worker`` process runs it. Until it has run, pages serve the
original image at every width.
"""

import logging

from django.tasks import task

from articles.models import Article
from images.renditions import make_renditions
from newsroom import pagecache

logger = logging.getLogger(__name__)


@task
def article_build_renditions(article_id: int) -> dict[str, str]:
    """Write the renditions of an article's featured image and store their map
    with one UPDATE; return the map (``{width: name}``, empty without an image)."""
    article = Article.objects.filter(pk=article_id).only("featured_image").first()
    if article is None or not article.featured_image:
        return {}
    try:
        renditions = make_renditions(article.featured_image)
    except (OSError, ValueError) as error:
        # The original still serves every width; the article must not fail.
        logger.error("No renditions for article %s: %s", article_id, error)
        return {}
    # Only if the image is still the one the renditions were made from.
    Article.objects.filter(pk=article_id, featured_image=article.featured_image.name).update(
        featured_image_renditions=renditions
    )
    # A page cached before this UPDATE (a deferred backend) lacks the srcset.
    pagecache.bump_content()
    return renditions
