"""Frontline settings, driven by FRONTLINE_* environment variables.

The embedded default needs nothing: SQLite in WAL mode under FRONTLINE_DATA_DIR
(./var), with a secret key generated on first start and kept beside the database.
"""

from __future__ import annotations

import json
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
    "frontline.sla",
    "frontline.tickets",
    "frontline.notifications",
    "frontline.webhooks",
    "frontline.intake",
    "frontline.costs",
    "frontline.problems",
    "frontline.insights",
    "frontline.kb",
    "frontline.search",
    "frontline.workflow",
    "frontline.mail",
    "frontline.desk",
    "frontline.portal",
    "frontline.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response: no inline script (core/csp.py).
    "frontline.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A database that is briefly away answers 503 with Retry-After (core/outages.py).
    "frontline.core.middleware.DatabaseOutageMiddleware",
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
    # Health checks: a connection kept from an earlier request is tested before its
    # first use in the next one, so one the server dropped (a restart) is replaced
    # instead of failing that request.
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE transactions
        # take the write lock up front so concurrent writers queue instead of
        # failing with "database is locked" half-way through a transaction.
        # Connections are kept (per thread): opening one runs the PRAGMAs below and
        # cost ~19 ms a time, which dominated small requests and worker tasks.
        # Each kept connection holds its own page cache and its own memory map of
        # the file, so both are per thread: with mmap_size=256 MiB and 8 server
        # threads the web process showed 920-1,058 MiB resident at 100,000 tickets
        # (the same file pages mapped once per thread; 163 MiB of its own memory).
        # Without the map and with a 16 MiB cache per connection: 268 MiB, the same
        # CPU per request (bench/RESULTS.md, issue 11 part 2).
        config["CONN_MAX_AGE"] = 600
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                "PRAGMA cache_size=-16384; PRAGMA mmap_size=0;"
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
        # A server that does not answer at all (a host down, packets dropped) fails a
        # connect in seconds, not after the kernel's two minutes: the web answers 503
        # and the worker retries (core/outages.py). ?connect_timeout= in the URL wins.
        options.setdefault("connect_timeout", 5)
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
# A site served over https (FRONTLINE_SITE_URL) sends its cookies over https only, and
# tells browsers to come back over https alone (HSTS, a year unless
# FRONTLINE_HSTS_SECONDS says otherwise; Django sends it on https requests only, so a
# TLS-terminating proxy must say so: FRONTLINE_PROXY_SSL_HEADER below).
# FRONTLINE_SECURE_COOKIES=0/1 still decides the cookies explicitly.
_SITE_IS_HTTPS = os.environ.get("FRONTLINE_SITE_URL", "").strip().lower().startswith("https://")
SESSION_COOKIE_SECURE = _env_bool("FRONTLINE_SECURE_COOKIES", default=_SITE_IS_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Scripts never read the CSRF cookie: desk pages carry the token in `hx-headers` and
# forms in their hidden field.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("FRONTLINE_HSTS_SECONDS",
                                         "31536000" if _SITE_IS_HTTPS else "0"))
