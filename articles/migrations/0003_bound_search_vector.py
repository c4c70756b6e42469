"""Bound what feeds the PostgreSQL search vector.

A ``tsvector`` holds at most 1 MB; an article body with that much distinct
text made every save fail ("string is too long for tsvector"). The trigger now
indexes the first ``SEARCH_TEXT_LIMIT`` characters of each field: the title and
excerpt whole in practice, and the body's first ~30,000 words, far more than
any article a reader searches for. Positions past 16,383 are clamped by
PostgreSQL anyway, so ranking loses nothing that it had.
"""

from django.db import migrations

# Characters of each field's text indexed; keep in step with articles.search.
SEARCH_TEXT_LIMIT = 200_000

FUNCTION = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', left(coalesce(NEW.title, ''), {SEARCH_TEXT_LIMIT})), 'A') ||
        setweight(to_tsvector('english', left(coalesce(NEW.excerpt, ''), {SEARCH_TEXT_LIMIT})), 'B') ||
        setweight(to_tsvector('english',
            left(regexp_replace(coalesce(NEW.body, ''), '<[^>]+>', ' ', 'g'), {SEARCH_TEXT_LIMIT})), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

UNBOUNDED_FUNCTION = """
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.excerpt, '')), 'B') ||
        setweight(to_tsvector('english',
            regexp_replace(coalesce(NEW.body, ''), '<[^>]+>', ' ', 'g')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_postgres_search")]

    operations = [migrations.RunPython(_run(FUNCTION), _run(UNBOUNDED_FUNCTION))]
