"""What the WordPress importer remembers: which WordPress item became which object.

One ``ImportedItem`` per WordPress author, term, post, page, comment and attachment,
keyed on the item's WordPress ID. A second import of the same export finds its
items here, so it updates instead of duplicating; an interrupted import is
resumed by running it again. The post and page rows also answer old
``/?p=ID`` and ``/?page_id=ID`` links (``wordpress.middleware``).

``OldLink`` keeps the addresses an imported article or page was known by; they are
resolved to the article when a request for one would be a 404, only while
readers may see it (see ``wordpress.middleware``).
"""

from django.db import models

from articles.models import Article


class ImportedItem(models.Model):
    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"
        ATTACHMENT = "attachment", "Attachment"

    kind = models.CharField(max_length=10, choices=Kind)
    # The WordPress ID: post, comment and term IDs; an author's login (exports
    # before WXR 1.1 carry no author IDs); ``slug:<nicename>`` for a term a
    # post uses without the export declaring it.
    wp_id = models.CharField("WordPress ID", max_length=255)
    # The Newsroom object: User, Category, Tag, Article or Comment (none for an
    # attachment, which is kept only as the data below).
    object_id = models.BigIntegerField(null=True, blank=True)
    # An attachment's post (``[gallery]`` shows a post's attached images).
    parent_wp_id = models.CharField(max_length=255, blank=True)
    # A digest of what the import wrote; the same digest next time is "unchanged".
    checksum = models.CharField(max_length=64, blank=True)
    # What later steps need: an attachment's URL, file and alt text; a post's
    # old permalink and the image file its featured image was copied from.
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "wp_id"], name="wordpress_item_kind_wp_id"),
        ]
        indexes = [
            models.Index(fields=["kind", "parent_wp_id"], name="wordpress_item_parent_idx"),
            models.Index(fields=["kind", "object_id"], name="wordpress_item_object_idx"),
        ]

    def __str__(self):
        return f"WordPress {self.kind} {self.wp_id}"


class OldLink(models.Model):
    """An old address of an imported article: its WordPress permalink, or its
    Newsroom address after an earlier import when its slug or date changed since.

    Not a redirect to a fixed address (``django.contrib.redirects``): the
    article is looked up when the link is followed, so the redirect goes to its
    address of the moment in one hop, and only while it is published — a
    draft, pending or scheduled article's old link is a 404 until it goes live.
    """

    # As ``django.contrib.redirects`` stores paths: percent-encoded, no query.
    path = models.CharField(max_length=1000, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return f"{self.path} → article {self.article_id}"
