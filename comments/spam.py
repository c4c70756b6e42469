"""Spam checks: a pipeline of checks that looks at every new comment.

A comment is stored as *pending* first; the checks run afterwards, in a
background task (``comments.tasks.check_comment``), so a slow or broken check
never slows the comment form or loses a comment.

Configuring
-----------
``settings.COMMENT_SPAM_CHECKS`` lists the checks in the shape of Django's
``AUTH_PASSWORD_VALIDATORS``::

    COMMENT_SPAM_CHECKS = [
        {"NAME": "comments.spam.HoneypotCheck"},
        {"NAME": "comments.spam.LinkCountCheck", "OPTIONS": {"hold_at": 2}},
        {"NAME": "myproject.checks.NoShoutingCheck"},
    ]

How verdicts combine
--------------------
Each check returns a ``CheckResult``: a verdict (``spam``, ``hold``,
``approve`` or ``no_opinion``), a score between 0 and 1 and a reason a
moderator can read. The pipeline combines them by this rule, first match wins:

1. any check says **spam** → the comment is marked spam;
2. any check **failed** (raised, or ran past its ``timeout``) → held for a
   moderator: a failure never approves a comment by accident;
3. a check says **approve** with ``trusted=True`` (a previously approved
   author) → approved, even if others say hold (WordPress's default);
4. any check says **hold** → held;
5. any check says **approve** → approved;
6. nobody had an opinion → held.

Writing a check
---------------
Subclass ``SpamCheck`` and implement ``check``::

    from comments.spam import CheckResult, SpamCheck, Verdict

    class NoShoutingCheck(SpamCheck):
        \"\"\"Hold comments written mostly in capitals.\"\"\"

        def __init__(self, ratio=0.7):
            self.ratio = ratio

        def check(self, comment, request_info):
            letters = [c for c in comment.body if c.isalpha()]
            upper = sum(c.isupper() for c in letters) / max(len(letters), 1)
            if upper >= self.ratio:
                return CheckResult(Verdict.HOLD, score=upper, reason="Mostly capitals")
            return CheckResult(Verdict.NO_OPINION)

``OPTIONS`` are passed to ``__init__`` as keyword arguments.

Time
----
Each check has a ``timeout``. Checks that wait on the network (``isolated``,
such as Akismet) run in a thread and are abandoned at their timeout. When the
checks run inside the reader's request (the immediate task backend), the
network checks share one budget, ``COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS``: a
check gets at most what is left of it (``check_within`` passes that on to its
client), and one still waiting when it runs out fails, so the comment is held
and ``manage.py recheck_comments`` finishes it later with the full timeout.

Checks run later
----------------
The form's signals (honeypot, signed timestamp) are stored with the comment
(``Comment.spam_signals``), so a check run later by a worker,
``recheck_comments`` or a moderator judges with them. What was never recorded
(comments from before they were stored, the posting rate) is no evidence:
those checks have no opinion on a re-run.
"""

import ipaddress
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    SPAM = "spam"
    HOLD = "hold"
    APPROVE = "approve"
    NO_OPINION = "no_opinion"
    #: Recorded by the pipeline, never returned by a check: it raised or timed out.
    FAILED = "failed"


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict
    score: float = 0.0
    reason: str = ""
    #: With APPROVE: this author is known good; approve even if others hold.
    trusted: bool = False


class SpamCheck:
    """Base class of spam checks. Subclasses implement ``check``.

    Attributes:
        timeout: seconds a run may take. A check that takes longer is recorded
            as failed and the comment is held.
        isolated: True for checks that do network I/O and no database work
            (Akismet): they run in a worker thread and are abandoned, not
            waited for, at ``timeout``.
    """

    timeout: float = 5.0
    isolated: bool = False

    @property
    def name(self) -> str:
        return type(self).__name__

    def check(self, comment, request_info) -> CheckResult:
        """Look at a stored comment and what the request told about it.

        Args:
            comment: the ``comments.models.Comment``, already saved as pending.
            request_info: a ``comments.services.RequestInfo`` — ``ip_address``,
                ``user_agent``, ``referrer`` and ``extra`` (the form's extra
                fields, such as the honeypot).

        Returns:
            a ``CheckResult``. Raise, or take longer than ``timeout``, and the
            pipeline records the check as failed and holds the comment.
        """
        raise NotImplementedError

    def check_within(self, comment, request_info, *, timeout: float) -> CheckResult:
        """``check`` with ``timeout`` seconds to answer, which may be less than
        ``self.timeout`` (the request's budget). Checks that wait on a client with
        a timeout of its own (Akismet) override this to pass it on; others need
        not, as the pipeline stops waiting for an isolated check at ``timeout``."""
        return self.check(comment, request_info)

    def learn(self, comment, *, is_spam: bool) -> None:
        """A moderator decided ``comment`` is spam (or not). Optional: checks that
        learn (the classifier) or report back (Akismet) override this."""


