"""WordPress authors → Newsroom users (without a usable password).

An author whose email belongs to an account already here is credited to that
account. Called by ``reading`` (the export's authors) and ``posts`` (a post's
author the export did not list).
"""

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from accounts.usernames import unique_username
from wordpress.importer.records import CREATED, SKIPPED, UNCHANGED, UPDATED, Kind, digest
from wordpress.importer.state import ImportState
from wordpress.models import ImportedItem
from wordpress.wxr import WxrAuthor, WxrItem


def import_author(state: ImportState, author: WxrAuthor) -> None:
    """Create or update the author's user and remember it by login and ID."""
    if not author.login:
        state.summary.add("author", SKIPPED)
        state.report("an author with no login was skipped")
        return
    wanted = {
        "display_name": (author.display_name or author.login)[:150],
        "first_name": author.first_name[:150],
        "last_name": author.last_name[:150],
        "email": author.email[:254],
    }
    checksum = digest(wanted)
    item = ImportedItem.objects.filter(kind=Kind.AUTHOR, wp_id=author.login).first()
    user, outcome = _user_for(state, author, item, wanted, checksum)
    if item is None:
        ImportedItem.objects.create(
            kind=Kind.AUTHOR, wp_id=author.login, object_id=user.pk, checksum=checksum
        )
    elif (item.object_id, item.checksum) != (user.pk, checksum):
        item.object_id, item.checksum = user.pk, checksum
        item.save(update_fields=["object_id", "checksum", "imported_at"])
    state.summary.add("author", outcome)
    state.users[author.login] = user.pk
    if author.wp_id:
        state.users_by_wp_id[author.wp_id] = user.pk


def _user_for(state: ImportState, author: WxrAuthor, item, wanted: dict, checksum: str):
    """The author's user, written as the export has it, and the outcome."""
    User = get_user_model()
    user = User.objects.filter(pk=item.object_id).first() if item else None
    if user is not None and item.checksum == checksum:
        return user, UNCHANGED
    if user is not None:
        for name, value in wanted.items():
            setattr(user, name, value)
        user.save(update_fields=list(wanted))
        return user, UPDATED
    if author.email:
        user = User.objects.filter(email__iexact=author.email).order_by("pk").first()
        if user is not None:
            state.report(
                f"author {author.login}: an account with the same email exists "
                f"({user.username}); their posts are credited to it"
            )
            return user, UNCHANGED
    user = User(username=_username(author.login), **wanted)
    user.set_unusable_password()
    user.save()
    return user, CREATED


def _username(login: str) -> str:
    base = "".join(c for c in login if c.isalnum() or c in "@.+-_")[:140]
    base = base or slugify(login)[:140] or "author"
    return unique_username(base)


def author_for(state: ImportState, login: str, post: WxrItem) -> int:
    """The user pk of a post's author, made on the spot when the export's
    authors did not list them (reported)."""
    # Stray angle brackets (">admin") are typos in real exports, not part of a login.
    login = login.strip().strip("<>").strip() or "wordpress"
    if login not in state.users:
        state.report(f"post {post.post_id}: author {login} is not in the export's authors")
        import_author(state, WxrAuthor(login=login))
    return state.users[login]
