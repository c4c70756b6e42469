from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from accounts.roles import EDITORS, MODERATORS, sync_role_groups
from newsroom.request_guard import TolerantWSGIRequest
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CommentFactory,
    PageFactory,
    SourceFactory,
    UserFactory,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_SEED = PROJECT_DIR.parent / "shared" / "seeds" / "000_4b9cf2f781a15f69.txt"
PROJECT_SEED = PROJECT_DIR / "seeds" / "000_4b9cf2f781a15f69.txt"


@pytest.fixture(autouse=True)
def _requests_made_as_in_production(monkeypatch):
    """The test client makes the request class that ``newsroom.wsgi`` serves with."""
    monkeypatch.setattr("django.test.client.WSGIRequest", TolerantWSGIRequest)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test starts with an empty cache and its own media folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs a second per user; tests are not about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


@pytest.fixture
def seed_path() -> Path:
    """The shared seed page when ../shared is there, else the project's copy."""
    return SHARED_SEED if SHARED_SEED.exists() else PROJECT_SEED


@pytest.fixture
def user_factory():
    return UserFactory


@pytest.fixture
def article_factory():
    return ArticleFactory


@pytest.fixture
def page_factory():
    return PageFactory


@pytest.fixture
def comment_factory():
    return CommentFactory


@pytest.fixture
def category_factory():
    return CategoryFactory


@pytest.fixture
def source_factory():
    return SourceFactory


def _staff_in_role(username: str, group_name: str):
    sync_role_groups()
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return get_user_model().objects.get(pk=user.pk)  # fresh, without cached permissions


@pytest.fixture
def editor(db):
    return _staff_in_role("eddie", EDITORS)


@pytest.fixture
def moderator(db):
    return _staff_in_role("molly", MODERATORS)


@pytest.fixture
def originals(settings):
    """A loopback server for the original pages that reposting may fetch, with
    loopback fetching allowed: ``originals.add("/story/", body=html)`` gives the
    link to put on a wire item."""
    from tests.web_server import WebServer

    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as server:
        yield server
