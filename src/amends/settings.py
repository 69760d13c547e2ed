"""amends settings, read from the environment (see README, "Configuration").

Embedded mode (the default) needs no variables: SQLite in the data directory, a generated secret key, a
database-backed task queue and mail written to files. Production mode (AMENDS_PRODUCTION=1) requires the
secret key, allowed hosts and a base URL, and turns on the HTTPS hardening that `check --deploy` asks for.
"""

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from amends.core.money import is_currency
from amends.env import Env

env = Env()

BASE_DIR = Path(__file__).resolve().parent
PRODUCTION = env.bool("AMENDS_PRODUCTION")
DEBUG = env.bool("AMENDS_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("AMENDS_DEBUG cannot be on with AMENDS_PRODUCTION")

# The data directory sits beside the code by default, wherever a process is started from (web, worker, CLI).
DATA_DIR = Path(env.str("AMENDS_DATA_DIR") or BASE_DIR.parent.parent / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env.str("AMENDS_SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise ImproperlyConfigured("AMENDS_SECRET_KEY must be at least 50 characters long")
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("AMENDS_SECRET_KEY is required when AMENDS_PRODUCTION is on")
    # Embedded mode: generate once and keep it, so sessions and status links survive a restart.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("AMENDS_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("AMENDS_ALLOWED_HOSTS is required when AMENDS_PRODUCTION is on")
BASE_URL = env.str("AMENDS_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if not BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("AMENDS_BASE_URL must be an absolute http(s) URL, e.g. https://help.example.com")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN (the CSP allows only 'self')
    "amends.core",
    "amends.accounts",
    "amends.brands",
    "amends.customers",
    "amends.cases",
    "amends.intake",
    "amends.portal",
    "amends.outbox",
    "amends.api",
    "amends.webhooks",
    "amends.triage",
    "amends.playbooks",
    "amends.replies",
    "amends.remedies",
    "amends.incidents",
    "amends.campaigns",
    "amends.aftercare",
    "amends.insights",
    "amends.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "amends.urls"
WSGI_APPLICATION = "amends.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the data directory unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'amends.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two writers queue
    # on the busy timeout instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql",):
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite (sqlite:///path) or PostgreSQL (postgres://...)")
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Task queue: the database queue is durable and needs nothing else; Redis is the scale-out choice.
TASK_BACKEND = env.choice("AMENDS_TASK_BACKEND", ("database", "redis", "immediate"), "database")
REDIS_URL = env.str("AMENDS_REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "outbox"]}}
elif TASK_BACKEND == "redis":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "outbox"]}}
    # Only with the Redis queue: django_rq brings redis, rq and rq_scheduler into every process that loads the apps.
    INSTALLED_APPS.append("django_rq")
else:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in ("default", "outbox")}

# Caches. "default" may be one process's own: short-lived copies of what is read often. "shared" is one store for
# every process and machine, and rate limits count there: Redis in the Redis mode; otherwise the database (the
# table amends_cache, which a migration creates), with an atomic increment (amends.core.cache).
CACHES: dict[str, dict[str, Any]]
if TASK_BACKEND == "redis":
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {"default": _redis, "shared": {**_redis, "KEY_PREFIX": "shared"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "amends.core.cache.DatabaseCache",
            "LOCATION": "amends_cache",
            # Past this many rows the expired ones go first; counters outlive their window by seconds only.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# Outgoing mail: SMTP when a host is configured, otherwise files in the data directory (embedded demo).
_email_host = env.str("AMENDS_EMAIL_HOST")
if _email_host:
    _use_tls, _use_ssl = env.bool("AMENDS_EMAIL_TLS"), env.bool("AMENDS_EMAIL_SSL")
    if _use_tls and _use_ssl:
        raise ImproperlyConfigured("AMENDS_EMAIL_TLS and AMENDS_EMAIL_SSL are mutually exclusive")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env.int("AMENDS_EMAIL_PORT", 25, minimum=1, maximum=65535),
                "username": env.str("AMENDS_EMAIL_USER"),
                "password": env.str("AMENDS_EMAIL_PASSWORD"),
                "use_tls": _use_tls,
                "use_ssl": _use_ssl,
                "timeout": 20,
            },
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured("AMENDS_EMAIL_HOST is required when AMENDS_PRODUCTION is on")
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "sent-mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("AMENDS_EMAIL_FROM", "care@amends.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env.int("AMENDS_OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=100)
# How long a worker's claim on outbox rows lasts; a worker that dies is noticed when it runs out.
OUTBOX_LEASE_SECONDS = env.int("AMENDS_OUTBOX_LEASE_SECONDS", 120, minimum=1, maximum=3600)
# Hosts webhooks may reach although they are not public https (a test receiver, an internal integration).
WEBHOOK_ALLOWED_HOSTS = env.list("AMENDS_WEBHOOK_ALLOWED_HOSTS", [])
# How long a connector may take to answer one delivery before it counts as failed and is retried with backoff.
WEBHOOK_TIMEOUT_SECONDS: float = env.int("AMENDS_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)
# Apology campaigns: the most rows one upload of affected customers may hold, and how long a worker's claim on a
# batch of campaign messages lasts (a killed worker's batch is claimed again when it ends).
CAMPAIGN_MAX_ROWS = env.int("AMENDS_CAMPAIGN_MAX_ROWS", 1_000_000, minimum=1, maximum=5_000_000)
CAMPAIGN_LEASE_SECONDS = env.int("AMENDS_CAMPAIGN_LEASE_SECONDS", 60, minimum=1, maximum=3600)
STATUS_LINK_DAYS = env.int("AMENDS_STATUS_LINK_DAYS", 90, minimum=1, maximum=3650)
# The company's home currency: remedy policies, caps, authority limits and budgets are in it; orders in another
# currency are converted with the managers' rate table.
CURRENCY = env.str("AMENDS_CURRENCY", "EUR").upper()
if not is_currency(CURRENCY):
    raise ImproperlyConfigured(f"AMENDS_CURRENCY must be an ISO 4217 currency code such as EUR; got {CURRENCY!r}")
# How long remedy options offered to a customer (and the links to choose them) stay open.
REMEDY_OFFER_DAYS = env.int("AMENDS_REMEDY_OFFER_DAYS", 14, minimum=1, maximum=365)
# The dashboard's silent-customer estimate: how many unhappy customers say nothing for each one who complains.
# 26 is TARP's finding for the White House Office of Consumer Affairs, quoted in seed 002 as "only one in 27
# customers complains" (J. Barlow, C. Møller, "A Complaint Is a Gift"); a company with its own survey sets its own.
INSIGHTS_SILENT_FACTOR = env.int("AMENDS_INSIGHTS_SILENT_FACTOR", 26, minimum=1, maximum=1000)
# Inbound mail: the authserv-id(s) our own mail system writes into Authentication-Results; fields naming any
# other server are ignored, since anybody can write one into a mail. With MAIL_REQUIRE_DMARC, a mail joins an
# existing case only if our mail system found that its From domain passed DMARC.
MAIL_AUTHSERV_IDS = [value.lower() for value in env.list("AMENDS_MAIL_AUTHSERV_ID", [])]
MAIL_REQUIRE_DMARC = env.bool("AMENDS_MAIL_REQUIRE_DMARC")
if MAIL_REQUIRE_DMARC and not MAIL_AUTHSERV_IDS:
    raise ImproperlyConfigured(
        "AMENDS_MAIL_REQUIRE_DMARC needs AMENDS_MAIL_AUTHSERV_ID: without it no DMARC verdict is trusted"
    )

# Languages: adding one is adding its locale files and a line here.
LANGUAGE_CODE = env.str("AMENDS_LANGUAGE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("bg", _("Bulgarian")),
    ("sr", _("Serbian (Cyrillic)")),
    ("sr-latn", _("Serbian (Latin)")),
    ("sk", _("Slovak")),
]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"AMENDS_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Languages triage recognises in complaints (a superset of those the customer pages are translated into).
TRIAGE_LANGUAGES = ["en", "ru", "bg", "sr", "sk", "uk", "cs", "pl", "de", "hr", "mk"]
# Below this confidence a predicted category is not trusted: the case is marked "needs review".
TRIAGE_CONFIDENCE_THRESHOLD = 0.35
# The heavier category learner: the sentence encoder runs on every complaint (~15 ms), beside TF-IDF and its map.
TRIAGE_EMBEDDINGS = env.bool("AMENDS_TRIAGE_EMBEDDINGS")
# Complaints about one problem are looked for this far back; this many different customers make an incident.
TRIAGE_CLUSTER_WINDOW_HOURS = 6
TRIAGE_INCIDENT_THRESHOLD = 5
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("AMENDS_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded attachments are checked by content in the intake; these cap what reaches the check at all.
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "amends.core.errors.csrf_failure"
# Content-Security-Policy on every response: scripts, styles and everything else only from this site, no inline
# script or style (the pages have none; htmx is configured not to inject its own), no eval, no framing, no plugins,
# forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A refusal (4xx) is one line; a server error comes with its traceback and the id its page shows (core.errors).
    "filters": {"refusals_in_one_line": {"()": "amends.core.errors.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["refusals_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "amends": {"level": "INFO"},
        # One line per task would drown the log at thousands of mails a minute; failures still show.
        "django.tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "rq.worker": {"level": "WARNING"},
    },
}
