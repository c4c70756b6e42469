"""Sources' homepages and articles' originals: http and https addresses only.

The fields become ``SafeURLField`` (``newsroom.links``), and addresses stored
before the rule are cleaned: trimmed, or blanked when they are not http(s)."""

from django.db import migrations

import newsroom.links


def clean_stored_urls(apps, schema_editor):
    newsroom.links.clean_stored_urls(apps.get_model("articles", "Source"), "homepage_url", using=schema_editor.connection.alias)
    newsroom.links.clean_stored_urls(apps.get_model("articles", "Article"), "source_url", using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_article_body_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="source_url",
            field=newsroom.links.SafeURLField(
                blank=True, max_length=1000, verbose_name="original article URL"
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="homepage_url",
            field=newsroom.links.SafeURLField(blank=True, max_length=500, verbose_name="homepage"),
        ),
        # Nothing to undo: a blanked address was one no reader should be sent to.
        migrations.RunPython(clean_stored_urls, migrations.RunPython.noop, elidable=True),
    ]
