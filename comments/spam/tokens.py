"""The proofs a reader's browser carries to the spam checks.

- **The form's time token** (``form_started``): when the reader began to write,
  signed, bound to one article and one visitor, good for one comment. Post
  pages are cached for every anonymous reader, so the token is never in the
  page: ``comments.views.form_token`` issues it, with the CSRF token, when the
  reader starts writing (``static/js/comments.js``), and
  ``comments.views.csrf_failure`` issues a *confirmation* token on the page it
  shows readers without JavaScript. The visitor is a keyed hash of their CSRF
  secret (``visitor_tag``), which the CSRF check already ties to the browser
  posting; each token's nonce is stored with the comment it came with
  (``Comment.form_nonce``), so a token used again is seen by
  ``TimestampCheck``.
- **The commenter key**: a random key in a long-lived signed cookie, set on
  every comment posted (``comments.views``). Only its hash is stored with the
  comment (``Comment.commenter_key_hash``); a later comment carrying the same
  key and email as an approved one is that commenter's (``TrustedAuthorCheck``).
  The key never changes what a page shows, so it is not a page-cache personal
  cookie.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import salted_hmac

TIMESTAMP_FIELD = "form_started"
#: The spam signal naming the visitor who posted (``visitor_tag``).
VISITOR_FIELD = "form_visitor"

#: Issued when the reader starts writing (the form's script).
FORM = "f"
#: Issued on the page that asks a reader without JavaScript to post once more.
CONFIRM = "c"

_SALT = "comments.form-started"
_PREFIX = "comment-form"
_VISITOR_SALT = "comments.form-visitor"
_BOUND = re.compile(
    rf"{_PREFIX}:(?P<article>[0-9]{{1,18}}):(?P<nonce>[A-Za-z0-9_-]{{16,32}}):[{FORM}{CONFIRM}]:"
)
_KEY = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class FormToken:
    """A time token whose signature holds for the visitor who posted it."""

    article_id: int
    nonce: str
    kind: str  # FORM or CONFIRM
    issued_at: float  # a Unix timestamp


def visitor_tag(request) -> str:
    """Who the visitor is, for binding tokens: a keyed hash of their CSRF secret
    (``""`` before they have one; call ``get_token`` first to give them one)."""
    secret = request.META.get("CSRF_COOKIE", "")
    return salted_hmac(_VISITOR_SALT, secret, algorithm="sha256").hexdigest()[:32] if secret else ""


def _signer(visitor: str) -> signing.Signer:
    return signing.Signer(salt=f"{_SALT}:{visitor}")


def issue_form_token(*, article_id: int, visitor: str, kind: str = FORM) -> str:
    """A new time token for the form of article ``article_id``, for ``visitor``."""
    nonce = secrets.token_urlsafe(16)
    # In milliseconds: a second's resolution would blur "under one second".
    issued = signing.b62_encode(int(time.time() * 1000))
    return _signer(visitor).sign(f"{_PREFIX}:{article_id}:{nonce}:{kind}:{issued}")


def read_form_token(token: str, *, visitor: str) -> FormToken | None:
    """The token's contents if it was issued to ``visitor``; None if it is
    missing, forged, unbound or someone else's. Its age is not checked here:
    the check measures it at posting, so a check run days later agrees."""
    if not _BOUND.match(token or ""):
        return None
    try:
        value = _signer(visitor).unsign(token)
    except signing.BadSignature:
        return None
    _, article_id, nonce, kind, issued = value.split(":")
    return FormToken(int(article_id), nonce, kind, signing.b62_decode(issued) / 1000)


def form_token_nonce(token: str) -> str:
    """The nonce a time token names (unverified: ``TimestampCheck`` verifies),
    stored with the comment so the token is good for one comment only."""
    match = _BOUND.match(token or "")
    return match["nonce"] if match else ""


def form_timestamp_token() -> str:
    """An *unbound* time token, the kind pages carried before tokens were bound
    to an article and a visitor. Proof of nothing on a new comment (it is held);
    kept for comments stored with one and for scripts that post without a page
    (``bench/``)."""
    return signing.TimestampSigner(salt=_SALT).sign(_PREFIX)


def read_unbound_token(token: str) -> float | None:
    """When an unbound token (``form_timestamp_token``) was issued, or None."""
    try:
        signing.TimestampSigner(salt=_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    return signing.b62_decode(token.rsplit(":", 2)[-2])


def new_commenter_key() -> str:
    return secrets.token_urlsafe(32)


def is_commenter_key(value) -> bool:
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def commenter_key_hash(key: str) -> str:
    """What is stored of a commenter key: its SHA-256 (the key is 256 random bits)."""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""
