"""``manage.py create_staff USERNAME --role editor|moderator``

Creates a staff account in a role. The password is read from
``NEWSROOM_STAFF_PASSWORD`` when set, otherwise prompted for twice; there is
never a default. An existing user is given the role and keeps their password.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import ROLE_NAMES, sync_role_groups

PASSWORD_ENV = "NEWSROOM_STAFF_PASSWORD"


class Command(BaseCommand):
    help = "Create a staff user in a role (editor or moderator)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        parser.add_argument("--email", default="")
        parser.add_argument("--display-name", default="")

    def handle(self, *args, username, role, email, display_name, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None if user else self._read_password(username, email)

        with transaction.atomic():
            sync_role_groups()
            if user is None:
                user = User(username=username, email=email, display_name=display_name)
                user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))

        verb = "Created" if password else "Updated existing user"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username!r} with the {role} role."))

    def _read_password(self, username, email) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not os.isatty(0):
                raise CommandError(
                    f"No password: set {PASSWORD_ENV} or run the command in a terminal."
                )
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        User = get_user_model()
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            raise CommandError("Password rejected: " + " ".join(error.messages)) from error
        return password
