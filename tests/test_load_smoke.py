"""A short version of bench/loadtest.py, run in CI on PostgreSQL: concurrent
commenters and readers against gunicorn with production settings."""

import pytest
from django.db import connection

from bench.loadtest import run_load, verify
from tests.faults import Gunicorn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn needs a shared database server"
    ),
]


def test_concurrent_comments_are_each_stored_once_with_no_server_errors(article_factory):
    articles = [article_factory() for _ in range(3)]
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    server = Gunicorn(
        {
            "DATABASE_URL": url,
            "COMMENTS_RATE_REFUSE_AFTER": "1000000",
            "COMMENTS_RATE_HOLD_AFTER": "1000000",
        },
        workers=3,
    )
    try:
        result = run_load(
            server.port,
            {a.pk: a.get_absolute_url() for a in articles},
            comments=60,
            clients=10,
            readers=3,
        )
    finally:
        server.stop()
    assert verify(result) == []
    assert len(result["accepted"]) == 60
    assert result["reads"] > 0
