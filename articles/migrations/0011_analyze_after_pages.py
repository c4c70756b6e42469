"""Refresh PostgreSQL's statistics of the articles table.

``0007_pages`` added ``kind`` with a default: no row was modified, so
autovacuum never re-analyses the table for it, and the planner kept guessing
that ``kind = 'post'`` matched a handful of rows. It then read every post
through the partial index ``article_post_slug_unique`` and sorted them (45 ms
for the home page's ten cards at 10,000 articles, against 0.5 ms with
statistics). ANALYZE takes a moment and changes no data; other databases need
nothing.
"""

from django.db import migrations


def analyze_articles(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE articles_article")


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_source_url_index")]

    operations = [migrations.RunPython(analyze_articles, migrations.RunPython.noop, elidable=True)]
