"""The local spam checks: what the form, the text and the database tell.

None waits on the network or writes anything. They are named in
``settings.COMMENTS_SPAM_CHECKS`` as ``comments.spam.checks.<Name>`` (or, as
before, ``comments.spam.<Name>``); ``comments.forms`` uses the form traps
(``HONEYPOT_FIELD``, and the time token of ``comments.spam.tokens``).
"""

import ipaddress
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from comments import ratelimit
from comments.models import Comment, SpamRule
from comments.spam.base import CheckResult, SpamCheck
from comments.spam.tokens import (
    CONFIRM,
    TIMESTAMP_FIELD,
    VISITOR_FIELD,
    read_form_token,
    read_unbound_token,
)
from comments.verdicts import Verdict

HONEYPOT_FIELD = "contact_me_by_fax_only"
NOT_RECORDED = "No evidence: the form's signals were not recorded with this comment"
_URL = re.compile(r"(?:https?://|www\.)\S+|\[url[=\]]|<a\s", re.IGNORECASE)


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
    """The time trap, judged from the form's time token (``comments.spam.tokens``).

    It never marks spam by itself: a form posted within ``min_seconds`` of the
    reader starting to write is *held* (the script fetches the token again on
    submit when its first fetch failed, so a person can post within a second),
    as is a reader without JavaScript pressing "Post Comment" again on the
    confirmation page. Set ``spam_under`` (seconds, 0 by default: never) only
    after measuring your readers. Also held: a token that is missing,
    forged, issued to another visitor or for another article, already used by
    another comment, or older than ``max_age``.
    """

    def __init__(self, min_seconds: float = 3, max_age: int = 2 * 24 * 3600, spam_under: float = 0):
        self.min_seconds = min_seconds
        self.max_age = max_age
        self.spam_under = min(spam_under, min_seconds)

    def check(self, comment, request_info):
        extra = request_info.extra
        if request_info.rerun and TIMESTAMP_FIELD not in extra:
            return CheckResult(Verdict.NO_OPINION, reason=NOT_RECORDED)
        token = extra.get(TIMESTAMP_FIELD, "")
        if request_info.rerun and VISITOR_FIELD not in extra:
            return self._stored_before_binding(comment, token)
        form = read_form_token(token, visitor=extra.get(VISITOR_FIELD, ""))
        if form is None:
            if read_unbound_token(token) is not None:
                return _hold(0.5, "The form's time token is bound to no article and visitor")
            return _hold(0.6, "The form's time token is missing, forged or another visitor's")
        if form.article_id != comment.article_id:
            return _hold(0.7, f"The form's time token was issued for article #{form.article_id}")
        used_by = (
            Comment.objects.filter(form_nonce=form.nonce, pk__lt=comment.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if used_by is not None:
            return _hold(0.8, f"The form's time token was already used by comment #{used_by}")
        return self._judge_time(comment, form.issued_at, confirmation=form.kind == CONFIRM)

    def _stored_before_binding(self, comment, token: str) -> CheckResult:
        """A comment stored before tokens were bound: judged by time alone, as then."""
        issued_at = read_unbound_token(token)
        if issued_at is None:
            return _hold(0.6, "The form's time token is missing or forged")
        return self._judge_time(comment, issued_at, confirmation=False)

    def _judge_time(self, comment, issued_at: float, *, confirmation: bool) -> CheckResult:
        # Measured at posting, so a check run days later judges the comment as posted.
        elapsed = comment.created_at.timestamp() - issued_at
        shown = "the confirmation page was shown" if confirmation else "the reader began writing"
        posted = f"Posted {max(elapsed, 0):.1f}s after {shown}"
        if elapsed > self.max_age:
            return _hold(0.3, "The form was open for days before posting")
        if elapsed < self.spam_under and not confirmation:
            return CheckResult(Verdict.SPAM, score=0.9, reason=posted)
        if elapsed < self.min_seconds:
            return _hold(0.7, f"{posted} (under {self.min_seconds:g}s)")
        return CheckResult(Verdict.NO_OPINION, reason=f"Posted {elapsed:.0f}s after {shown}")


def _hold(score: float, reason: str) -> CheckResult:
    return CheckResult(Verdict.HOLD, score=score, reason=reason)


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
    """Hold a comment when its visitor (an IPv4 address, an IPv6 /64) sent more
    than ``hold_after`` comments within the rate-limit window
    (``comments.ratelimit``: Redis in production, the database while it is down)."""

    def __init__(self, hold_after: int | None = None):
        # None: the setting, read at each check (checks are built once per process).
        self.hold_after = hold_after

    def check(self, comment, request_info):
        if request_info.rerun:
            return CheckResult(
                Verdict.NO_OPINION,
                reason="No evidence: the posting rate is measured only as comments arrive",
            )
        hold_after = self.hold_after or settings.COMMENTS_RATE_HOLD_AFTER
        recent = ratelimit.recent_count(request_info.ip_address)
        if recent > hold_after:
            source = ratelimit.describe_visitor(request_info.ip_address)
            return CheckResult(
                Verdict.HOLD,
                score=min(1.0, recent / (hold_after * 3)),
                reason=f"{recent} comments from {source} in {settings.COMMENTS_RATE_WINDOW}s",
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
    """Approve an author who *proves* to be one the moderators already trust —
    unless another check says spam (WordPress's default, with proof):

    - the comment was written from an active account (a logged-in user), or
    - the reader's browser carried the commenter key (``comments.spam.tokens``)
      of an approved comment under the same email.

    Name and email alone prove nothing: anyone can type a moderator's. Such a
    comment is judged as a stranger's (the reason says so)."""

    def check(self, comment, request_info):
        if comment.user_id is not None:
            account = get_user_model().objects.filter(pk=comment.user_id, is_active=True)
            if account.exists():
                return _trusted("Written from a logged-in account")
        if self._posted_from_the_confirmation_page(request_info):
            return CheckResult(
                Verdict.NO_OPINION,
                reason="Posted from the confirmation page (the form came without a valid "
                "CSRF token): the commenter key proves nothing there",
            )
        if comment.commenter_key_hash and comment.author_email:
            keyed = (
                Comment.objects.approved()
                .filter(
                    commenter_key_hash=comment.commenter_key_hash,
                    author_email__iexact=comment.author_email,
                )
                .exclude(pk=comment.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if keyed is not None:
                return _trusted(f"Carries the commenter key of approved comment #{keyed}")
        if comment.author_email and self._named_like_a_trusted_author(comment):
            return CheckResult(
                Verdict.NO_OPINION,
                reason="Name and email of an approved commenter, without their commenter key "
                "or account: judged as a stranger",
            )
        return CheckResult(Verdict.NO_OPINION)

    @staticmethod
    def _posted_from_the_confirmation_page(request_info) -> bool:
        """The confirmation page re-shows a form whose first post failed the CSRF
        check, which another site's form would too; the browser's cookies on the
        second post prove nothing about who wrote the first."""
        extra = request_info.extra
        token = read_form_token(
            extra.get(TIMESTAMP_FIELD, ""), visitor=extra.get(VISITOR_FIELD, "")
        )
        return token is not None and token.kind == CONFIRM

    @staticmethod
    def _named_like_a_trusted_author(comment) -> bool:
        return (
            Comment.objects.approved()
            .filter(
                author_email__iexact=comment.author_email, author_name__iexact=comment.author_name
            )
            .exclude(pk=comment.pk)
            .exists()
        )


def _trusted(reason: str) -> CheckResult:
    return CheckResult(Verdict.APPROVE, score=0.0, reason=reason, trusted=True)
