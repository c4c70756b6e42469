"""The classifier check: a naive Bayes classifier (``comments.classifier``)
that learns from moderators' decisions and scores new comments.

Named in ``settings.COMMENTS_SPAM_CHECKS`` as
``comments.spam.classifier.ClassifierCheck``.
"""

from django.conf import settings

from comments import classifier
from comments.spam.base import CheckResult, SpamCheck
from comments.verdicts import Verdict


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
        classifier.learn(comment, is_spam=is_spam)
