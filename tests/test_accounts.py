import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import EDITORS, MODERATORS

pytestmark = pytest.mark.django_db


def test_create_staff_makes_an_editor_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSROOM_STAFF_PASSWORD", "correct-horse-battery-staple")
    call_command("create_staff", "ed", "--role", "editor")
    user = get_user_model().objects.get(username="ed")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [EDITORS]
    assert user.check_password("correct-horse-battery-staple")


def test_create_staff_makes_a_moderator(monkeypatch):
    monkeypatch.setenv("NEWSROOM_STAFF_PASSWORD", "correct-horse-battery-staple")
    call_command("create_staff", "mo", "--role", "moderator")
    user = get_user_model().objects.get(username="mo")
    assert list(user.groups.values_list("name", flat=True)) == [MODERATORS]


def test_create_staff_refuses_to_run_without_a_password(monkeypatch):
    monkeypatch.delenv("NEWSROOM_STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="No password"):
        call_command("create_staff", "ed", "--role", "editor")
    assert not get_user_model().objects.filter(username="ed").exists()


def test_create_staff_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("NEWSROOM_STAFF_PASSWORD", "123")
    with pytest.raises(CommandError, match="Password rejected"):
        call_command("create_staff", "ed", "--role", "editor")
    assert not get_user_model().objects.filter(username="ed").exists()


def test_create_staff_rejects_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("create_staff", "ed", "--role", "admin")


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; import os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
