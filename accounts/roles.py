"""Staff roles, as Django groups.

A role is a group whose permissions are every permission of some apps:

* **Editors** write and publish articles and pages (``articles.Page``, a proxy:
  its permissions belong to the articles app too), manage sources, categories
  and tags, add to the media library and work the wire (repost or dismiss its
  items).
* **Moderators** work on comments and the spam rules, and nothing else.

Neither manages users; that stays with superusers. ``sync_role_groups`` runs
after every ``migrate``, so a role gains the permissions of models added later.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

EDITORS = "Editors"
MODERATORS = "Moderators"

ROLE_APPS: dict[str, list[str]] = {
    EDITORS: ["articles", "images", "taggit", "wire"],
    MODERATORS: ["comments"],
}

# The names ``create_staff --role`` accepts.
ROLE_NAMES = {"editor": EDITORS, "moderator": MODERATORS}


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its apps' permissions."""
    for group_name, app_labels in ROLE_APPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set(Permission.objects.filter(Q(content_type__app_label__in=app_labels)))
