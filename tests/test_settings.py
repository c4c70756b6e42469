"""Settings come from the environment, under one prefix per app; environments
written for the names used before keep working."""

import subprocess
import sys

from tests.faults import ROOT

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.NEWSROOM_SITE_URL, settings.NEWSROOM_ADMIN_URL, "
    "settings.NEWSROOM_PAGE_CACHE_SECONDS, settings.COMMENTS_AKISMET_API_KEY)"
)


def settings_printed(env: dict) -> str:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    base |= {"DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_settings_are_read_under_their_app_prefix():
    printed = settings_printed(
        {
            "NEWSROOM_SITE_URL": "https://news.example.com",
            "NEWSROOM_ADMIN_URL": "desk/",
            "NEWSROOM_PAGE_CACHE_SECONDS": "60",
            "COMMENTS_AKISMET_API_KEY": "key1",
        }
    )
    assert printed == "https://news.example.com desk/ 60 key1"


def test_an_environment_using_the_old_names_still_configures_the_site():
    printed = settings_printed(
        {
            "SITE_URL": "https://old.example.com",
            "DJANGO_ADMIN_URL": "old-desk/",
            "PAGE_CACHE_SECONDS": "30",
            "AKISMET_API_KEY": "key2",
        }
    )
    assert printed == "https://old.example.com old-desk/ 30 key2"


def test_the_new_name_wins_when_both_are_set():
    printed = settings_printed(
        {"SITE_URL": "https://old.example.com", "NEWSROOM_SITE_URL": "https://new.example.com"}
    )
    assert printed.split()[0] == "https://new.example.com"
