"""The comment classifier's model, in pure Python and without Django: what a
comment's features are, how lessons are counted, how a score becomes a
calibrated probability.

``comments.classifier`` keeps one ``TextModel`` in the database and calls it;
``bench/classifier.py`` uses it directly to measure it. Nothing here touches
the database, so a lesson learnt can be un-learnt exactly: every lesson is a
count added, and un-learning subtracts the same counts.

The model
---------
A naive Bayes classifier over hashed binary features (each feature counts once
per comment): the comment's words (common English words left out, they say
nothing about spam), pairs of words, character 4-grams inside words (``v1agra``
and ``viagra`` share most of theirs), the domains it links to, its number of
links, link markup, and the author's website and email domains. Each feature's
evidence is the log ratio of how often it was seen in spam and in ham, smoothed
(Laplace, ``ALPHA``), and the comment's score is their sum divided by the square
root of their number: naive Bayes treats overlapping features as independent
and is far too sure of itself without it. Features seen in fewer than
``MIN_SEEN`` lessons are left out of both: they carry no evidence, only the
classes' sizes.

Calibration
-----------
The score is turned into a probability by Platt scaling (a logistic curve),
fitted on the scores the model gave each lesson *before* it learnt it: an
honest, out-of-sample record of how often a score turned out to be spam. Those
scores are kept as counts in bins (``CALIBRATION_BINS``), so un-learning a
lesson removes its calibration point too.
"""

import math
import re
import zlib
from array import array
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Features hash into this many buckets (collisions are rare and harmless).
BUCKETS = 1 << 18
ALPHA = 1.0
#: A feature counts as evidence once it was seen in this many lessons: one seen
#: never (or once) says only which class had more lessons, and on another
#: site's comments, most of whose words are new, that drowned the rest
#: (our corpus → DataCamp F1 0.29 → 0.48 with 2, ``bench/classifier.py``).
MIN_SEEN = 2
#: Calibration bins span scores from -BIN_RANGE to +BIN_RANGE.
BIN_RANGE = 12.0
CALIBRATION_BINS = 49
PLATT_PRIOR = 1.0
#: Changing the features changes what the stored counts mean: a model stored
#: with another version is started afresh (``comments.classifier``).
FEATURES_VERSION = 1

