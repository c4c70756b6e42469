"""The Akismet check: asks Akismet's service about each comment and reports a
moderator's disagreement back. The HTTP client is ``comments.akismet``.

Named in ``settings.COMMENTS_SPAM_CHECKS`` as ``comments.spam.akismet.AkismetCheck``.
"""

from django.conf import settings

from comments import akismet
from comments.services import check_record_update
from comments.spam.base import CheckResult, SpamCheck
from comments.verdicts import Verdict


class AkismetCheck(SpamCheck):
    """Asks Akismet (``comments.akismet``). On only when ``COMMENTS_AKISMET_API_KEY`` is set.

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
        if not settings.COMMENTS_AKISMET_API_KEY:
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
        """Report the moderator's decision to Akismet when it disagreed, and
        record that it now knows (so a later change of mind is reported again)."""
        if not settings.COMMENTS_AKISMET_API_KEY:
            return
        record = comment.check_records.filter(check_name=self.name).first()
        believes_spam = record is not None and record.verdict == Verdict.SPAM
        if is_spam == believes_spam:
            return  # Akismet already agrees; only overrides are reported
        akismet.submit(comment, is_spam=is_spam, timeout=self.timeout)
        if record is not None:
            check_record_update(
                record=record,
                verdict=Verdict.SPAM if is_spam else Verdict.NO_OPINION,
                reason=f"Reported to Akismet as {'spam' if is_spam else 'not spam'} by a moderator",
            )
