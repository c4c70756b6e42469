"""The spam checks as a package (issue #12): the check names a site's settings
used before the package still load, and the checks that write do it through
``comments.services``."""

import pytest

from comments import akismet, services
from comments.spam import get_checks
from comments.spam.akismet import AkismetCheck
from comments.spam.classifier import ClassifierCheck

OLD_NAMES = [
    "HoneypotCheck",
    "TimestampCheck",
    "BlocklistCheck",
    "DisallowedWordsCheck",
    "ModerationWordsCheck",
    "LinkCountCheck",
    "RateLimitCheck",
    "DuplicateCheck",
    "TrustedAuthorCheck",
    "AkismetCheck",
    "ClassifierCheck",
]


def test_the_check_names_from_before_the_package_still_load(settings):
    settings.COMMENTS_SPAM_CHECKS = [{"NAME": f"comments.spam.{name}"} for name in OLD_NAMES]
    assert [check.name for check in get_checks()] == OLD_NAMES


def test_the_default_settings_name_every_check_by_its_module(settings):
    checks = get_checks()
    assert [check.name for check in checks] == OLD_NAMES
    assert isinstance(checks[-2], AkismetCheck)
    assert isinstance(checks[-1], ClassifierCheck)


@pytest.mark.django_db
def test_akismet_records_a_reported_decision_through_the_services(
    comment_factory, settings, monkeypatch
):
    settings.COMMENTS_AKISMET_API_KEY = "key"
    comment = comment_factory(status="pending")
    comment.check_records.create(check_name="AkismetCheck", verdict="no_opinion", reason="ham")
    written = []
    monkeypatch.setattr(akismet, "submit", lambda comment, *, is_spam, timeout: None)
    monkeypatch.setattr(
        "comments.spam.akismet.check_record_update",
        lambda **kwargs: written.append(kwargs) or services.check_record_update(**kwargs),
    )
    AkismetCheck().learn(comment, is_spam=True)
    assert [w["verdict"] for w in written] == ["spam"]
    assert comment.check_records.get().reason == "Reported to Akismet as spam by a moderator"
