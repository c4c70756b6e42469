"""The local classifier learns from moderators and scores new comments."""

from pathlib import Path

import pytest

from comments import classifier
from comments.models import ClassifierTotals, Comment
from comments.services import comment_moderate
from comments.spam import Verdict
from comments.spam.classifier import ClassifierCheck

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "data" / "comment_corpus.csv"

SPAM = [
    "Buy cheap viagra online https://pills.example best price pharmacy",
    "Best casino bonus, free spins https://casino.example win money now",
    "Cheap replica watches https://replica.example discount luxury",
    "Earn money from home with forex https://forex.example guaranteed profit",
    "Great post! Visit my site https://seo.example for backlinks cheap",
]
HAM = [
    "The second paragraph misreads the ministry's figures; the report says otherwise.",
    "Thanks for reposting this, I had not seen the original article.",
    "I live near the border and the patrols have indeed increased this summer.",
    "Does anyone know whether the amnesty covered foreign fighters as well?",
    "Interesting analysis, though I think the timeline is off by a month.",
]


def stored(comment_factory, article, body):
    return comment_factory(article=article, body=body, status="pending", author_url="")


@pytest.fixture
def trained(comment_factory, article_factory):
    article = article_factory()
    for _ in range(3):
        for body in SPAM:
            classifier.learn(stored(comment_factory, article, body), is_spam=True)
        for body in HAM:
            classifier.learn(stored(comment_factory, article, body), is_spam=False)
    return article


def test_untrained_classifier_has_no_opinion(comment_factory, article_factory):
    comment = stored(comment_factory, article_factory(), SPAM[0])
    result = ClassifierCheck().check(comment, None)
    assert result.verdict == Verdict.NO_OPINION
    assert result.reason.startswith("Still learning")


def test_trained_classifier_scores_spam_high_and_ham_low(trained, comment_factory):
    spammy = stored(comment_factory, trained, "cheap viagra pharmacy https://pills.example price")
    hammy = stored(
        comment_factory, trained, "The ministry's report on the border patrols says otherwise."
    )
    assert classifier.spam_probability(spammy)[0] > 0.9
    assert classifier.spam_probability(hammy)[0] < 0.1
    check = ClassifierCheck(min_examples=10)
    assert check.check(spammy, None).verdict == Verdict.SPAM
    assert check.check(hammy, None).verdict == Verdict.NO_OPINION


def test_verdict_counts_only_after_enough_examples(trained, comment_factory):
    spammy = stored(comment_factory, trained, "cheap viagra pharmacy https://pills.example price")
    assert ClassifierCheck(min_examples=1000).check(spammy, None).verdict == Verdict.NO_OPINION


def test_moderator_decisions_train_it_and_a_change_of_mind_unlearns(
    comment_factory, article_factory, moderator, django_capture_on_commit_callbacks
):
    comment = stored(comment_factory, article_factory(), "cheap pills")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="spam", moderator=moderator)
    totals = ClassifierTotals.objects.get()
    assert (totals.spam_count, totals.ham_count) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="approved", moderator=moderator)
    totals.refresh_from_db()
    assert (totals.spam_count, totals.ham_count) == (0, 1)
    assert Comment.objects.get(pk=comment.pk).trained_as == "ham"


def test_automatic_verdicts_do_not_train_it(
    comment_factory, article_factory, django_capture_on_commit_callbacks
):
    comment = stored(comment_factory, article_factory(), "cheap pills")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, status="spam", moderator=None)
    assert not ClassifierTotals.objects.filter(spam_count__gt=0).exists()


@pytest.mark.skipif(not CORPUS.exists(), reason="tests/data/comment_corpus.csv is missing")
def test_classifier_separates_the_labelled_corpus():
    """Trained on 70% of the corpus (the benchmark's measurement), it must catch
    most spam and flag little real comment."""
    from bench.classifier import evaluate, load

    figures = evaluate(load(CORPUS), train_share=0.7, seed=3)
    assert figures["precision"] >= 0.85
    assert figures["recall"] >= 0.8
