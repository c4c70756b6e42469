"""The local spam checks: what the form, the text and the database tell.

None waits on the network or writes anything. They are named in
``settings.COMMENTS_SPAM_CHECKS`` as ``comments.spam.checks.<Name>`` (or, as
before, ``comments.spam.<Name>``); ``comments.forms`` uses the form traps
(``HONEYPOT_FIELD``, ``TIMESTAMP_FIELD``, ``form_timestamp_token``).
"""

import ipaddress
import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from comments import ratelimit
from comments.models import Comment, SpamRule
from comments.spam.base import CheckResult, SpamCheck
from comments.verdicts import Verdict

HONEYPOT_FIELD = "contact_me_by_fax_only"
NOT_RECORDED = "No evidence: the form's signals were not recorded with this comment"
TIMESTAMP_FIELD = "form_started"
_TIMESTAMP_SALT = "comments.form-started"
_URL = re.compile(r"(?:https?://|www\.)\S+|\[url[=\]]|<a\s", re.IGNORECASE)


def form_timestamp_token() -> str:
    """A signed token saying when the comment form was shown."""
    return signing.TimestampSigner(salt=_TIMESTAMP_SALT).sign("comment-form")


class HoneypotCheck(SpamCheck):
    """Spam when the hidden honeypot field, which people never see, was filled in."""

    def check(self, comment, request_info):
        if request_info.extra.get(HONEYPOT_FIELD, ""):
            return CheckResult(
                Verdict.SPAM, score=1.0, reason="The hidden honeypot field was filled in"
            )
        if request_info.rerun and HONEYPOT_FIELD not in request_info.extra:
            return CheckResult(Verdict.NO_OPINION, reason=NOT_RECORDED)
        return CheckResult(Verdict.NO_OPINION)


class TimestampCheck(SpamCheck):
    """Spam when the form came back faster than a person can type (``min_seconds``);
    hold when the signed timestamp is missing, forged or older than ``max_age``."""

    def __init__(self, min_seconds: float = 3, max_age: int = 2 * 24 * 3600):
        self.min_seconds = min_seconds
        self.max_age = max_age

    def check(self, comment, request_info):
        if request_info.rerun and TIMESTAMP_FIELD not in request_info.extra:
            return CheckResult(Verdict.NO_OPINION, reason=NOT_RECORDED)
        token = request_info.extra.get(TIMESTAMP_FIELD, "")
        signer = signing.TimestampSigner(salt=_TIMESTAMP_SALT)
        try:
            # No max_age here: the form's age is measured at posting (below), so
            # a check run days later judges the comment as it was posted.
            signer.unsign(token)
        except signing.BadSignature:
            return CheckResult(
                Verdict.HOLD, score=0.6, reason="The form's timestamp is missing or forged"
            )
        shown = signing.b62_decode(token.split(":")[-2])
        elapsed = comment.created_at.timestamp() - shown
        if elapsed > self.max_age:
            return CheckResult(
                Verdict.HOLD, score=0.3, reason="The form was open for days before posting"
            )
        if elapsed < self.min_seconds:
            return CheckResult(
                Verdict.SPAM,
                score=0.9,
                reason=f"Posted {max(elapsed, 0):.1f}s after the form was shown",
            )
        return CheckResult(
            Verdict.NO_OPINION, reason=f"Posted {elapsed:.0f}s after the form was shown"
        )


def count_links(comment) -> int:
    return len(_URL.findall(comment.body))


class LinkCountCheck(SpamCheck):
    """Hold a comment with ``hold_at`` or more links (WordPress's default is 2)."""

    def __init__(self, hold_at: int = 2):
        self.hold_at = hold_at

    def check(self, comment, request_info):
        links = count_links(comment)
        if links >= self.hold_at:
            return CheckResult(
                Verdict.HOLD,
                score=min(1.0, links / 10),
                reason=f"{links} links (holding at {self.hold_at})",
            )
        return CheckResult(Verdict.NO_OPINION)


def _haystack(comment, request_info) -> str:
    return "\n".join(
        [
            comment.author_name,
            comment.author_email,
            comment.author_url,
            comment.body,
            request_info.ip_address or "",
            request_info.user_agent,
        ]
    ).lower()


