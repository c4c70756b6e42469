"""The classifier check: the local classifier (``comments.classifier``), which
learns from moderators' decisions and scores new comments.

It never marks a comment spam on its own: at or above ``hold_at`` it holds the
comment for a moderator, who sees its score. Only a site owner who measured it
(``bench/classifier.py``) and set ``COMMENTS_CLASSIFIER_SPAM_THRESHOLD`` lets it
mark spam outright, above that probability.

Named in ``settings.COMMENTS_SPAM_CHECKS`` as
``comments.spam.classifier.ClassifierCheck``.
"""

from django.conf import settings

from comments import classifier
from comments.spam.base import CheckResult, SpamCheck
from comments.verdicts import Verdict


class ClassifierCheck(SpamCheck):
    """The local classifier (``comments.classifier``). Its verdict counts once
    it has learnt from ``min_examples`` comments
    (``COMMENTS_CLASSIFIER_MIN_EXAMPLES``): hold at a probability of ``hold_at``
    or more; spam only at ``spam_at`` or more, and only when set
    (``COMMENTS_CLASSIFIER_SPAM_THRESHOLD``; None by default: never)."""

    def __init__(
        self,
        hold_at: float = 0.5,
        spam_at: float | None = None,
        min_examples: int | None = None,
    ):
        self.hold_at = hold_at
        self.spam_at = (
            spam_at if spam_at is not None else settings.COMMENTS_CLASSIFIER_SPAM_THRESHOLD
        )
        self.min_examples = min_examples or settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES

    def check(self, comment, request_info):
        probability, examples = classifier.spam_probability(comment)
        text = f"Spam probability {probability:.0%} (learnt from {examples} comments)"
        if examples < self.min_examples:
            return CheckResult(
                Verdict.NO_OPINION,
                score=probability,
                reason=f"Still learning: {examples} of {self.min_examples} examples. " + text,
            )
        if self.spam_at is not None and probability >= self.spam_at:
            return CheckResult(
                Verdict.SPAM, score=probability, reason=f"{text}; spam from {self.spam_at:.0%}"
            )
        if probability >= self.hold_at:
            return CheckResult(
                Verdict.HOLD, score=probability, reason=f"{text}: held for a moderator"
            )
        return CheckResult(Verdict.NO_OPINION, score=probability, reason=text)

    def learn(self, comment, *, is_spam: bool) -> None:
        classifier.learn(comment, is_spam=is_spam)

    def learn_bulk(self, lessons: list) -> int:
        """Learn many ``(comment, is_spam)`` at once (a site's history)."""
        return classifier.learn_bulk(lessons)