# "X-Forwarded-Proto": the header a trusted proxy in front sets to "https" (only set
# this when every request passes that proxy, or a client can claim https itself).
if os.environ.get("FRONTLINE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["FRONTLINE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https")
# Sign-in (frontline.core.signin): a username is held after this many failures within
# the window, a client address after this many; every attempt is a SignInEvent row.
FRONTLINE_SIGNIN_ACCOUNT_FAILURES = int(os.environ.get("FRONTLINE_SIGNIN_ACCOUNT_FAILURES", "5"))
FRONTLINE_SIGNIN_ADDRESS_FAILURES = int(os.environ.get("FRONTLINE_SIGNIN_ADDRESS_FAILURES", "20"))
FRONTLINE_SIGNIN_LOCK_MINUTES = float(os.environ.get("FRONTLINE_SIGNIN_LOCK_MINUTES", "15"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FRONTLINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A task that fails because the database was briefly away (a restart, a lost
# connection, SQLite locked) is queued again after 1, 2, 4 ... seconds (at most
# FRONTLINE_TASK_RETRY_MAX_SECONDS apart) until it has been tried this many times
# (core/worker.py); any other error fails it at once.
FRONTLINE_TASK_MAX_ATTEMPTS = int(os.environ.get("FRONTLINE_TASK_MAX_ATTEMPTS", "8"))
FRONTLINE_TASK_RETRY_MAX_SECONDS = float(
    os.environ.get("FRONTLINE_TASK_RETRY_MAX_SECONDS", "60"))
# A worker writes a heartbeat every 10 s; a task still running under a worker not
# seen for this long was lost with it (kill -9, a lost machine) and is queued again
# (core/lost_tasks.py), or failed once it was tried FRONTLINE_TASK_MAX_ATTEMPTS times.
FRONTLINE_WORKER_LOST_SECONDS = int(os.environ.get("FRONTLINE_WORKER_LOST_SECONDS", "120"))

# Ticket lifecycle: how long a resolved ticket waits for the customer before it
# closes, and when the one reminder goes out before that.
FRONTLINE_REFERENCE_PREFIX = "FL"
FRONTLINE_RESOLVED_QUIET_DAYS = int(os.environ.get("FRONTLINE_RESOLVED_QUIET_DAYS", "7"))
FRONTLINE_RESOLVED_REMINDER_DAYS = int(os.environ.get("FRONTLINE_RESOLVED_REMINDER_DAYS", "5"))
# A breach found more than this many hours after its due time (SLAs switched on
# over a backlog, a worker down for days) is recorded for the reports, but its
# policy's actions and notifications do not run: raising every old ticket's
# priority at once helps nobody.
FRONTLINE_SLA_ACTION_WINDOW_HOURS = float(
    os.environ.get("FRONTLINE_SLA_ACTION_WINDOW_HOURS", "24"))
# A plan, policy, calendar or contract change that moves more active tickets than this
# recomputes their due times in range tasks of this many tickets, which every worker
# takes at once (frontline.sla.recompute); a smaller one recomputes them in its request.
FRONTLINE_SLA_RECOMPUTE_CHUNK = int(os.environ.get("FRONTLINE_SLA_RECOMPUTE_CHUNK", "20000"))
# A running timer whose ticket page has not beaten for this many minutes (a crashed
# browser, a laptop asleep) is stopped by the worker at its last beat
# (frontline.costs.services.stop_idle_timers).
FRONTLINE_TIMER_IDLE_MINUTES = float(os.environ.get("FRONTLINE_TIMER_IDLE_MINUTES", "5"))

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
# Attachments of inbound mail beyond these sizes are not stored on the ticket
# (the raw mail keeps them; the ticket says what was left out).
FRONTLINE_MAX_ATTACHMENT_MB = float(os.environ.get("FRONTLINE_MAX_ATTACHMENT_MB", "25"))
FRONTLINE_MAX_MESSAGE_MB = float(os.environ.get("FRONTLINE_MAX_MESSAGE_MB", "50"))
# Stored mail not processed after this many seconds is queued again by the
# worker's sweep (a worker died mid-task); the sweep runs this often.
FRONTLINE_INBOUND_STALE_SECONDS = int(os.environ.get("FRONTLINE_INBOUND_STALE_SECONDS", "300"))
FRONTLINE_INBOUND_SWEEP_SECONDS = int(os.environ.get("FRONTLINE_INBOUND_SWEEP_SECONDS", "120"))

# Outbound mail (frontline.mail.outbound). Mail goes out through FRONTLINE_EMAIL_BACKEND
# when set (a django-anymail backend, configured by the JSON in FRONTLINE_ANYMAIL),
# else over SMTP at FRONTLINE_SMTP_URL, else into files under <data dir>/outbox.
FRONTLINE_EMAIL_BACKEND = os.environ.get("FRONTLINE_EMAIL_BACKEND", "")
ANYMAIL: dict[str, Any] = json.loads(os.environ.get("FRONTLINE_ANYMAIL", "") or "{}")
# One anymail setting per variable too (FRONTLINE_ANYMAIL_WEBHOOK_SECRET=user:pass,
# FRONTLINE_ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY=...): inbound webhooks are refused
# until the provider's signing key or the shared basic-auth secret is set.
ANYMAIL.update({name.removeprefix("FRONTLINE_ANYMAIL_"): value
                for name, value in os.environ.items()
                if name.startswith("FRONTLINE_ANYMAIL_") and value})
# The SMTP/LMTP listener accepts the support address, its +tagged variants and every
# address at these domains (comma-separated); other recipients get 550.
FRONTLINE_RECIPIENT_DOMAINS = [
    domain.strip() for domain in os.environ.get("FRONTLINE_RECIPIENT_DOMAINS", "").split(",")
    if domain.strip()
]
# IMAP mailboxes are polled this often by the worker.
FRONTLINE_IMAP_POLL_SECONDS = int(os.environ.get("FRONTLINE_IMAP_POLL_SECONDS", "60"))
FRONTLINE_OUTBOX_DIR = DATA_DIR / "outbox"
FRONTLINE_SUPPORT_NAME = os.environ.get("FRONTLINE_SUPPORT_NAME", "Support")
# Where customers open their no-login ticket pages; mails carry links to it.
FRONTLINE_SITE_URL = os.environ.get("FRONTLINE_SITE_URL", "http://127.0.0.1:8000")
# The acknowledgement's promise of a reply time, until SLAs give a real one.
FRONTLINE_ACK_PROMISE = os.environ.get(
    "FRONTLINE_ACK_PROMISE", "We usually answer within one business day."
)
# Automatic mails (acknowledgements, reminders, fresh links): at most N per period,
# per recipient and per ticket, so that a loop with a robot dies ("10/10m,50/1d").
FRONTLINE_AUTO_MAIL_LIMITS = os.environ.get("FRONTLINE_AUTO_MAIL_LIMITS", "10/10m,50/1d")
FRONTLINE_AUTO_MAIL_TICKET_LIMITS = os.environ.get(
    "FRONTLINE_AUTO_MAIL_TICKET_LIMITS", "5/1h,10/1d"
)
# Delivery retries: a 4xx answer or a lost connection is retried with exponential
# backoff (base, 2x base, 4x base, ...) up to this many attempts; a 5xx fails at once.
FRONTLINE_MAIL_MAX_ATTEMPTS = int(os.environ.get("FRONTLINE_MAIL_MAX_ATTEMPTS", "8"))
FRONTLINE_MAIL_RETRY_SECONDS = int(os.environ.get("FRONTLINE_MAIL_RETRY_SECONDS", "60"))
# Undo send: a reply sent from the desk composer is stored at once and mailed only
# this many seconds later; until then "Undo" takes it back (0: mailed at once).
FRONTLINE_UNDO_SEND_SECONDS = max(0, int(os.environ.get("FRONTLINE_UNDO_SEND_SECONDS", "10")))

# Problems (frontline.problems): the inbound tracker webhook answers 403 until the
# secret is set (X-Frontline-Signature: sha256=<hex>). URLs listed here become
# outbound webhook endpoints for the problem events (signed with the same secret) the
# first time one goes out; register new ones in Settings → Webhooks instead.
# Developers see a problem's impact without contract values unless allowed.
FRONTLINE_PROBLEM_WEBHOOK_URLS = [
    url.strip() for url in os.environ.get("FRONTLINE_PROBLEM_WEBHOOK_URLS", "").split(",")
    if url.strip()
]
FRONTLINE_PROBLEM_WEBHOOK_SECRET = os.environ.get("FRONTLINE_PROBLEM_WEBHOOK_SECRET", "")
FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES = _env_bool("FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES")

# Outbound webhooks (frontline.webhooks): endpoints registered by admins. A failed
# attempt is retried after RETRY_SECONDS x 2^(n-1) (at most a day) up to MAX_ATTEMPTS;
# DISABLE_AFTER failed attempts in a row switch the endpoint off and tell the admins.
# Plain http is accepted for localhost only, and only with ALLOW_LOCAL_HTTP (DEBUG).
# (The FRONTLINE_PROBLEM_WEBHOOK_* names of these two are still read.)
FRONTLINE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get(
    "FRONTLINE_WEBHOOK_MAX_ATTEMPTS",
    os.environ.get("FRONTLINE_PROBLEM_WEBHOOK_MAX_ATTEMPTS", "8")))
FRONTLINE_WEBHOOK_RETRY_SECONDS = int(os.environ.get(
    "FRONTLINE_WEBHOOK_RETRY_SECONDS",
    os.environ.get("FRONTLINE_PROBLEM_WEBHOOK_RETRY_SECONDS", "30")))
FRONTLINE_WEBHOOK_DISABLE_AFTER = int(os.environ.get("FRONTLINE_WEBHOOK_DISABLE_AFTER", "20"))
FRONTLINE_WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("FRONTLINE_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Finished deliveries stay in the endpoints' logs this long.
FRONTLINE_WEBHOOK_KEEP_DAYS = int(os.environ.get("FRONTLINE_WEBHOOK_KEEP_DAYS", "30"))
FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = _env_bool("FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP") or DEBUG

# Recurring-problem alerts (frontline.insights.detection): a group of similar tickets
# raises one when it has this many tickets from this many organizations within the
# window (ticket times, so an import of old mail is judged by when it was written).
FRONTLINE_ALERT_MIN_TICKETS = int(os.environ.get("FRONTLINE_ALERT_MIN_TICKETS", "3"))
FRONTLINE_ALERT_MIN_ORGANIZATIONS = int(os.environ.get("FRONTLINE_ALERT_MIN_ORGANIZATIONS", "3"))
FRONTLINE_ALERT_WINDOW_DAYS = float(os.environ.get("FRONTLINE_ALERT_WINDOW_DAYS", "7"))
# What we test ourselves ("database=postgresql,os=linux"): an alert explained by anything
# else is flagged configuration-specific (frontline.insights.explain).
FRONTLINE_TESTED_CONFIGURATIONS = [item.strip() for item in os.environ.get("FRONTLINE_TESTED_CONFIGURATIONS", "").split(",") if item.strip()]  # noqa: E501

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FRONTLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
