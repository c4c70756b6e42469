"""What one import run keeps in memory while it works, and the checkpoints that
take it back when a transaction is rolled back.

``ImportState`` is made by ``wordpress.importer.reading.WordPressImporter`` and
handed to every step (authors, terms, media, posts, comments, old links).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from articles.models import Article
from wordpress.importer.records import Summary


@dataclass
class Checkpoint:
    """What a rolled-back transaction must take back from the state."""

    counts: dict[str, Counter]
    problems: int
    sticky: int
    lookups: dict[str, dict]


LOOKUPS = (
    "users",
    "users_by_wp_id",
    "categories",
    "tags",
    "sources",
    "linked_by_email",
    "old_images",
)


@dataclass
class ImportState:
    """The options of a run, its summary, and what it has resolved so far."""

    media_dir: Path | None = None
    check_spam: bool = False
    summary: Summary = field(default_factory=Summary)
    users: dict[str, int] = field(default_factory=dict)  # author login → user pk
    users_by_wp_id: dict[str, int] = field(default_factory=dict)  # WordPress user ID → pk
    categories: dict[str, int] = field(default_factory=dict)  # nicename → category pk
    tags: dict[str, int] = field(default_factory=dict)  # nicename → tag pk
    sources: dict[str, int] = field(default_factory=dict)  # name → source pk
    # Comments credited to an account by their email (no user ID to go by).
    linked_by_email: dict[str, int] = field(default_factory=dict)  # comment ID → pk
    # Lower-cased email → the oldest account with it; read on first use.
    users_by_email: dict[str, int] | None = None
    # The old site's hosts (no "www."): in-body images there are its uploads.
    old_hosts: set[str] = field(default_factory=set)
    # Uploads copied into the media storage: "path:size" → storage name. Not
    # taken back on a rollback: the files stay.
    media_copies: dict[str, str] = field(default_factory=dict)
    old_images: dict[str, int] = field(default_factory=dict)  # post label → images left
    sticky: int = 0  # sticky posts seen (imported as featured articles)
    article_type: ContentType = field(
        default_factory=lambda: ContentType.objects.get_for_model(Article)
    )

    def report(self, problem: str) -> None:
        self.summary.problems.append(problem)

    def user_by_email(self, email: str) -> int | None:
        """The account whose email is ``email``, whatever its case (as WordPress
        compares them); the oldest when several share it."""
        if self.users_by_email is None:
            self.users_by_email = {}
            accounts = get_user_model().objects.exclude(email="").order_by("-pk")
            for pk, address in accounts.values_list("pk", "email"):
                self.users_by_email[address.lower()] = pk
        return self.users_by_email.get(email.strip().lower())

    def checkpoint(self) -> Checkpoint:
        counts = {kind: Counter(counter) for kind, counter in self.summary.counts.items()}
        lookups = {name: dict(getattr(self, name)) for name in LOOKUPS}
        return Checkpoint(counts, len(self.summary.problems), self.sticky, lookups)

    def restore(self, checkpoint: Checkpoint) -> None:
        self.summary.counts = defaultdict(Counter, checkpoint.counts)
        del self.summary.problems[checkpoint.problems :]
        self.sticky = checkpoint.sticky
        for name, lookup in checkpoint.lookups.items():
            setattr(self, name, lookup)
