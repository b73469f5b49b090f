"""Frontline settings, driven by FRONTLINE_* environment variables.

The embedded default needs nothing: SQLite in WAL mode under FRONTLINE_DATA_DIR
(./var), with a secret key generated on first start and kept beside the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("FRONTLINE_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """FRONTLINE_SECRET_KEY, or a key generated once and kept in the data dir."""
    configured = os.environ.get("FRONTLINE_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("FRONTLINE_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("FRONTLINE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("FRONTLINE_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Listed so the API docs use Ninja's bundled Swagger UI, not a CDN.
    "ninja",
    "frontline.core",
    "frontline.customers",
    "frontline.routing",
    "frontline.tickets",
    "frontline.search",
    "frontline.mail",
    "frontline.desk",
    "frontline.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "frontline.urls"
WSGI_APPLICATION = "frontline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = os.environ.get("FRONTLINE_DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'frontline.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE transactions
        # take the write lock up front so concurrent writers queue instead of
        # failing with "database is locked" half-way through a transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            ),
        }
        config["TEST"] = {"NAME": os.environ.get("FRONTLINE_TEST_SQLITE", "")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Ticket lists join up to ten small tables; with the default limit (8)
        # PostgreSQL spent 20-100 ms planning join orders for a query that runs
        # in 1-6 ms (bench/RESULTS.md, finding 2). Django already writes the
        # LEFT JOINs in a good order, so let the planner keep it.
        options = config.setdefault("OPTIONS", {})
        options.setdefault("options", "-c join_collapse_limit=4")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("FRONTLINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Static files are served from the apps by WhiteNoise's finders; the directory only
# has to exist (for `collectstatic` in deployments that want it).
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("FRONTLINE_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FRONTLINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Ticket lifecycle: how long a resolved ticket waits for the customer before it
# closes, and when the one reminder goes out before that.
FRONTLINE_REFERENCE_PREFIX = "FL"
FRONTLINE_RESOLVED_QUIET_DAYS = int(os.environ.get("FRONTLINE_RESOLVED_QUIET_DAYS", "7"))
FRONTLINE_RESOLVED_REMINDER_DAYS = int(os.environ.get("FRONTLINE_RESOLVED_REMINDER_DAYS", "5"))

# The email channel. The support address is where customers write; replies to a
# ticket go to its own signed variant (support+FL-10427-<signature>@domain).
FRONTLINE_SUPPORT_ADDRESS = os.environ.get(
    "FRONTLINE_SUPPORT_ADDRESS", "support@frontline.localhost"
)
FRONTLINE_MESSAGE_ID_DOMAIN = os.environ.get(
    "FRONTLINE_MESSAGE_ID_DOMAIN", FRONTLINE_SUPPORT_ADDRESS.rpartition("@")[2] or "localhost"
)
FRONTLINE_SMTP_URL = os.environ.get("FRONTLINE_SMTP_URL", "")
# A reply to a closed ticket reopens it within this many days, else opens a new linked one.
FRONTLINE_REOPEN_WINDOW_DAYS = int(os.environ.get("FRONTLINE_REOPEN_WINDOW_DAYS", "14"))
# How long a no-login link to a ticket page stays valid.
FRONTLINE_PORTAL_LINK_DAYS = int(os.environ.get("FRONTLINE_PORTAL_LINK_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FRONTLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
