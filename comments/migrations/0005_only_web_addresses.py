"""Commenters' websites: http and https addresses only.

The field becomes ``SafeURLField`` (``newsroom.links``), and addresses stored
before the rule (a WordPress import kept ``javascript:`` ones) are cleaned:
trimmed, or blanked when they are not http(s)."""

from django.db import migrations

import newsroom.links


def clean_stored_urls(apps, schema_editor):
    newsroom.links.clean_stored_urls(apps.get_model("comments", "Comment"), "author_url", using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_spam_signals_and_moderators_notified_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="author_url",
            field=newsroom.links.SafeURLField(blank=True, verbose_name="website"),
        ),
        # Nothing to undo: a blanked address was one no reader should be sent to.
        migrations.RunPython(clean_stored_urls, migrations.RunPython.noop, elidable=True),
    ]
