"""Keep caches of published content honest for writes made outside a service.

``articles.services`` refreshes pages itself after each article write. These
receivers cover the rest: categories, sources, tags and the site's settings
edited in the admin, deletions, and direct ``save()`` calls (the shell, tests).
Any change bumps the ``content`` generation (``newsroom.pagecache``).
Registered by ``ArticlesConfig.ready()``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from articles.models import Article, Category, Page, Source
from newsroom import pagecache
from newsroom.models import SiteSettings


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
# A proxy model's saves name the proxy as their sender.
@receiver(post_save, sender=Page)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=TaggedItem)
@receiver(post_delete, sender=TaggedItem)
@receiver(post_save, sender=SiteSettings)
@receiver(m2m_changed, sender=Article.categories.through)
def content_changed(**kwargs):
    pagecache.bump_content()
