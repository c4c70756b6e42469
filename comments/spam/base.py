"""The contract between the pipeline and a check: ``SpamCheck`` and ``CheckResult``.

Every check subclasses ``SpamCheck``; the pipeline (``comments.spam.pipeline``)
calls ``check`` or ``check_within`` and, when a moderator decides, ``learn``.
The manual for writing a check is the docstring of ``comments.spam``.
"""

from dataclasses import dataclass

from comments.verdicts import Verdict


@dataclass(frozen=True)
class CheckResult:
    """One check's answer about one comment."""

    verdict: Verdict
    #: How sure the check is that the comment is spam, from 0 to 1 (shown to moderators).
    score: float = 0.0
    #: Why, in words a moderator reads in the admin (cut to 500 characters).
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
        """The name its results are recorded under (``CheckRecord.check_name``)."""
        return type(self).__name__

    def check(self, comment, request_info) -> CheckResult:
        """Look at a stored comment and what the request told about it.

        Args:
            comment: the ``comments.models.Comment``, already saved as pending.
            request_info: a ``comments.services.RequestInfo`` — ``ip_address``,
                ``user_agent``, ``referrer``, ``extra`` (the form's extra
                fields, such as the honeypot) and ``rerun`` (True when the
                checks run again later from what was stored).

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
        learn (the classifier) or report back (Akismet) override this.

        Runs in a background task (``comments.tasks.learn_from_moderator``);
        what it raises is logged. A check that keeps something about the
        comment writes it through ``comments.services``, never directly."""
