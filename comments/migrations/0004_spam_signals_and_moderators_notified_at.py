from django.db import migrations, models


def comments_already_checked_were_notified(apps, schema_editor):
    """Comments checked before this migration were emailed about (or needed no
    email) when their checks ran; only the ones never checked are still owed one."""
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.using(schema_editor.connection.alias).exclude(check_verdict="").update(
        moderators_notified_at=models.F("checked_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_spam_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="moderators_notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="comment",
            name="spam_signals",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(comments_already_checked_were_notified, migrations.RunPython.noop),
    ]
