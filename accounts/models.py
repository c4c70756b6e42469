from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    """A person with an account: staff (editors, moderators) and credited authors.

    ``display_name`` is what readers see in bylines, as in WordPress; the
    username is the author page's URL.
    """

    display_name = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True, help_text="Shown on the author's page.")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_display_name()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"username": self.username})
