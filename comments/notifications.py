"""Email to moderators about comments awaiting them."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from accounts.roles import MODERATORS

logger = logging.getLogger(__name__)


def _one_line(text: str, limit: int = 80) -> str:
    """Text safe for an email header: no line breaks (no header injection), short."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def moderator_emails() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS, email__gt="")
        .distinct()
    )
    return sorted(users.values_list("email", flat=True))


def notify_moderators(comment) -> int:
    """Email every moderator about a new pending comment; return how many were sent."""
    recipients = moderator_emails()
    if not recipients:
        return 0
    admin_url = settings.NEWSROOM_SITE_URL + reverse(
        "admin:comments_comment_change", args=[comment.pk]
    )
    queue_url = (
        settings.NEWSROOM_SITE_URL
        + reverse("admin:comments_comment_changelist")
        + "?status=pending"
    )
    subject = _one_line(
        f"New comment awaiting moderation from {comment.author_name} on “{comment.article.title}”"
    )
    body = "\n".join(
        [
            f"A new comment on “{comment.article.title}” is waiting for approval.",
            "",
            f"Author: {comment.author_name}",
            f"Email: {comment.author_email or '—'}",
            f"Website: {comment.author_url or '—'}",
            f"IP address: {comment.ip_address or '—'}",
            "",
            comment.body,
            "",
            f"Review it: {admin_url}",
            f"All comments awaiting moderation: {queue_url}",
        ]
    )
    return send_mail(subject, body, None, recipients)
