from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.roles import sync_role_groups

        # Groups follow the apps: when the comments app gains its models, the
        # next migrate gives the Moderators their permissions.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
