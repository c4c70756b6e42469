"""Read replicas: reads to a replica, writes (and a writer's next reads) to the primary.

Run against two aliases of one PostgreSQL server: CI sets
DATABASE_REPLICA_URLS to the same database, so ``replica_0`` mirrors ``default``.
"""

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Article
from newsroom import db_router

pytestmark = [
    pytest.mark.django_db(databases=["default", "replica_0"]),
    pytest.mark.skipif(
        "replica_0" not in settings.DATABASES,
        reason="set DATABASE_REPLICA_URLS (CI does, on PostgreSQL) to test the replica router",
    ),
]


def test_reads_go_to_a_replica_and_writes_to_the_primary():
    router = db_router.PrimaryReplicaRouter()
    token = db_router._pinned.set(False)
    try:
        assert router.db_for_read(Article) == "replica_0"
        assert Article.objects.all().db == "replica_0"
        assert router.db_for_write(Article) == "default"
        # Once this request has written, it reads its own writes.
        assert router.db_for_read(Article) == "default"
    finally:
        db_router._pinned.reset(token)


def test_migrations_run_only_on_the_primary():
    router = db_router.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica_0", "articles")


def test_a_post_pins_the_visitor_to_the_primary_for_a_while(article_factory):
    article = article_factory()
    client = Client()
    response = client.post(
        f"/comments/post/{article.pk}/",
        {"author_name": "Ann", "author_email": "ann@example.org", "body": "Hello"},
    )
    cookie = response.cookies[db_router.PIN_COOKIE]
    assert cookie["max-age"] == settings.NEWSROOM_DATABASE_PIN_SECONDS
    assert cookie["httponly"]


def test_a_pinned_visitor_reads_from_the_primary(rf):
    seen = []

    def view(request):
        seen.append(Article.objects.all().db)
        from django.http import HttpResponse

        return HttpResponse()

    middleware = db_router.ReplicaPinningMiddleware(view)
    middleware(rf.get("/"))
    request = rf.get("/")
    request.COOKIES[db_router.PIN_COOKIE] = "1"
    middleware(request)
    assert seen == ["replica_0", "default"]


@pytest.mark.django_db(transaction=True, databases=["default", "replica_0"])
def test_replica_alias_reads_the_same_data(article_factory):
    article = article_factory(title="Replicated")
    assert Article.objects.using("replica_0").get(pk=article.pk).title == "Replicated"
