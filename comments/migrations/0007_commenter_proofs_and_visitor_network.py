"""Proofs for the spam checks (issue #13): the form's time-token nonce (a token
is good for one comment), the commenter key's hash (trust needs proof, not a
name and email), and the visitor's network (the rate limit by IPv6 /64, and
from the database while the cache is down), each with its index.

The privacy page (made by 0002) is told about the commenter key: its
paragraphs are rewritten where they still read as 0002 wrote them, and the
key's paragraph is added to a page a site owner has rewritten.
"""

from django.conf import settings
from django.db import migrations, models

OLD_EMAIL = """Moderators use it to recognise
returning commenters (whose comments may then appear without waiting) and to
contact you about your comment."""
NEW_EMAIL = """Moderators use it to contact
you about your comment; with the commenter key (below) it recognises a
returning commenter."""
OLD_COOKIES = """<p>If you tick "Save my name, email and website", a cookie keeps them in your
browser for a year so the form is filled in next time."""
KEY_PARAGRAPH = """<p>When you post a comment, a cookie (<code>comment_key</code>) keeps a random
key in your browser for a year; only a fingerprint (hash) of it is stored with
your comment. Once a moderator has approved one of your comments, your later
comments from the same browser with the same email address appear without
waiting: your name and email alone never do, as anyone could type them. Delete
the cookie and your next comment simply waits for a moderator. When you start
writing, your browser also receives a security token (the <code>csrftoken</code>
cookie) that protects the form from forgery and tells the spam checks when you
began writing.</p>"""


def mention_the_commenter_key(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    for page in FlatPage.objects.filter(url="/privacy/"):
        if "comment_key" in page.content:
            continue
        content = page.content.replace(OLD_EMAIL, NEW_EMAIL)
        if OLD_COOKIES in content:
            content = content.replace(OLD_COOKIES, KEY_PARAGRAPH + "\n" + OLD_COOKIES)
        else:
            content += "\n" + KEY_PARAGRAPH
        page.content = content
        page.save(update_fields=["content"])


def forget_the_commenter_key(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    for page in FlatPage.objects.filter(url="/privacy/"):
        content = page.content.replace(NEW_EMAIL, OLD_EMAIL)
        page.content = content.replace(KEY_PARAGRAPH + "\n", "").replace("\n" + KEY_PARAGRAPH, "")
        page.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0005_only_web_addresses'),
        ('comments', '0006_classifier_model'),
        ('flatpages', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='commenter_key_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='comment',
            name='form_nonce',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='comment',
            name='ip_network',
            field=models.CharField(blank=True, editable=False, max_length=43, verbose_name='IP network'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['ip_network', '-created_at'], name='comment_network_created_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(condition=models.Q(('form_nonce', ''), _negated=True), fields=['form_nonce'], name='comment_form_nonce_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(condition=models.Q(('commenter_key_hash', ''), _negated=True), fields=['commenter_key_hash', 'status'], name='comment_key_status_idx'),
        ),
        migrations.RunPython(mention_the_commenter_key, forget_the_commenter_key),
    ]
