"""A naive Bayes spam classifier that learns from moderators. Pure Python.

Every approve or spam decision a moderator makes trains it (``learn``); it
scores new comments (``spam_probability``). Tokens are the comment's words,
the domains it links to, how many links it has, and a little metadata (the
email's domain, whether a website is given). Counts live in the database
(``ClassifierToken``, ``ClassifierTotals``), so every app server shares them;
what a comment was learnt as (``Comment.trained_as``) is written through
``comments.services``. The check that uses it is ``comments.spam.classifier``.
"""

import math
import re
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F

from comments.models import ClassifierToken, ClassifierTotals
from comments.services import comment_mark_trained

_WORD = re.compile(r"[^\W\d_]{2,30}", re.UNICODE)
_LINK = re.compile(r"(?:https?://|www\.)([^\s/\"'<>\]]+)", re.IGNORECASE)
MAX_TOKENS = 400
# Most informative tokens used in a decision, as in Graham's "A Plan for Spam".
DECIDING_TOKENS = 30


def tokens(comment) -> set[str]:
    body = comment.body or ""
    words = {w.lower() for w in _WORD.findall(body)}
    words |= {f"name:{w.lower()}" for w in _WORD.findall(comment.author_name or "")}
    links = _LINK.findall(body)
    features = {f"link:{_domain(d)}" for d in links}
    features.add(f"links:{min(len(links), 5)}")
    if comment.author_url:
        features.add("has-website")
        features.add(
            f"website:{_domain(urlsplit(comment.author_url).netloc or comment.author_url)}"
        )
    if comment.author_email and "@" in comment.author_email:
        features.add(f"email:{comment.author_email.rpartition('@')[2].lower()}")
    if "[url" in body.lower() or "<a " in body.lower():
        features.add("markup-link")
    length = len(body)
    features.add("length:" + ("short" if length < 80 else "medium" if length < 600 else "long"))
    return {token[:100] for token in set(sorted(words)[:MAX_TOKENS]) | features}


def _domain(host: str) -> str:
    host = host.lower().split(":")[0]
    return host.removeprefix("www.")[:80]


def _totals() -> ClassifierTotals:
    totals, _ = ClassifierTotals.objects.get_or_create(pk=1)
    return totals


def spam_probability(comment) -> tuple[float, int]:
    """``(probability the comment is spam, number of comments learnt from)``."""
    totals = _totals()
    examples = totals.spam_count + totals.ham_count
    if not totals.spam_count or not totals.ham_count:
        return 0.5, examples
    counts = ClassifierToken.objects.filter(token__in=tokens(comment)).values_list(
        "spam_count", "ham_count"
    )
    prior = math.log(totals.spam_count / totals.ham_count)
    evidence = []
    for spam, ham in counts:
        # Laplace-smoothed likelihoods of seeing the token in each class.
        p_spam = (spam + 1) / (totals.spam_count + 2)
        p_ham = (ham + 1) / (totals.ham_count + 2)
        evidence.append(math.log(p_spam / p_ham))
    evidence.sort(key=abs, reverse=True)
    log_odds = prior + sum(evidence[:DECIDING_TOKENS])
    return 1 / (1 + math.exp(-max(min(log_odds, 50), -50))), examples


@transaction.atomic
def learn(comment, *, is_spam: bool) -> None:
    """Learn ``comment`` as spam or ham; a comment learnt the other way before is
    un-learnt first, and learning the same way twice changes nothing."""
    label = "spam" if is_spam else "ham"
    locked = type(comment).objects.select_for_update().get(pk=comment.pk)
    if locked.trained_as == label:
        return
    comment_tokens = tokens(locked)
    if locked.trained_as:
        _count(comment_tokens, locked.trained_as, -1)
    _count(comment_tokens, label, +1)
    comment_mark_trained(comment=comment, label=label)


def _count(comment_tokens: set[str], label: str, delta: int) -> None:
    field = f"{label}_count"
    _totals()
    ClassifierTotals.objects.filter(pk=1).update(**{field: F(field) + delta})
    existing = set(
        ClassifierToken.objects.filter(token__in=comment_tokens).values_list("token", flat=True)
    )
    if delta > 0:
        ClassifierToken.objects.bulk_create(
            [ClassifierToken(token=t) for t in comment_tokens - existing], ignore_conflicts=True
        )
    ClassifierToken.objects.filter(token__in=comment_tokens).update(**{field: F(field) + delta})
