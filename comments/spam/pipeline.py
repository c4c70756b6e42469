"""The pipeline: which checks run (the registry), how each run is timed and
how their verdicts combine into one.

``comments.services.comment_run_checks`` runs it on every new comment (through
the ``check_comment`` task) and whenever checks are re-run; the admin's "held by
check" filter lists the registry. The rules are told in ``comments.spam``'s
docstring.
"""

import logging
import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from comments.spam.base import CheckResult, SpamCheck
from comments.verdicts import Verdict

logger = logging.getLogger(__name__)

#: Where checks that moved out of ``comments.spam`` live now, so a site's
#: settings that still name them the old way keep working.
MOVED_CHECKS = {
    "comments.spam.AkismetCheck": "comments.spam.akismet.AkismetCheck",
    "comments.spam.ClassifierCheck": "comments.spam.classifier.ClassifierCheck",
}


@dataclass(frozen=True)
class CheckOutcome:
    """What one check of a run concluded, under the name it is recorded by."""

    name: str
    result: CheckResult


# -- The registry ---------------------------------------------------------------------


@cache
def _load_checks(config: tuple) -> list[SpamCheck]:
    checks = []
    for entry in config:
        entry = dict(entry)
        path = MOVED_CHECKS.get(entry["NAME"], entry["NAME"])
        try:
            cls = import_string(path)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"COMMENTS_SPAM_CHECKS: cannot import {entry['NAME']!r}"
            ) from error
        checks.append(cls(**dict(entry.get("OPTIONS", {}))))
    return checks


def get_checks() -> list[SpamCheck]:
    """The checks ``settings.COMMENTS_SPAM_CHECKS`` lists, in order, each built
    with its ``OPTIONS`` (built once per configuration)."""
    config = tuple(
        (("NAME", entry["NAME"]), ("OPTIONS", tuple(sorted(entry.get("OPTIONS", {}).items()))))
        for entry in settings.COMMENTS_SPAM_CHECKS
    )
    return _load_checks(config)


# -- How verdicts combine ---------------------------------------------------------------


def combine(results: list[CheckResult]) -> Verdict:
    """The pipeline's verdict from its checks' results (see ``comments.spam``)."""
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


# -- Running checks, on time --------------------------------------------------------------


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
) -> tuple[Verdict, list[CheckOutcome]]:
    """Run every check (default: ``get_checks()``); return ``(verdict, [CheckOutcome, ...])``.

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
