"""The privacy page the comment form links to: what is stored about commenters, and why.

A flat page (django.contrib.flatpages), so the site owner edits it in the admin.
"""

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

CONTENT = """
<p>When you leave a comment we store what you type in the form — your name, email
address, website and comment — together with your IP address, your browser's
user agent string, the page you came from, and the time.</p>
<h2>Why</h2>
<ul>
<li><strong>Name, website and comment</strong> are published next to your comment once a
moderator approves it.</li>
<li><strong>Email address</strong> is never published. Moderators use it to recognise
returning commenters (whose comments may then appear without waiting) and to
contact you about your comment.</li>
<li><strong>IP address, user agent and referring page</strong> help us detect spam and
abuse. Every comment is checked for spam before it appears, by automated rules,
by a filter that learns from moderators' decisions and, where the site enables
it, by the Akismet anti-spam service, which receives the comment and these
details.</li>
</ul>
<h2>Cookies</h2>
<p>If you tick "Save my name, email and website", a cookie keeps them in your
browser for a year so the form is filled in next time. After you post, a
session cookie lets you, and only you, see your comment while it awaits
moderation.</p>
<h2>How long</h2>
<p>Approved comments stay with the article. Comments marked as spam are deleted
after a few weeks. To have your comments or data removed, contact the site.</p>
"""


def create(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Site = apps.get_model("sites", "Site")
    page, _ = FlatPage.objects.get_or_create(
        url="/privacy/", defaults={"title": "Privacy: your comments and your data", "content": CONTENT.strip()}
    )
    # The sites app creates its default Site after migrating, so make it here.
    site, created = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.NEWSROOM_SITE_DOMAIN, "name": settings.NEWSROOM_SITE_DOMAIN}
    )
    if created:
        # An explicit primary key leaves PostgreSQL's sequence behind; catch it up,
        # as the sites app does for its own default site.
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Site]):
                cursor.execute(sql)
    page.sites.add(site)


def remove(apps, schema_editor):
    apps.get_model("flatpages", "FlatPage").objects.filter(url="/privacy/").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(create, remove)]
