"""What a spam check, and the pipeline of checks, can conclude about a comment.

Its own tiny module so that the models (``Comment.check_verdict``,
``CheckRecord.verdict`` and the queries on them), the services and the spam
checks all import it at the top, none of them through another.
"""

from enum import StrEnum


class Verdict(StrEnum):
    SPAM = "spam"
    HOLD = "hold"
    APPROVE = "approve"
    NO_OPINION = "no_opinion"
    #: Recorded by the pipeline, never returned by a check: it raised or timed out.
    FAILED = "failed"