# --- The pipeline -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    result: CheckResult


@cache
def _load_checks(config: tuple) -> list[SpamCheck]:
    checks = []
    for entry in config:
        entry = dict(entry)
        try:
            cls = import_string(entry["NAME"])
        except ImportError as error:
            raise ImproperlyConfigured(
                f"COMMENT_SPAM_CHECKS: cannot import {entry['NAME']!r}"
            ) from error
        checks.append(cls(**dict(entry.get("OPTIONS", {}))))
    return checks


def get_checks() -> list[SpamCheck]:
    """The configured checks, in order (built once per configuration)."""
    config = tuple(
        (("NAME", entry["NAME"]), ("OPTIONS", tuple(sorted(entry.get("OPTIONS", {}).items()))))
        for entry in settings.COMMENT_SPAM_CHECKS
    )
    return _load_checks(config)


def combine(results: list[CheckResult]) -> Verdict:
    """The pipeline's verdict from its checks' results (see the module docstring)."""
    verdicts = {result.verdict for result in results}
    if Verdict.SPAM in verdicts:
        return Verdict.SPAM
    if Verdict.FAILED in verdicts:
        return Verdict.HOLD
    if any(r.verdict == Verdict.APPROVE and r.trusted for r in results):
        return Verdict.APPROVE
    if Verdict.HOLD in verdicts:
        return Verdict.HOLD
    if Verdict.APPROVE in verdicts:
        return Verdict.APPROVE
    return Verdict.HOLD


def run_check(
    check: SpamCheck, comment, request_info, *, timeout: float | None = None
) -> CheckResult:
    """Run one check; a check that raises or overruns becomes FAILED, never an exception.

    ``timeout`` (default: the check's own) is how long it may take."""
    timeout = check.timeout if timeout is None else timeout
    started = time.monotonic()
    try:
        if check.isolated:
            result = _run_isolated(check, comment, request_info, timeout)
        else:
            result = check.check_within(comment, request_info, timeout=timeout)
    except Exception as error:
        logger.exception("Spam check %s failed on comment %s", check.name, comment.pk)
        return CheckResult(
            Verdict.FAILED, reason=f"Check failed: {type(error).__name__}: {error}"[:500]
        )
    elapsed = time.monotonic() - started
    if elapsed > timeout:
        logger.warning("Spam check %s took %.1fs on comment %s", check.name, elapsed, comment.pk)
        return CheckResult(
            Verdict.FAILED, reason=f"Check failed: took {elapsed:.1f}s (timeout {timeout:g}s)"
        )
    if not isinstance(result, CheckResult):
        return CheckResult(Verdict.FAILED, reason=f"Check failed: returned {result!r}"[:500])
    return result


def _run_isolated(check: SpamCheck, comment, request_info, timeout: float) -> CheckResult:
    box: dict = {}

    def target():
        try:
            box["result"] = check.check_within(comment, request_info, timeout=timeout)
        except Exception as error:  # re-raised in the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, name=f"spam-check-{check.name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _run_on_budget(
    check: SpamCheck, comment, request_info, *, left: float, budget: float
) -> tuple[CheckResult, float]:
    """Run a network check with at most ``left`` of the request's ``budget``
    seconds; return its result and the seconds it spent."""
    later = "recheck_comments finishes it with the full timeout"
    if left <= 0:
        reason = (
            f"Check failed: not run, the request's {budget:g}s budget for network checks "
            f"was spent; {later}"
        )
        return CheckResult(Verdict.FAILED, reason=reason), 0.0
    timeout = min(check.timeout, left)
    started = time.monotonic()
    result = run_check(check, comment, request_info, timeout=timeout)
    spent = time.monotonic() - started
    cut_short = timeout < check.timeout and spent >= timeout * 0.9
    if result.verdict == Verdict.FAILED and cut_short:
        logger.warning(
            "Spam check %s ran out of the request's budget on comment %s", check.name, comment.pk
        )
        reason = (
            f"Check failed: timeout, no answer within {timeout:.2g}s, what was left of the "
            f"request's {budget:g}s budget for network checks; {later}"
        )
        result = CheckResult(Verdict.FAILED, reason=reason)
    return result, spent


