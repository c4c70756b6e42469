"""PostgreSQL full-text search for articles: a trigger keeps ``search_vector``
(title weighted A, body B, English stemming) and a GIN index serves it.

Other databases have the column but no trigger; search falls back to LIKE
there (see ``articles.search``).
"""

from django.db import migrations

FORWARD = [
    """
    CREATE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(NEW.excerpt, '')), 'B') ||
            setweight(to_tsvector('english',
                regexp_replace(coalesce(NEW.body, ''), '<[^>]+>', ' ', 'g')), 'C');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER articles_article_search_vector_update
    BEFORE INSERT OR UPDATE OF title, excerpt, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();
    """,
    "CREATE INDEX article_search_vector_gin ON articles_article USING gin (search_vector);",
    "UPDATE articles_article SET title = title;",
]

BACKWARD = [
    "DROP INDEX IF EXISTS article_search_vector_gin;",
    "DROP TRIGGER IF EXISTS articles_article_search_vector_update ON articles_article;",
    "DROP FUNCTION IF EXISTS articles_article_search_vector();",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
