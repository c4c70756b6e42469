"""Measure the comment classifier on labelled comments it never saw, against a baseline.

    .venv/bin/python bench/classifier.py --train A.csv [B.csv ...] --test C.csv \\
        [--text-column body --label-column label --author-column author_name]

Trains our classifier (through the real database path, on a throwaway SQLite
database) and a TF-IDF + logistic regression baseline (scikit-learn, when it is
importable; skipped with a message otherwise) on the --train files, scores the
--test file with both and prints JSON: precision, recall, F1 and accuracy of
the call at p >= 0.5 (a spam comment held for a moderator counts as caught),
ROC AUC, the false-spam rate (legitimate comments the pipeline would mark spam
on the classifier's word: none unless COMMENTS_CLASSIFIER_SPAM_THRESHOLD is
set, so the rate at 0.95 is given too), the hold rate, the calibration by
bucket and the seconds to learn and to score 1,000 comments.

A label is spam when it reads spam, 1, 1.0, true or yes (any case).
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPAM_LABELS = {"spam", "1", "1.0", "true", "yes"}


def main(argv=None) -> dict:
    args = parse(argv)
    train = [row for path in args.train for row in load(path, args)]
    test = load(args.test, args)
    _setup_django()
    figures = {
        "train": [str(p) for p in args.train],
        "test": str(args.test),
        "trained": len(train),
        "tested": len(test),
        "spam_in_test": sum(label for _, label in test),
        "ours": measure_ours(train, test),
        "baseline": measure_baseline(train, test),
    }
    print(json.dumps(figures, indent=2))
    return figures


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", nargs="+", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--text-column", default="body")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--author-column", default="author_name")
    return parser.parse_args(argv)


def load(path, args) -> list[tuple[dict, bool]]:
    """``(comment fields, is spam)`` for each row of a CSV file."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (
            {
                "body": row[args.text_column] or "",
                "author_name": (row.get(args.author_column) or "")[:100],
                "author_email": (row.get("author_email") or "")[:254],
                "author_url": (row.get("author_url") or "")[:200],
            },
            row[args.label_column].strip().lower() in SPAM_LABELS,
        )
        for row in rows
        if (row.get(args.label_column) or "").strip()
    ]


def _setup_django() -> None:
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure_ours(train, test) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article
    from comments import classifier
    from comments.models import Comment

    author, _ = User.objects.get_or_create(username="classifier-bench")
    article = Article.objects.create(title="Bench", author=author, status="published")
    now = timezone.now()
    made = Comment.objects.bulk_create(
        Comment(article=article, created_at=now, **fields) for fields, _ in train + test
    )
    train_comments, test_comments = made[: len(train)], made[len(train) :]
    started = time.perf_counter()
    classifier.learn_bulk(zip(train_comments, [label for _, label in train], strict=True))
    learn_seconds = time.perf_counter() - started
    started = time.perf_counter()
    probabilities = [classifier.spam_probability(c)[0] for c in test_comments]
    score_seconds = time.perf_counter() - started
    return figures_for(
        [label for _, label in test],
        probabilities,
        spam_at=settings.COMMENTS_CLASSIFIER_SPAM_THRESHOLD,
        learn_seconds=learn_seconds * 1000 / max(len(train), 1),
        score_seconds=score_seconds * 1000 / max(len(test), 1),
    )


def measure_baseline(train, test) -> dict:
    """TF-IDF + logistic regression (scikit-learn's defaults), as in the issue."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return {"skipped": "scikit-learn is not installed (pip install scikit-learn)"}
    started = time.perf_counter()
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([fields["body"] for fields, _ in train])
    model = LogisticRegression(max_iter=1000).fit(matrix, [label for _, label in train])
    learn_seconds = time.perf_counter() - started
    started = time.perf_counter()
    probabilities = [
        float(model.predict_proba(vectorizer.transform([fields["body"]]))[0, 1])
        for fields, _ in test
    ]
    score_seconds = time.perf_counter() - started
    return figures_for(
        [label for _, label in test],
        probabilities,
        spam_at=0.95,  # the old pipeline's rule, the yardstick
        learn_seconds=learn_seconds * 1000 / max(len(train), 1),
        score_seconds=score_seconds * 1000 / max(len(test), 1),
    )


def figures_for(labels, probabilities, *, spam_at, learn_seconds, score_seconds) -> dict:
    pairs = list(zip(probabilities, labels, strict=True))
    tp = sum(p >= 0.5 and y for p, y in pairs)
    fp = sum(p >= 0.5 and not y for p, y in pairs)
    fn = sum(p < 0.5 and y for p, y in pairs)
    tn = len(pairs) - tp - fp - fn
    ham = max(fp + tn, 1)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if tp else 0.0,
        "accuracy": round((tp + tn) / max(len(pairs), 1), 4),
        "roc_auc": round(roc_auc(pairs), 4),
        "spam_threshold": spam_at,
        "false_spam_rate": round(
            sum(spam_at is not None and p >= spam_at and not y for p, y in pairs) / ham, 4
        ),
        "false_spam_rate_at_0.95": round(sum(p >= 0.95 and not y for p, y in pairs) / ham, 4),
        "hold_rate": round(
            sum(p >= 0.5 and (spam_at is None or p < spam_at) for p, _ in pairs)
            / max(len(pairs), 1),
            4,
        ),
        "calibration": calibration(pairs),
        "seconds_to_learn_1000": round(learn_seconds, 4),
        "seconds_to_score_1000": round(score_seconds, 4),
    }


def roc_auc(pairs) -> float:
    """The chance a random spam comment scores above a random legitimate one."""
    ranked = sorted(pairs, key=lambda pair: pair[0])
    spam = sum(y for _, y in pairs)
    ham = len(pairs) - spam
    if not spam or not ham:
        return 0.0
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # ties share their ranks
        rank_sum += average_rank * sum(y for _, y in ranked[i:j])
        i = j
    return (rank_sum - spam * (spam + 1) / 2) / (spam * ham)


def calibration(pairs, buckets: int = 5) -> list[dict]:
    """Per probability bucket: how many comments, mean predicted, share that was spam."""
    rows = []
    for index in range(buckets):
        low, high = index / buckets, (index + 1) / buckets
        inside = [(p, y) for p, y in pairs if low <= p < high or (index == buckets - 1 and p == 1)]
        if inside:
            rows.append(
                {
                    "bucket": f"{low:.1f}-{high:.1f}",
                    "comments": len(inside),
                    "predicted": round(sum(p for p, _ in inside) / len(inside), 3),
                    "observed": round(sum(y for _, y in inside) / len(inside), 3),
                }
            )
    return rows


if __name__ == "__main__":
    main()
