"""Newsroom settings: one file, read from the environment.

Every variable is documented in ``.env.example``. Development runs with
``DJANGO_DEBUG=1`` (``make run`` sets it); production differs only by its
environment. A ``.env`` file at the project root is read when present.
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Settings of this project's own carry their app's prefix (NEWSROOM_, COMMENTS_);
# environments written for the names they had before still work.
RENAMED_ENVIRONMENT = {
    "SITE_URL": "NEWSROOM_SITE_URL",
    "DJANGO_ADMIN_URL": "NEWSROOM_ADMIN_URL",
    "DATABASE_PIN_SECONDS": "NEWSROOM_DATABASE_PIN_SECONDS",
    "PAGE_CACHE_SECONDS": "NEWSROOM_PAGE_CACHE_SECONDS",
    "FRAGMENT_CACHE_SECONDS": "NEWSROOM_FRAGMENT_CACHE_SECONDS",
    "PAGE_CACHE_BROWSER_SECONDS": "NEWSROOM_PAGE_CACHE_BROWSER_SECONDS",
    "FRONTEND_CACHE_URLS": "NEWSROOM_FRONTEND_CACHE_URLS",
    "AKISMET_API_KEY": "COMMENTS_AKISMET_API_KEY",
    "AKISMET_API_URL": "COMMENTS_AKISMET_API_URL",
    "AKISMET_IS_TEST": "COMMENTS_AKISMET_IS_TEST",
}
for _old, _new in RENAMED_ENVIRONMENT.items():
    if _old in os.environ and _new not in os.environ:
        os.environ[_new] = os.environ[_old]

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off: "
            "set it in the environment or in .env (see .env.example), or set "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, whose site validates change-list filters (newsroom.admin_site).
    "newsroom.admin_site.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.flatpages",
    "django.contrib.redirects",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "taggit",
    "django_tasks_db",
    "axes",
    "django_prose_editor",
    "accounts",
    "newsroom",
    "images",
    "articles",
    "comments",
    "wordpress",
    "wire",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # No NUL from the path, cookies or headers reaches a query (newsroom.request_guard).
    "newsroom.request_guard.NulGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.pagecache.AnonymousPageCacheMiddleware",
    "newsroom.db_router.ReplicaPinningMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Tells staff when a change could not be cleared from the page cache at once.
    "newsroom.pagecache.InvalidationWarningMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wordpress.middleware.WordPressLinkMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = env.str("DJANGO_ROOT_URLCONF", default="newsroom.urls")
WSGI_APPLICATION = "newsroom.wsgi.application"
SITE_ID = 1
# The site's public address, for absolute links in feeds, sitemaps and emails.
NEWSROOM_SITE_URL = env.str("NEWSROOM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
NEWSROOM_SITE_DOMAIN = urlsplit(NEWSROOM_SITE_URL).netloc
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site_settings",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url
# understands) when DATABASE_URL says so.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes write (app servers, the task worker): WAL lets readers
    # run beside a writer, IMMEDIATE transactions queue writers instead of
    # failing with "database is locked", and the timeout is how long they queue.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Read replicas (newsroom.db_router): reads spread over them, writes and a
# visitor's reads right after writing go to the primary.
NEWSROOM_DATABASE_REPLICAS = []
for _index, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _alias = f"replica_{_index}"
    DATABASES[_alias] = {
        **env.db_url_config(_url),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests read the primary's test database through the replica alias.
        "TEST": {"MIRROR": "default"},
    }
    NEWSROOM_DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["newsroom.db_router.PrimaryReplicaRouter"]
NEWSROOM_DATABASE_PIN_SECONDS = env.int("NEWSROOM_DATABASE_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server), otherwise
# per-process local memory, which is right for one development server.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: logged and bypassed, never an error page (newsroom.cache).
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _code_digest() -> str:
    """A digest of this project's code and templates (a few milliseconds)."""
    digest = hashlib.sha256()
    for app in ("accounts", "articles", "comments", "images", "newsroom", "wire", "wordpress"):
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            digest.update(path.read_bytes())
    for path in sorted((BASE_DIR / "templates").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Pages and fragments in the cache are this release's only: one cached by the
# code before a deploy (another shape, other markup) is never read by the code
# after it. The generation counters are shared by every release, so a change
# saved on a server still running the old code invalidates the new one's pages.
# Set it to the deployed commit; by default, a digest of the code and templates.
NEWSROOM_RELEASE = env.str("NEWSROOM_RELEASE", default="") or _code_digest()

# Caches are invalidated by bumping counters in the cache. Redis shares them
# between processes; local memory does not, so without Redis the page cache is
# off by default and fragments (sidebar, comment threads) live only briefly.
NEWSROOM_CACHE_IS_SHARED = bool(REDIS_URL)
# Full pages for anonymous readers stay in the cache this long at most (0: off);
# they are dropped as soon as what they show changes (newsroom.pagecache).
NEWSROOM_PAGE_CACHE_SECONDS = env.int(
    "NEWSROOM_PAGE_CACHE_SECONDS", default=600 if NEWSROOM_CACHE_IS_SHARED else 0
)
# Rendered fragments (sidebar, comment threads), dropped when what they show changes.
NEWSROOM_FRAGMENT_CACHE = env.bool("NEWSROOM_FRAGMENT_CACHE", default=True)
NEWSROOM_FRAGMENT_CACHE_SECONDS = env.int(
    "NEWSROOM_FRAGMENT_CACHE_SECONDS", default=600 if NEWSROOM_CACHE_IS_SHARED else 30
)
# max-age sent to browsers and CDNs; 0 makes them revalidate (cheap 304s).
NEWSROOM_PAGE_CACHE_BROWSER_SECONDS = env.int("NEWSROOM_PAGE_CACHE_BROWSER_SECONDS", default=0)

# Frontend caches (Varnish, Cloudflare) in front of the site, purged by surrogate
# key after every change (newsroom.frontcache), comma-separated:
# varnish://127.0.0.1:6081,cloudflare://ZONE_ID?token=API_TOKEN
NEWSROOM_FRONTEND_CACHE_URLS = env.list("NEWSROOM_FRONTEND_CACHE_URLS", default=[])
# s-maxage of anonymous pages: how long shared caches may keep them (0: they may
# not). On by default only when there are caches to purge.
NEWSROOM_EDGE_CACHE_SECONDS = env.int(
    "NEWSROOM_EDGE_CACHE_SECONDS", default=600 if NEWSROOM_FRONTEND_CACHE_URLS else 0
)
# Surrogate-key headers to send besides those of the configured caches (e.g.
# Surrogate-Key for a CDN purged by other means).
NEWSROOM_SURROGATE_KEY_HEADERS = env.list("NEWSROOM_SURROGATE_KEY_HEADERS", default=[])
NEWSROOM_CLOUDFLARE_API_URL = env.str(
    "NEWSROOM_CLOUDFLARE_API_URL", default="https://api.cloudflare.com/client/v4"
)

# Background tasks (django.tasks): run at once, in the request, by default. In
# production use the database backend and run `manage.py db_worker`:
# TASKS_BACKEND=django_tasks_db.DatabaseBackend
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Fingerprinted, compressed files in production; plain files while
        # developing and testing, where nothing has been collected.
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Email (Django 6.1 mailers): the console in development; EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587, in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _email_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Newsroom <newsroom@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Security. Cookies are secure and HSTS is on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

NEWSROOM_ADMIN_URL = env.str("NEWSROOM_ADMIN_URL", default="admin/")
# Staff sign in through the admin; an unsafe ?next= falls back to its index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"


def _media_origin(media_url: str) -> list[str]:
    """``["https://cdn.example"]`` when media is served from another host (S3, a
    CDN); nothing when MEDIA_URL is a path on this site."""
    parts = urlsplit(media_url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content Security Policy (Django's own): no inline script or style. The one
# inline script, the admin editor's import map, carries a per-request nonce
# (the nonce appears in the header only on responses that use it, never on
# public pages). Images may come from anywhere over https (reposted articles).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The rich-text editor (TipTap, inside django-prose-editor 0.28) injects one
    # fixed <style> block; its hash allows exactly that block and nothing else.
    "style-src": [CSP.SELF, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    "img-src": [CSP.SELF, "data:", "https:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Audio and video in article bodies: this site's, or the media storage's host.
    "media-src": [CSP.SELF, *_media_origin(MEDIA_URL)],
    "object-src": [CSP.NONE],
    # The embed providers' players, exactly articles.embeds.FRAME_SOURCES (settings
    # may not import an app; tests/test_import_wordpress_content.py holds them equal).
    "frame-src": [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://www.dailymotion.com",
        "https://w.soundcloud.com",
        "https://open.spotify.com",
        "https://platform.twitter.com",
        "https://www.instagram.com",
    ],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failures for a
# username from one address, that pair is locked out for AXES_COOLOFF_HOURS.
# The address is the visitor's, by the site's one rule (newsroom.client_ip, which
# honours NEWSROOM_TRUSTED_PROXIES): behind a proxy, axes would otherwise see
# every visitor as the proxy, and five wrong passwords from anyone would lock the
# account for everyone. Keyed on the pair, a lock-out holds only that address.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
# The username as typed, cut to what axes can store (a longer one is a failed login).
AXES_USERNAME_CALLABLE = "newsroom.admin_site.login_attempt_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Fetching URLs that editors paste and feeds supply (newsroom.fetching): public
# addresses only, at most this many bytes and seconds per fetch. Loopback
# addresses are allowed for tests and local development only (check --deploy
# warns when it is on).
NEWSROOM_FETCH_MAX_BYTES = env.int("NEWSROOM_FETCH_MAX_BYTES", default=5 * 1024 * 1024)
NEWSROOM_FETCH_TIMEOUT = env.float("NEWSROOM_FETCH_TIMEOUT", default=10.0)
NEWSROOM_FETCH_ALLOW_LOOPBACK = env.bool("NEWSROOM_FETCH_ALLOW_LOOPBACK", default=False)
NEWSROOM_FETCH_USER_AGENT = env.str(
    "NEWSROOM_FETCH_USER_AGENT", default=f"Newsroom/0.1 (+{NEWSROOM_SITE_URL})"
)

# The wire (wire app): each source's feed is fetched every WIRE_FETCH_INTERVAL_SECONDS
# by `manage.py fetch_sources` (cron) or the self-renewing task it can queue, by
# WIRE_FETCH_WORKERS fetches at a time. A failing feed waits twice as long after
# each failure, up to WIRE_MAX_BACKOFF_SECONDS.
WIRE_FETCH_INTERVAL_SECONDS = env.int("WIRE_FETCH_INTERVAL_SECONDS", default=900)
WIRE_FETCH_WORKERS = env.int("WIRE_FETCH_WORKERS", default=8)
WIRE_MAX_BACKOFF_SECONDS = env.int("WIRE_MAX_BACKOFF_SECONDS", default=24 * 3600)

# Listings.
NEWSROOM_PAGE_SIZE = env.int("NEWSROOM_PAGE_SIZE", default=10)

# The media library (images): the largest image an editor may upload.
IMAGES_MAX_UPLOAD_BYTES = env.int("IMAGES_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# The editor's extensions beyond django-prose-editor's own: the media library's
# "Insert image" and the providers' players ("Embed", a pasted URL). Their
# markup is allowed by articles.html.sanitize_html, not by the editor's config.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/editor-media.js")],
        "extensions": {"NewsroomMedia": "django_prose_editor.config.html_tags"},
    }
]

# Tags: "Climate" and "climate" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# Comments (WordPress's Discussion settings).
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=50)
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=5)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=5000)
# Close comments on articles older than this many days; 0 never closes them.
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
# How many proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
NEWSROOM_TRUSTED_PROXIES = env.int("NEWSROOM_TRUSTED_PROXIES", default=0)

# Spam checks (comments.spam): run in order on every new comment; see the
# package's docstring for the rule that combines their verdicts.
COMMENTS_SPAM_CHECKS = [
    {"NAME": "comments.spam.checks.HoneypotCheck"},
    {"NAME": "comments.spam.checks.TimestampCheck", "OPTIONS": {"min_seconds": 3}},
    {"NAME": "comments.spam.checks.BlocklistCheck"},
    {"NAME": "comments.spam.checks.DisallowedWordsCheck"},
    {"NAME": "comments.spam.checks.ModerationWordsCheck"},
    {"NAME": "comments.spam.checks.LinkCountCheck", "OPTIONS": {"hold_at": 2}},
    {"NAME": "comments.spam.checks.RateLimitCheck"},
    {"NAME": "comments.spam.checks.DuplicateCheck"},
    {"NAME": "comments.spam.checks.TrustedAuthorCheck"},
    {"NAME": "comments.spam.akismet.AkismetCheck"},
    {"NAME": "comments.spam.classifier.ClassifierCheck"},
]
# Per-IP limits in a window of COMMENTS_RATE_WINDOW seconds: more than
# HOLD_AFTER comments are held; more than REFUSE_AFTER are refused (HTTP 429).
COMMENTS_RATE_WINDOW = env.int("COMMENTS_RATE_WINDOW", default=600)
COMMENTS_RATE_HOLD_AFTER = env.int("COMMENTS_RATE_HOLD_AFTER", default=3)
COMMENTS_RATE_REFUSE_AFTER = env.int("COMMENTS_RATE_REFUSE_AFTER", default=10)
# The classifier's verdict counts once it has learnt from this many comments.
COMMENTS_CLASSIFIER_MIN_EXAMPLES = env.int("COMMENTS_CLASSIFIER_MIN_EXAMPLES", default=50)
# The classifier alone only holds a comment for a moderator. Set a probability
# (e.g. 0.99) to let it mark spam outright above it, after measuring it on the
# site's comments (bench/classifier.py). Empty: never (the default).
COMMENTS_CLASSIFIER_SPAM_THRESHOLD = env.float("COMMENTS_CLASSIFIER_SPAM_THRESHOLD", default=None)
# Failed checks are retried (with a backend that can defer tasks) this many times.
COMMENTS_CHECK_RETRIES = env.int("COMMENTS_CHECK_RETRIES", default=3)
COMMENTS_CHECK_RETRY_DELAY = env.int("COMMENTS_CHECK_RETRY_DELAY", default=300)
# Checks that run in the reader's request (the immediate task backend) may spend
# this long in total on the network (Akismet); a check still waiting then holds
# the comment, and `manage.py recheck_comments` finishes it with its full timeout.
COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS = env.float(
    "COMMENTS_CHECKS_REQUEST_BUDGET_SECONDS", default=1.5
)
# recheck_comments leaves a comment whose checks never ran this long to the
# task worker before judging it itself.
COMMENTS_RECHECK_GRACE_SECONDS = env.int("COMMENTS_RECHECK_GRACE_SECONDS", default=300)
# Spam older than this many days is deleted by `manage.py purge_spam` (WordPress: 15).
COMMENTS_SPAM_KEEP_DAYS = env.int("COMMENTS_SPAM_KEEP_DAYS", default=15)

# Akismet: on when a key is set. The endpoint is a setting so tests can point it
# at a local server.
COMMENTS_AKISMET_API_KEY = env.str("COMMENTS_AKISMET_API_KEY", default="")
COMMENTS_AKISMET_API_URL = env.str(
    "COMMENTS_AKISMET_API_URL", default="https://rest.akismet.com/1.1/"
)
COMMENTS_AKISMET_IS_TEST = env.bool("COMMENTS_AKISMET_IS_TEST", default=False)

# urlize() (comment text) links bare domains over https, as Django 7 will.
URLIZE_ASSUME_HTTPS = True
