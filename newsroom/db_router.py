"""Read replicas: reads go to a replica, writes to the primary.

``DATABASE_REPLICA_URLS`` (comma-separated database URLs) adds the aliases
``replica_0``, ``replica_1``, … . ``PrimaryReplicaRouter`` sends reads to one
of them at random and writes to ``default``. Replication lags, so a visitor
who has just written reads from the primary: within the request once it has
written, and for ``NEWSROOM_DATABASE_PIN_SECONDS`` afterwards through a short-lived
cookie set by ``ReplicaPinningMiddleware`` on every unsafe request (a POST).
Pinned visitors are never served from the page cache (the cookie is personal).
"""

import contextvars
import random

from django.conf import settings

PIN_COOKIE = "pin_primary"
_pinned = contextvars.ContextVar("newsroom_pin_primary", default=False)


def pin_to_primary() -> None:
    _pinned.set(True)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or not settings.NEWSROOM_DATABASE_REPLICAS:
            return "default"
        return random.choice(settings.NEWSROOM_DATABASE_REPLICAS)

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaPinningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        token = _pinned.set(unsafe or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if unsafe and settings.NEWSROOM_DATABASE_REPLICAS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.NEWSROOM_DATABASE_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
