"""Usernames for accounts made by the site rather than typed by a person.

``unique_username`` is the one rule for them: the seed loader's authors
(``articles.seeds``) and the WordPress importer's authors get one.
"""

from django.contrib.auth import get_user_model

from newsroom.naming import unique_name

# Leaves room under the username's 150 characters for a "-n" suffix.
USERNAME_BASE_LENGTH = 140


def unique_username(base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` …: the first no account has, ignoring
    case as Django's sign-up form does."""
    users = get_user_model().objects
    return unique_name(
        base[:USERNAME_BASE_LENGTH],
        taken=lambda name: users.filter(username__iexact=name).exists(),
        max_length=get_user_model()._meta.get_field("username").max_length,
    )
