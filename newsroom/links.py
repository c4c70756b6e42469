"""Web addresses that Newsroom stores and links to: one rule, absolute http(s) only.

Every URL the site keeps from someone else — a commenter's website, a source's
homepage, an article's original — ends up in an ``href``. A ``javascript:``,
``data:`` or ``vbscript:`` address there runs script when a reader clicks it,
and browsers are lenient about what they read as a scheme (they drop tabs and
newlines anywhere in a URL, and control characters and spaces around it, so
``" java\\tscript:…"`` is still ``javascript:``). So the rule is an allowlist,
applied the same way wherever a URL comes in or goes out:

- ``safe_url(value)``: the address, trimmed, when it is an absolute ``http``
  or ``https`` URL (Django's ``URLValidator`` decides), else ``""``. The
  WordPress importer and the data migration that cleaned stored rows use it.
- ``SafeURLField``: the model field for every stored URL; the admin and any
  ``ModelForm`` refuse other addresses with a form error (``SafeURLFormField``,
  which the comment form uses too).
- ``clean_stored_urls(model, field)``: what the data migrations ran, so rows
  stored before the rule obey it too (a bad address is blanked and logged).
- the ``safe_url`` template filter (``{% load links %}``): templates put stored
  URLs in ``href`` through it, so a row written around the model (raw SQL, an
  old backup) still cannot link to script.
"""

import logging
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

logger = logging.getLogger(__name__)

SAFE_URL_SCHEMES = ("http", "https")

INVALID_MESSAGE = "Enter a valid URL. Only web addresses (http:// or https://) are accepted."

_validate_web_address = URLValidator(schemes=list(SAFE_URL_SCHEMES))

# What browsers ignore in a URL (WHATWG URL standard): tab and newlines anywhere,
# and C0 controls and spaces at either end.
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_C0_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


def safe_url(value: object) -> str:
    """``value`` as an absolute http(s) address, trimmed, or ``""`` if it is not one."""
    if not isinstance(value, str):
        return ""
    url = _TAB_OR_NEWLINE.sub("", value).strip(_C0_CONTROL_OR_SPACE)
    if not url or _CONTROL_CHARACTER.search(url):
        return ""
    try:
        _validate_web_address(url)
    except ValidationError:
        return ""
    return url


def validate_safe_url(value: str) -> None:
    """A validator: ``value`` must be an absolute http(s) address (as ``safe_url``)."""
    if value and safe_url(value) != value:
        raise ValidationError(INVALID_MESSAGE, code="invalid_url")


class SafeURLFormField(forms.URLField):
    """A form's web address field: http and https only.

    ``javascript:``, ``data:``, ``ftp:`` and the like are refused; an address
    typed without a scheme (``example.com``) is taken as ``https://``."""

    default_validators = [validate_safe_url]


class SafeURLField(models.URLField):
    """A model's web address: http and https only (``safe_url``), in every form."""

    default_validators = [validate_safe_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeURLFormField, **kwargs})


def clean_stored_urls(model: type[models.Model], field_name: str, *, using: str) -> int:
    """Make every stored ``field_name`` of ``model`` obey ``safe_url``; return how many changed.

    An address with whitespace around it is trimmed, one that is not http(s) is
    blanked (each is logged). Works on a migration's historical model, on the
    database ``using`` (the migration's own, never a read replica)."""
    manager = model._default_manager.db_manager(using)
    rows = manager.exclude(**{field_name: ""}).values_list("pk", field_name)
    fixes = []  # collected first: updating while a cursor is open is not portable
    for pk, value in rows.iterator(chunk_size=2000):
        if (url := safe_url(value)) != value:
            fixes.append((pk, value, url))
    for pk, value, url in fixes:
        logger.warning(
            "%s %s: %s %r %s",
            model._meta.label,
            pk,
            field_name,
            value[:200],
            "trimmed" if url else "blanked (not an http or https address)",
        )
    manager.bulk_update(
        [model(pk=pk, **{field_name: url}) for pk, _, url in fixes], [field_name], batch_size=500
    )
    return len(fixes)