class _WordCheck(SpamCheck):
    kind = ""
    verdict = Verdict.HOLD
    label = ""

    def __init__(self, words: list[str] | tuple = ()):
        self.words = [w.lower() for w in words if w.strip()]

    def check(self, comment, request_info):
        words = self.words + [
            w.lower()
            for w in SpamRule.objects.filter(kind=self.kind).values_list("value", flat=True)
        ]
        haystack = _haystack(comment, request_info)
        found = next((w for w in words if w and w in haystack), None)
        if found:
            return CheckResult(
                self.verdict, score=1.0, reason=f"Contains the {self.label} “{found}”"
            )
        return CheckResult(Verdict.NO_OPINION)


class ModerationWordsCheck(_WordCheck):
    """Hold a comment whose author, email, URL, text, IP or user agent contains a
    moderation word (kept by moderators in the admin, or ``words`` here)."""

    kind = "moderation"
    verdict = Verdict.HOLD
    label = "moderation word"


class DisallowedWordsCheck(_WordCheck):
    """Spam when the comment contains a disallowed word (admin, or ``words`` here)."""

    kind = "disallowed"
    verdict = Verdict.SPAM
    label = "disallowed word"


class BlocklistCheck(SpamCheck):
    """Spam from a blocked IP address or network, or a blocked email domain."""

    def check(self, comment, request_info):
        rules = SpamRule.objects.filter(
            kind__in=[SpamRule.Kind.BLOCKED_NETWORK, SpamRule.Kind.BLOCKED_EMAIL_DOMAIN]
        ).values_list("kind", "value")
        domain = comment.author_email.rpartition("@")[2].lower()
        ip = _parse_ip(request_info.ip_address or comment.ip_address)
        for kind, value in rules:
            if (
                kind == SpamRule.Kind.BLOCKED_EMAIL_DOMAIN
                and domain
                and (domain == value or domain.endswith("." + value))
            ):
                return CheckResult(
                    Verdict.SPAM, score=1.0, reason=f"Email domain {value} is blocked"
                )
            if kind == SpamRule.Kind.BLOCKED_NETWORK and ip is not None:
                network = ipaddress.ip_network(value, strict=False)
                if ip.version == network.version and ip in network:
                    return CheckResult(
                        Verdict.SPAM, score=1.0, reason=f"IP address is in blocked network {value}"
                    )
        return CheckResult(Verdict.NO_OPINION)


def _parse_ip(value):
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


class RateLimitCheck(SpamCheck):
    """Hold a comment when its IP sent more than ``hold_after`` comments within
    the rate-limit window (``comments.ratelimit``; Redis in production)."""

    def __init__(self, hold_after: int | None = None):
        self.hold_after = hold_after or settings.COMMENTS_RATE_HOLD_AFTER

    def check(self, comment, request_info):
        if request_info.rerun:
            return CheckResult(
                Verdict.NO_OPINION,
                reason="No evidence: the posting rate is measured only as comments arrive",
            )
        recent = ratelimit.recent_count(request_info.ip_address)
        if recent > self.hold_after:
            return CheckResult(
                Verdict.HOLD,
                score=min(1.0, recent / (self.hold_after * 3)),
                reason=f"{recent} comments from this IP address in {settings.COMMENTS_RATE_WINDOW}s",
            )
        return CheckResult(Verdict.NO_OPINION)


class DuplicateCheck(SpamCheck):
    """Hold a comment whose text the same author (email) or IP address posted before."""

    def __init__(self, within_days: int = 30):
        self.within = timedelta(days=within_days)

    def check(self, comment, request_info):
        same_source = (
            Q(author_email__iexact=comment.author_email) if comment.author_email else Q(pk__in=[])
        )
        if comment.ip_address:
            same_source |= Q(ip_address=comment.ip_address)
        earlier = (
            Comment.objects.filter(
                same_source, body=comment.body, created_at__gte=timezone.now() - self.within
            )
            .exclude(pk=comment.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if earlier:
            return CheckResult(Verdict.HOLD, score=0.7, reason=f"Same text as comment #{earlier}")
        return CheckResult(Verdict.NO_OPINION)


class TrustedAuthorCheck(SpamCheck):
    """Approve an author who has a previously approved comment under the same name
    and email — unless another check says spam (WordPress's default)."""

    def check(self, comment, request_info):
        if not comment.author_email:
            return CheckResult(Verdict.NO_OPINION)
        known = (
            Comment.objects.approved()
            .filter(
                author_email__iexact=comment.author_email, author_name__iexact=comment.author_name
            )
            .exclude(pk=comment.pk)
            .exists()
        )
        if known:
            return CheckResult(
                Verdict.APPROVE, score=0.0, reason="The author has approved comments", trusted=True
            )
        return CheckResult(Verdict.NO_OPINION)
