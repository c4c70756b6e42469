"""Spam checks: a pipeline of checks that looks at every new comment.

A comment is stored as *pending* first; the checks run afterwards, in a
background task (``comments.tasks.check_comment``), so a slow or broken check
never slows the comment form or loses a comment.

The package
-----------
- ``comments.spam.base``: ``SpamCheck``, the class every check subclasses, and
  ``CheckResult``, what a check returns (``Verdict`` is ``comments.verdicts``'s);
- ``comments.spam.pipeline``: the registry (``get_checks``), running the
  checks on time (``run_pipeline``) and how their verdicts combine (``combine``);
- ``comments.spam.checks``: the local checks (honeypot, time trap, links, word
  lists, blocklists, rate, duplicates, trusted authors);
- ``comments.spam.akismet`` and ``comments.spam.classifier``: the two checks
  that learn from moderators (they write through ``comments.services``);
- ``comments.spam.tokens``: the proofs a reader's browser carries — the
  form's time token (bound to an article and a visitor, good for one comment)
  and the commenter key a returning commenter is trusted by.

Everything a check author needs is importable from ``comments.spam`` itself.

Configuring
-----------
``settings.COMMENTS_SPAM_CHECKS`` lists the checks in the shape of Django's
``AUTH_PASSWORD_VALIDATORS``::

    COMMENTS_SPAM_CHECKS = [
        {"NAME": "comments.spam.checks.HoneypotCheck"},
        {"NAME": "comments.spam.checks.LinkCountCheck", "OPTIONS": {"hold_at": 2}},
        {"NAME": "comments.spam.akismet.AkismetCheck"},
        {"NAME": "myproject.checks.NoShoutingCheck"},
    ]

``OPTIONS`` are passed to ``__init__`` as keyword arguments. The names from
before the package (``comments.spam.HoneypotCheck``, ``comments.spam.AkismetCheck``,
…) still work.

How verdicts combine
--------------------
Each check returns a ``CheckResult``: a verdict (``spam``, ``hold``,
``approve`` or ``no_opinion``), a score between 0 and 1 and a reason a
moderator can read. The pipeline combines them by this rule, first match wins:

1. any check says **spam** → the comment is marked spam;
2. any check **failed** (raised, or ran past its ``timeout``) → held for a
   moderator: a failure never approves a comment by accident;
3. a check says **approve** with ``trusted=True`` (an author who proved to be
   a trusted one: a logged-in account, or the commenter key of an approved
   comment; name and email alone prove nothing) → approved, even if others
   say hold (WordPress's default, with proof);
4. any check says **hold** → held;
5. any check says **approve** → approved;
6. nobody had an opinion → held.

A moderator's decision always wins: checks run again on a comment a moderator
already decided are recorded, and change nothing.

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

``check(comment, request_info)`` takes the stored ``Comment`` and a
``comments.services.RequestInfo`` and returns a ``CheckResult``; ``learn(comment,
*, is_spam)`` (optional) hears each moderator's approve or spam decision; a check
that records something about a comment does it through ``comments.services``.
``SpamCheck``'s docstrings say the rest.

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
The form's signals (honeypot, time token, the visitor it was posted by) are
stored with the comment (``Comment.spam_signals``; the token's nonce and the
commenter key's hash in their own columns), so a check run later by a worker,
``recheck_comments`` or a moderator judges with them. What was never recorded
(comments from before they were stored, the posting rate) is no evidence:
those checks have no opinion on a re-run (``request_info.rerun`` is True).
"""

from comments.spam.base import CheckResult, SpamCheck
from comments.spam.checks import (
    HONEYPOT_FIELD,
    NOT_RECORDED,
    BlocklistCheck,
    DisallowedWordsCheck,
    DuplicateCheck,
    HoneypotCheck,
    LinkCountCheck,
    ModerationWordsCheck,
    RateLimitCheck,
    TimestampCheck,
    TrustedAuthorCheck,
    count_links,
)
from comments.spam.pipeline import CheckOutcome, combine, get_checks, run_check, run_pipeline
from comments.spam.tokens import (
    TIMESTAMP_FIELD,
    VISITOR_FIELD,
    form_timestamp_token,
    issue_form_token,
    read_form_token,
)
from comments.verdicts import Verdict

__all__ = [
    "HONEYPOT_FIELD",
    "NOT_RECORDED",
    "TIMESTAMP_FIELD",
    "BlocklistCheck",
    "CheckOutcome",
    "CheckResult",
    "DisallowedWordsCheck",
    "DuplicateCheck",
    "HoneypotCheck",
    "LinkCountCheck",
    "ModerationWordsCheck",
    "RateLimitCheck",
    "SpamCheck",
    "TimestampCheck",
    "TrustedAuthorCheck",
    "VISITOR_FIELD",
    "Verdict",
    "combine",
    "count_links",
    "form_timestamp_token",
    "get_checks",
    "issue_form_token",
    "read_form_token",
    "run_check",
    "run_pipeline",
]
