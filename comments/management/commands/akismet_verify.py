from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments.akismet import AkismetError, verify_key


class Command(BaseCommand):
    help = "Check that COMMENTS_AKISMET_API_KEY is valid for this site."

    def handle(self, *args, **options):
        if not settings.COMMENTS_AKISMET_API_KEY:
            raise CommandError("COMMENTS_AKISMET_API_KEY is not set; the Akismet check is off.")
        try:
            valid = verify_key()
        except AkismetError as error:
            raise CommandError(f"Akismet did not answer: {error}") from error
        if not valid:
            raise CommandError("Akismet says the key is invalid for this site.")
        self.stdout.write(self.style.SUCCESS("The Akismet key is valid."))
