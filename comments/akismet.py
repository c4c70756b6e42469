"""A small client for Akismet's REST API (https://akismet.com/developers/).

Only the standard library: three form-encoded POSTs. ``COMMENTS_AKISMET_API_URL``
points it elsewhere (tests run a real HTTP server on 127.0.0.1 that speaks
the protocol).
"""

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "Newsroom/0.1 | Akismet-client/1.0"


class AkismetError(Exception):
    """Akismet did not give a usable answer (network, HTTP or API error)."""


@dataclass(frozen=True)
class Answer:
    is_spam: bool
    discard: bool = False


def _post(endpoint: str, data: dict, timeout: float) -> tuple[str, dict]:
    url = settings.COMMENTS_AKISMET_API_URL.rstrip("/") + "/" + endpoint
    body = urllib.parse.urlencode({k: v for k, v in data.items() if v not in (None, "")}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": USER_AGENT,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(10_000).decode("utf-8", "replace").strip()
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        raise AkismetError(f"HTTP {error.code} from {endpoint}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise AkismetError(f"{endpoint}: {error}") from error
    if "x-akismet-error" in headers:
        raise AkismetError(f"{endpoint}: {headers['x-akismet-error']}")
    return text, headers


def blog_url() -> str:
    return settings.NEWSROOM_SITE_URL + "/"


def comment_data(comment, request_info=None) -> dict:
    """Everything Akismet's API takes about a comment."""
    article = comment.article
    return {
        "api_key": settings.COMMENTS_AKISMET_API_KEY,
        "blog": blog_url(),
        "user_ip": (request_info.ip_address if request_info else None) or comment.ip_address or "",
        "user_agent": (request_info.user_agent if request_info else "") or comment.user_agent,
        "referrer": (request_info.referrer if request_info else "") or comment.referrer,
        "permalink": settings.NEWSROOM_SITE_URL + article.get_absolute_url(),
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.astimezone(UTC).isoformat(),
        "comment_post_modified_gmt": article.updated_at.astimezone(UTC).isoformat(),
        "blog_lang": settings.LANGUAGE_CODE.split("-")[0],
        "blog_charset": "UTF-8",
        "is_test": "1" if settings.COMMENTS_AKISMET_IS_TEST else "",
    }


def comment_check(comment, request_info=None, *, timeout: float = 5.0) -> Answer:
    text, headers = _post("comment-check", comment_data(comment, request_info), timeout)
    if text == "true":
        return Answer(is_spam=True, discard=headers.get("x-akismet-pro-tip", "") == "discard")
    if text == "false":
        return Answer(is_spam=False)
    raise AkismetError(f"comment-check answered {text[:100]!r}")


def submit(comment, *, is_spam: bool, timeout: float = 5.0) -> None:
    """Tell Akismet a moderator disagreed with it (``submit-spam`` / ``submit-ham``)."""
    endpoint = "submit-spam" if is_spam else "submit-ham"
    _post(endpoint, comment_data(comment), timeout)


def verify_key(*, timeout: float = 5.0) -> bool:
    """Whether ``COMMENTS_AKISMET_API_KEY`` is valid for this site."""
    text, _ = _post(
        "verify-key", {"key": settings.COMMENTS_AKISMET_API_KEY, "blog": blog_url()}, timeout
    )
    return text == "valid"


def warn_if_key_invalid() -> None:
    """Log a clear warning at start-up when the Akismet key does not work."""
    if not settings.COMMENTS_AKISMET_API_KEY:
        return
    try:
        valid = verify_key(timeout=5.0)
    except AkismetError as error:
        logger.warning(
            "Akismet could not verify COMMENTS_AKISMET_API_KEY (%s); comments will be held until it answers.",
            error,
        )
        return
    if not valid:
        logger.warning(
            "COMMENTS_AKISMET_API_KEY is not valid for %s: Akismet checks will fail and every comment "
            "will be held for moderation. Check the key in your Akismet account.",
            blog_url(),
        )
