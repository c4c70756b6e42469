"""Train the comment classifier on part of a labelled corpus and measure it on the rest.

    .venv/bin/python bench/classifier.py [--corpus tests/data/comment_corpus.csv] [--train 0.7]

Runs against a throwaway SQLite database; prints precision, recall and
accuracy for spam, and the verdicts the ClassifierCheck would give.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "tests" / "data" / "comment_corpus.csv"))
    parser.add_argument("--train", type=float, default=0.7, help="share of the corpus to train on")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

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
    print(report(evaluate(load(args.corpus), args.train, args.seed)))


def load(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate(rows, train_share, seed) -> dict:
    """Train on ``train_share`` of ``rows``, classify the rest; return the figures."""
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article
    from comments import classifier
    from comments.models import Comment
    from comments.spam import Verdict
    from comments.spam.classifier import ClassifierCheck

    rows = rows[:]
    random.Random(seed).shuffle(rows)
    cut = int(len(rows) * train_share)
    train, test = rows[:cut], rows[cut:]
    author, _ = User.objects.get_or_create(username="classifier-bench")
    article = Article.objects.create(title="Bench", author=author, status="published")

    def stored(row):
        return Comment.objects.create(
            article=article,
            author_name=row["author_name"][:100],
            author_email=row["author_email"][:254],
            author_url=row["author_url"][:200],
            body=row["body"],
            created_at=timezone.now(),
        )

    for row in train:
        classifier.learn(stored(row), is_spam=row["label"] == "spam")

    check = ClassifierCheck(min_examples=1)
    tp = fp = tn = fn = 0
    verdicts = dict.fromkeys(Verdict, 0)
    for row in test:
        comment = stored(row)
        probability, _ = classifier.spam_probability(comment)
        verdicts[check.check(comment, None).verdict] += 1
        predicted, actual = probability >= 0.5, row["label"] == "spam"
        tp += predicted and actual
        fp += predicted and not actual
        tn += not predicted and not actual
        fn += not predicted and actual
    return {
        "corpus": len(rows),
        "trained": len(train),
        "tested": len(test),
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "accuracy": (tp + tn) / len(test),
        "confusion": {"spam caught": tp, "spam missed": fn, "ham flagged": fp, "ham passed": tn},
        "verdicts": {v.value: n for v, n in verdicts.items() if n},
    }


def report(figures: dict) -> str:
    c = figures["confusion"]
    return "\n".join(
        [
            f"corpus: {figures['corpus']} comments; trained on {figures['trained']}, tested on {figures['tested']}",
            f"spam at p >= 0.5: precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
            f"accuracy {figures['accuracy']:.3f}",
            f"confusion: {c['spam caught']} spam caught, {c['spam missed']} spam missed, "
            f"{c['ham flagged']} ham flagged, {c['ham passed']} ham passed",
            "ClassifierCheck verdicts on the test set: "
            + ", ".join(f"{v} {n}" for v, n in figures["verdicts"].items()),
        ]
    )


if __name__ == "__main__":
    main()
