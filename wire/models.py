"""The wire's rows: what each source's feed last said (``FeedState``) and the
items it brought (``WireItem``).

Written only by ``wire.services`` (fetch runs, dismiss, repost); read by the
admin (``wire.admin``) and ``wire.selectors``.
"""

from django.db import models
from django.utils import timezone

from articles.models import Article, Source
from newsroom.links import SafeURLField


class FeedState(models.Model):
    """One source's feed, as the last fetch left it: when to fetch it next,
    what to send for a conditional GET, what it gave, and what went wrong."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="feed_state"
    )
    # The address this state is for: a source whose feed_url changes starts afresh.
    feed_url = SafeURLField(max_length=500, blank=True)
    last_fetched_at = models.DateTimeField("last fetched", null=True, blank=True)
    last_success_at = models.DateTimeField("last read", null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    items_last_time = models.PositiveIntegerField(
        default=0, help_text="How many items the feed held the last time it was read."
    )
    new_items_last_time = models.PositiveIntegerField(default=0)
    not_modified_count = models.PositiveIntegerField(
        default=0, help_text="How many fetches were answered 304 Not Modified."
    )
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_fetch_at = models.DateTimeField(default=timezone.now)
    # Set when the feed answered 410 Gone: it is not fetched again until its URL changes.
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_fetch_at"], name="wire_feedstate_due_idx")]

    def __str__(self):
        return f"feed of {self.source}"


class WireItem(models.Model):
    """An item of a source's feed, waiting on the wire to be reposted or dismissed."""

    class State(models.TextChoices):
        NEW = "new", "New"
        REPOSTED = "reposted", "Reposted"
        DISMISSED = "dismissed", "Dismissed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="wire_items")
    guid = models.CharField("GUID", max_length=1000)
    link = SafeURLField(max_length=1000, blank=True)
    title = models.CharField(max_length=500)
    published_at = models.DateTimeField("published", null=True, blank=True)
    # Where the item sorts: its published time, or when it was fetched if it gives
    # none or a future one (so a misdated item cannot sit on top of the wire).
    listed_at = models.DateTimeField(default=timezone.now, editable=False)
    summary = models.TextField(blank=True, help_text="Plain text.")
    author = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.NEW)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wire_items",
        help_text="The article reposted from this item.",
    )
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="wireitem_unique_source_guid"),
        ]
        indexes = [
            # Cross-run de-duplication by link, and "already reposted?".
            models.Index(fields=["link"], name="wireitem_link_idx"),
            models.Index(fields=["-listed_at", "-id"], name="wireitem_newest_idx"),
            models.Index(fields=["state", "-listed_at", "-id"], name="wireitem_state_newest_idx"),
            models.Index(fields=["source", "-listed_at"], name="wireitem_source_newest_idx"),
        ]

    def __str__(self):
        return self.title