_WORD = re.compile(r"[^\W_]{2,30}", re.UNICODE)
_LINK = re.compile(r"(?:https?://|www\.)([^\s/\"'<>\]]+)", re.IGNORECASE)
MAX_WORDS = 300
STOP_WORDS = frozenset(
    """a about after again all also am an and any are as at be because been before
    being but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class CommentText:
    """What the model reads of a comment (a ``Comment`` or a corpus row)."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""

    @classmethod
    def of(cls, comment) -> "CommentText":
        return cls(
            body=comment.body or "",
            author_name=comment.author_name or "",
            author_email=comment.author_email or "",
            author_url=comment.author_url or "",
        )


def features(text: CommentText) -> list[int]:
    """The comment's feature buckets, each once."""
    return sorted({zlib.crc32(name.encode()) % BUCKETS for name in feature_names(text)})


def feature_names(text: CommentText) -> set[str]:
    body = text.body
    words = [w.lower() for w in _WORD.findall(body)][:MAX_WORDS]
    names = {f"w:{w}" for w in words if w not in STOP_WORDS}
    names |= {f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    for word in set(words):
        padded = f" {word} "
        names |= {f"c:{padded[i : i + 4]}" for i in range(len(padded) - 3)}
    names |= {f"n:{w.lower()}" for w in _WORD.findall(text.author_name)}
    links = _LINK.findall(body)
    names |= {f"link:{_domain(d)}" for d in links}
    names.add(f"links:{min(len(links), 3)}")
    lowered = body.lower()
    if "[url" in lowered or "<a " in lowered:
        names.add("markup-link")
    if text.author_url:
        names.add("has-website")
        names.add(f"site:{_domain(urlsplit(text.author_url).netloc or text.author_url)}")
    if "@" in text.author_email:
        names.add(f"email:{text.author_email.rpartition('@')[2].lower()}")
    return names


def _domain(host: str) -> str:
    return host.lower().split(":")[0].removeprefix("www.")[:80]


@dataclass
class TextModel:
    """Counts of lessons: per feature bucket, in how many spam and ham comments
    it was seen; how many of each were learnt; the calibration bins."""

    spam: array = field(default_factory=lambda: array("I", bytes(4 * BUCKETS)))
    ham: array = field(default_factory=lambda: array("I", bytes(4 * BUCKETS)))
    spam_count: int = 0
    ham_count: int = 0
    bins_spam: list[int] = field(default_factory=lambda: [0] * CALIBRATION_BINS)
    bins_ham: list[int] = field(default_factory=lambda: [0] * CALIBRATION_BINS)
    _platt: tuple[float, float] | None = field(default=None, repr=False)

    @property
    def examples(self) -> int:
        return self.spam_count + self.ham_count

    # -- Scoring ----------------------------------------------------------------------

    def score(self, buckets: list[int]) -> float:
        """The comment's raw score (log-odds scale, before calibration)."""
        if not buckets:
            return 0.0
        spam_total = self.spam_count + 2 * ALPHA
        ham_total = self.ham_count + 2 * ALPHA
        log = math.log
        spam, ham = self.spam, self.ham
        seen = [b for b in buckets if spam[b] + ham[b] >= MIN_SEEN]
        if not seen:
            return 0.0
        evidence = sum(
            log((spam[b] + ALPHA) / spam_total) - log((ham[b] + ALPHA) / ham_total) for b in seen
        )
        return evidence / math.sqrt(len(seen))

    def probability(self, buckets: list[int]) -> float:
        """The calibrated probability that the comment is spam."""
        a, b = self.platt()
        return _sigmoid(a * self.score(buckets) + b)

    def platt(self) -> tuple[float, float]:
        if self._platt is None:
            self._platt = fit_platt(self.bins_spam, self.bins_ham)
        return self._platt

    # -- Learning ---------------------------------------------------------------------

    def learn(self, buckets: list[int], *, is_spam: bool, sign: int = 1, at: float) -> None:
        """Add (``sign=1``) or remove (``sign=-1``) one lesson; ``at`` is the score
        the model gave the comment before it first learnt it (``score``)."""
        counts = self.spam if is_spam else self.ham
        for b in buckets:
            counts[b] = max(counts[b] + sign, 0)
        if is_spam:
            self.spam_count = max(self.spam_count + sign, 0)
        else:
            self.ham_count = max(self.ham_count + sign, 0)
        bins = self.bins_spam if is_spam else self.bins_ham
        index = calibration_bin(at)
        bins[index] = max(bins[index] + sign, 0)
        self._platt = None


def calibration_bin(score: float) -> int:
    clamped = min(max(score, -BIN_RANGE), BIN_RANGE)
    return round((clamped + BIN_RANGE) / (2 * BIN_RANGE) * (CALIBRATION_BINS - 1))


def calibration_point(score: float) -> float:
    """The score as the calibration keeps it (its bin's centre): all that
    un-learning needs, and few distinct values to store."""
    return bin_centre(calibration_bin(score))


def bin_centre(index: int) -> float:
    return -BIN_RANGE + index * 2 * BIN_RANGE / (CALIBRATION_BINS - 1)


def fit_platt(bins_spam: list[int], bins_ham: list[int]) -> tuple[float, float]:
    """Platt's sigmoid ``p = 1 / (1 + exp(-(a·score + b)))`` fitted by Newton's
    method on the binned out-of-sample scores, with Platt's smoothed targets
    (so a handful of lessons cannot make it certain). Too few lessons: (1, 0)."""
    spam_total, ham_total = sum(bins_spam), sum(bins_ham)
    if spam_total < 3 or ham_total < 3:
        return 1.0, 0.0
    hi, lo = (spam_total + 1) / (spam_total + 2), 1 / (ham_total + 2)
    points = [
        (bin_centre(i), target, n)
        for i in range(CALIBRATION_BINS)
        for target, n in ((hi, bins_spam[i]), (lo, bins_ham[i]))
        if n
    ]
    a, b = 1.0, math.log((spam_total + 1) / (ham_total + 1))
    for _ in range(100):
        # A weak pull towards (1, 0) keeps separable bins from running off to infinity.
        g_a, g_b = PLATT_PRIOR * (a - 1), PLATT_PRIOR * b
        h_aa = h_bb = PLATT_PRIOR
        h_ab = 0.0
        for x, t, n in points:
            p = _sigmoid(a * x + b)
            d, w = (p - t) * n, p * (1 - p) * n
            g_a, g_b = g_a + d * x, g_b + d
            h_aa, h_ab, h_bb = h_aa + w * x * x, h_ab + w * x, h_bb + w
        det = h_aa * h_bb - h_ab * h_ab
        step_a = (h_bb * g_a - h_ab * g_b) / det
        step_b = (h_aa * g_b - h_ab * g_a) / det
        shrink = max(abs(step_a), abs(step_b), 1.0)  # at most 1 a step: Newton can overshoot
        a, b = a - step_a / shrink, b - step_b / shrink
        if abs(step_a) < 1e-7 and abs(step_b) < 1e-7:
            break
    return a, b


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-max(min(x, 50.0), -50.0)))


# -- Storage ----------------------------------------------------------------------------


def dump_counts(model: TextModel) -> bytes:
    """The feature counts as compressed bytes (``load_counts`` reverses it)."""
    return zlib.compress(model.spam.tobytes() + model.ham.tobytes(), 1)


def load_counts(data: bytes, model: TextModel) -> None:
    raw = zlib.decompress(data)
    half = len(raw) // 2
    model.spam = array("I")
    model.spam.frombytes(raw[:half])
    model.ham = array("I")
    model.ham.frombytes(raw[half:])
