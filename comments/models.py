"""Readers' comments on articles, held for moderation.

What readers see is defined once, by ``CommentQuerySet.approved()``. Comments
are written only through ``comments.services``.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from articles.models import Article
from comments.verdicts import Verdict
from newsroom.links import SafeURLField


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """What readers may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def awaiting_checks(self, *, unchecked_before):
        """Pending comments no moderator decided whose checks failed, or never
        ran and were stored before ``unchecked_before`` (younger ones are still
        the task worker's to check)."""
        return (
            self.pending()
            .filter(moderated_by__isnull=True)
            .filter(
                Q(check_verdict=Verdict.FAILED)
                | Q(check_verdict="", created_at__lt=unchecked_before)
            )
        )

    def owed_moderator_email(self):
        """Pending comments the checks held whose moderators' email never went."""
        return (
            self.pending()
            .filter(moderated_by__isnull=True, moderators_notified_at__isnull=True)
            .exclude(check_verdict="")
        )

    def for_display(self):
        """Only the columns a rendered comment needs (never the email or IP)."""
        return self.only(
            "pk", "article_id", "parent_id", "root_id", "depth", "author_name", "author_url",
            "body", "created_at", "status",
        ).order_by("created_at", "pk")  # fmt: skip


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the thread (null for a top-level comment): a page
    # of threads and all their replies load in two queries.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.COMMENT)

    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", max_length=254, blank=True)
    author_url = SafeURLField("website", max_length=200, blank=True)
    body = models.TextField("comment")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The account the comment was written from, if any.",
    )

    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(db_index=False)

    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    # Spam checks (comments.spam): when they last ran and what they concluded
    # (a comments.verdicts.Verdict).
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    check_verdict = models.CharField(max_length=12, blank=True, editable=False)
    # What the local classifier learnt this comment as ("spam", "ham" or ""),
    # so a moderator who changes their mind un-teaches it first.
    trained_as = models.CharField(max_length=4, blank=True, editable=False)
    # The classifier's raw score of the comment just before it learnt it: its
    # calibration point, removed with the lesson on a change of mind.
    trained_score = models.FloatField(null=True, blank=True, editable=False)
    # The form's spam signals as posted (honeypot, signed form timestamp): checks
    # run later (a worker, recheck_comments, a moderator's re-run) judge with
    # them, not without them.
    spam_signals = models.JSONField(default=dict, blank=True, editable=False)
    # When the moderators were emailed that the comment waits for them: once per
    # comment, however often its checks run; empty while an email is owed.
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Proofs (comments.spam.tokens), stored so checks run later judge with them.
    # The nonce of the form's time token: a token is good for one comment.
    form_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # A hash of the commenter key the reader's browser carried (never the key):
    # a later comment with the same key, once one is approved, is the same person.
    commenter_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    # What counts as one visitor (newsroom.client_ip.visitor_network: the IPv4
    # address, an IPv6 /64), for the posting rate when the cache is down.
    ip_network = models.CharField("IP network", max_length=43, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The post page: an article's approved comments, oldest first.
            models.Index(
                fields=["article", "status", "created_at"], name="comment_article_status_idx"
            ),
            # Replies of the threads on a page.
            models.Index(fields=["root", "status", "created_at"], name="comment_root_status_idx"),
            # The moderators' queue: by status, newest first.
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
            # Returning commenters, duplicates, and rate limits.
            models.Index(fields=["author_email", "status"], name="comment_email_status_idx"),
            # The same, case-insensitively (``author_email__iexact`` on PostgreSQL is
            # ``UPPER(author_email)``): the trusted-author and duplicate checks read
            # it on every comment, a scan of the whole table without it.
            models.Index(Upper("author_email"), "status", name="comment_email_upper_idx"),
            models.Index(fields=["ip_address", "-created_at"], name="comment_ip_created_idx"),
            # The posting rate by visitor network, from the database when the cache is down.
            models.Index(fields=["ip_network", "-created_at"], name="comment_network_created_idx"),
            # A form token used twice; a returning commenter's key.
            models.Index(
                fields=["form_nonce"], name="comment_form_nonce_idx", condition=~Q(form_nonce="")
            ),
            models.Index(
                fields=["commenter_key_hash", "status"],
                name="comment_key_status_idx",
                condition=~Q(commenter_key_hash=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True, depth=0)
                | Q(parent__isnull=False, root__isnull=False, depth__gt=0),
                name="comment_thread_fields_agree",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}"

    def get_absolute_url(self):
        """The comment's anchor on the page of the post's comments that shows it."""
        url = self.article.get_absolute_url()
        page = self.page_number()
        return f"{url}?cpage={page}#comment-{self.pk}" if page > 1 else f"{url}#comment-{self.pk}"

    def page_number(self) -> int:
        per_page = settings.COMMENTS_PER_PAGE
        root = self if self.root_id is None else self.root
        earlier = (
            Comment.objects.approved()
            .filter(article_id=self.article_id, parent__isnull=True)
            .filter(
                Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
            )
            .count()
        )
        return earlier // per_page + 1

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class CheckRecord(models.Model):
    """One spam check's verdict on one comment (the latest run only)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="check_records")
    check_name = models.CharField("check", max_length=100)
    verdict = models.CharField(max_length=12)
    score = models.FloatField(default=0.0)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "pk"]
        indexes = [
            models.Index(fields=["check_name", "verdict"], name="checkrecord_check_verdict_idx")
        ]

    def __str__(self):
        return f"{self.check_name}: {self.verdict}"


class SpamRule(models.Model):
    """A rule moderators keep in the admin, as in WordPress's Discussion settings."""

    class Kind(models.TextChoices):
        MODERATION_WORD = "moderation", "Moderation word (hold the comment)"
        DISALLOWED_WORD = "disallowed", "Disallowed word (mark as spam)"
        BLOCKED_NETWORK = "network", "Blocked IP address or network (mark as spam)"
        BLOCKED_EMAIL_DOMAIN = "email_domain", "Blocked email domain (mark as spam)"

    kind = models.CharField(max_length=12, choices=Kind)
    value = models.CharField(
        max_length=200,
        help_text="A word or phrase (matched anywhere, any case), an IP address or network "
        "such as 203.0.113.0/24, or an email domain such as spam.example.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="spamrule_kind_value_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        self.value = self.value.strip()
        if self.kind == self.Kind.BLOCKED_NETWORK:
            try:
                self.value = str(ipaddress.ip_network(self.value, strict=False))
            except ValueError as error:
                raise ValidationError(
                    {"value": "Enter an IP address or a network like 203.0.113.0/24."}
                ) from error
        elif self.kind == self.Kind.BLOCKED_EMAIL_DOMAIN:
            self.value = self.value.lower().lstrip("@")
            if "." not in self.value or " " in self.value:
                raise ValidationError({"value": "Enter a domain such as spam.example."})


class ClassifierModel(models.Model):
    """The local classifier's lessons (``comments.textmodel.TextModel``), one
    row shared by every app server: the hashed feature counts (compressed), how
    many spam and ham comments it learnt, and its calibration bins. ``version``
    goes up with every lesson, so a server knows when its copy is stale."""

    features_version = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveBigIntegerField(default=0)
    counts = models.BinaryField(default=b"")
    spam_count = models.PositiveIntegerField(default=0)
    ham_count = models.PositiveIntegerField(default=0)
    calibration = models.JSONField(default=dict)

    class Meta:
        verbose_name = "classifier model"

    def __str__(self):
        return f"{self.spam_count} spam, {self.ham_count} ham"
