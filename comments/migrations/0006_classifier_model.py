"""The local classifier's lessons move to one ClassifierModel row (hashed
features, calibration bins); the old per-token counts go. Lessons learnt by the
old model are forgotten (``trained_as`` cleared), so ``import_wordpress
--train-classifier`` or a moderator's next decision teaches them again."""

from django.db import migrations, models


def forget_old_lessons(apps, schema_editor):
    apps.get_model("comments", "Comment").objects.exclude(trained_as="").update(trained_as="")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_only_web_addresses"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClassifierModel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("features_version", models.PositiveSmallIntegerField(default=0)),
                ("version", models.PositiveBigIntegerField(default=0)),
                ("counts", models.BinaryField(default=b"")),
                ("spam_count", models.PositiveIntegerField(default=0)),
                ("ham_count", models.PositiveIntegerField(default=0)),
                ("calibration", models.JSONField(default=dict)),
            ],
            options={"verbose_name": "classifier model"},
        ),
        migrations.DeleteModel(name="ClassifierToken"),
        migrations.DeleteModel(name="ClassifierTotals"),
        migrations.AddField(
            model_name="comment",
            name="trained_score",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forget_old_lessons, migrations.RunPython.noop, elidable=True),
    ]