def run_pipeline(
    comment,
    request_info,
    checks: list[SpamCheck] | None = None,
    *,
    network_budget: float | None = None,
):
    """Run every check; return ``(verdict, [CheckOutcome, ...])``.

    ``network_budget``: seconds the network (``isolated``) checks may spend in
    total, when they run in the reader's request; None: each has its own timeout.
    """
    left = network_budget
    outcomes = []
    for check in get_checks() if checks is None else checks:
        if check.isolated and network_budget is not None:
            result, spent = _run_on_budget(
                check, comment, request_info, left=left, budget=network_budget
            )
            left -= spent
        else:
            result = run_check(check, comment, request_info)
        outcomes.append(CheckOutcome(check.name, result))
    return combine([o.result for o in outcomes]), outcomes


# --- Built-in checks ----------------------------------------------------------------

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
        from comments.models import SpamRule

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
        from comments.models import SpamRule

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
        from comments import ratelimit

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
        from comments.models import Comment

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
        from comments.models import Comment

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


class ClassifierCheck(SpamCheck):
    """A naive Bayes classifier that learns from moderators' decisions
    (``comments.classifier``). Its verdict counts once it has learnt from
    ``min_examples`` comments (``COMMENTS_CLASSIFIER_MIN_EXAMPLES``)."""

    def __init__(
        self, spam_at: float = 0.95, hold_at: float = 0.6, min_examples: int | None = None
    ):
        self.spam_at = spam_at
        self.hold_at = hold_at
        self.min_examples = min_examples or settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES

    def check(self, comment, request_info):
        from comments import classifier

        probability, examples = classifier.spam_probability(comment)
        text = f"Spam probability {probability:.0%} (learnt from {examples} comments)"
        if examples < self.min_examples:
            return CheckResult(
                Verdict.NO_OPINION,
                score=probability,
                reason=f"Still learning: {examples} of {self.min_examples} examples. " + text,
            )
        if probability >= self.spam_at:
            return CheckResult(Verdict.SPAM, score=probability, reason=text)
        if probability >= self.hold_at:
            return CheckResult(Verdict.HOLD, score=probability, reason=text)
        return CheckResult(Verdict.NO_OPINION, score=probability, reason=text)

    def learn(self, comment, *, is_spam: bool) -> None:
        from comments import classifier

        classifier.learn(comment, is_spam=is_spam)


class AkismetCheck(SpamCheck):
    """Asks Akismet (``comments.akismet``). On only when ``AKISMET_API_KEY`` is set.

    ``true`` → spam; ``true`` with ``X-akismet-pro-tip: discard`` → certain spam;
    ``false`` → no opinion; an error, a timeout or an ``X-akismet-error`` header
    → the check fails and the comment is held (and the checks can be re-run).
    """

    isolated = True

    def __init__(self, timeout: float = 5.0):
        self.timeout = timeout

    def check(self, comment, request_info):
        return self.check_within(comment, request_info, timeout=self.timeout)

    def check_within(self, comment, request_info, *, timeout):
        from comments import akismet

        if not settings.AKISMET_API_KEY:
            return CheckResult(Verdict.NO_OPINION, reason="Akismet is not configured")
        answer = akismet.comment_check(comment, request_info, timeout=timeout)
        if answer.discard:
            return CheckResult(
                Verdict.SPAM, score=1.0, reason="Akismet: blatant spam (pro-tip: discard)"
            )
        if answer.is_spam:
            return CheckResult(Verdict.SPAM, score=0.9, reason="Akismet: spam")
        return CheckResult(Verdict.NO_OPINION, score=0.0, reason="Akismet: not spam")

    def learn(self, comment, *, is_spam: bool) -> None:
        from comments import akismet

        if not settings.AKISMET_API_KEY:
            return
        record = comment.check_records.filter(check_name=self.name).first()
        believes_spam = record is not None and record.verdict == Verdict.SPAM
        if is_spam == believes_spam:
            return  # Akismet already agrees; only overrides are reported
        akismet.submit(comment, is_spam=is_spam, timeout=self.timeout)
        if record is not None:
            # Akismet now knows the moderator's view; a later change is reported again.
            record.verdict = Verdict.SPAM if is_spam else Verdict.NO_OPINION
            record.reason = (
                f"Reported to Akismet as {'spam' if is_spam else 'not spam'} by a moderator"
            )
            record.save(update_fields=["verdict", "reason"])
