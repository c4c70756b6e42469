"""The local spam classifier, kept in the database and shared by every app server.

The model itself (features, counts, calibration) is ``comments.textmodel``;
this module stores it in one ``ClassifierModel`` row, keeps a copy per process
(reloaded when the row's ``version`` moves on), scores comments
(``spam_probability``) and teaches it moderators' decisions (``learn``, and
``learn_bulk`` for a site's history, ``comments_teach_classifier``). What a
comment was learnt as (``Comment.trained_as``, ``trained_score``) is written
through ``comments.services``, so a moderator who changes their mind un-teaches
the first lesson exactly before the second is learnt.

The check that uses it is ``comments.spam.classifier.ClassifierCheck``.
"""

import threading
from collections.abc import Iterable

from django.db import transaction

from comments.models import ClassifierModel, Comment
from comments.services import comments_mark_trained
from comments.textmodel import (
    FEATURES_VERSION,
    CommentText,
    TextModel,
    calibration_point,
    dump_counts,
    features,
    load_counts,
)

_cache = threading.local()


def spam_probability(comment) -> tuple[float, int]:
    """``(calibrated probability that the comment is spam, comments learnt from)``."""
    model = current_model()
    if not model.spam_count or not model.ham_count:
        return 0.5, model.examples
    return model.probability(features(CommentText.of(comment))), model.examples


def current_model() -> TextModel:
    """The stored model, from this process's copy while the row has not changed."""
    row = ClassifierModel.objects.filter(pk=1).values("version", "features_version").first()
    if row is None or row["features_version"] != FEATURES_VERSION:
        return TextModel()
    cached = getattr(_cache, "model", None)
    if cached is not None and cached[0] == row["version"]:
        return cached[1]
    stored = ClassifierModel.objects.filter(pk=1).first()
    model = _from_row(stored) if stored is not None else TextModel()
    _cache.model = (stored.version if stored is not None else 0, model)
    return model


def learn(comment, *, is_spam: bool) -> None:
    """Learn ``comment`` as spam or ham; a comment learnt the other way before is
    un-learnt first, and learning it the same way twice changes nothing."""
    learn_bulk([(comment, is_spam)])


@transaction.atomic
def learn_bulk(lessons: Iterable[tuple[Comment, bool]]) -> int:
    """Learn many ``(comment, is_spam)`` at once (one write of the model);
    return how many lessons changed it."""
    row, _ = ClassifierModel.objects.select_for_update().get_or_create(pk=1)
    model = _from_row(row)
    lessons = list(lessons)
    current = {
        c.pk: c
        for c in Comment.objects.select_for_update().filter(pk__in=[c.pk for c, _ in lessons])
    }
    learnt = []
    for comment, is_spam in lessons:
        stored = current.get(comment.pk)
        label = "spam" if is_spam else "ham"
        if stored is None or stored.trained_as == label:
            continue
        buckets = features(CommentText.of(stored))
        if stored.trained_as and stored.trained_score is not None:
            model.learn(
                buckets, is_spam=stored.trained_as == "spam", sign=-1, at=stored.trained_score
            )
            score = stored.trained_score  # the same honest, before-learning score
        else:
            score = calibration_point(model.score(buckets))
        model.learn(buckets, is_spam=is_spam, at=score)
        stored.trained_as, stored.trained_score = label, score
        learnt.append((stored, label, score))
    if learnt:
        _save(row, model)
        comments_mark_trained(lessons=learnt)
        for comment, _ in lessons:
            if comment.pk in current:
                comment.trained_as = current[comment.pk].trained_as
    return len(learnt)


def _from_row(row: ClassifierModel) -> TextModel:
    model = TextModel()
    if row.features_version != FEATURES_VERSION or not row.counts:
        return model  # stored by other features: their counts mean nothing now
    load_counts(bytes(row.counts), model)
    model.spam_count, model.ham_count = row.spam_count, row.ham_count
    model.bins_spam = list(row.calibration.get("spam", model.bins_spam))
    model.bins_ham = list(row.calibration.get("ham", model.bins_ham))
    return model


def _save(row: ClassifierModel, model: TextModel) -> None:
    row.features_version = FEATURES_VERSION
    row.version += 1
    row.counts = dump_counts(model)
    row.spam_count, row.ham_count = model.spam_count, model.ham_count
    row.calibration = {"spam": model.bins_spam, "ham": model.bins_ham}
    row.save()
    _cache.model = (row.version, model)
