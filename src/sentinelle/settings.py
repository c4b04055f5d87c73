"""Sentinelle settings: one module, every knob read from the environment.

Every variable is documented in README.md ("Configuration"); its default is written once, in
``sentinelle/conf.py``, which also gives the code typed readers of the ``SENTINELLE_*`` settings
below. Defaults give the embedded demo: SQLite under var/, mail written to files under var/outbox.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from sentinelle import conf

BASE_DIR = Path(__file__).resolve().parent


def env(name: str) -> Any:
    """An environment variable's value, or its one default (``sentinelle/conf.py``)."""
    return conf.env(name)


VAR_DIR = Path(env("SENTINELLE_VAR_DIR") or Path.cwd() / "var").resolve()


DEBUG = env("SENTINELLE_DEBUG")


def _secret_key() -> str:
    """SENTINELLE_SECRET_KEY, or a random key made once and kept in var/secret_key.

    Several machines serving one site must share a key: set the variable there.
    """
    key: str = env("SENTINELLE_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # Written aside, then linked into place: a racing process sees no file or a whole one.
        fd, tmp = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key.")
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(tmp, path)
        except FileExistsError:
            key = path.read_text().strip()
        finally:
            os.unlink(tmp)
        return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env("SENTINELLE_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("SENTINELLE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "sentinelle.core",
    "sentinelle.members",
    "sentinelle.platforms",
    "sentinelle.catalogue",
    "sentinelle.takedowns",
    "sentinelle.notices",
    "sentinelle.checks",
    "sentinelle.recipients",
    "sentinelle.investigations",
    "sentinelle.desk",
    "sentinelle.stats",
]

MIDDLEWARE = [
    # Outermost: it reshapes the final 404/405 under /api/v1/ whoever produced it.
    "sentinelle.core.middleware.ApiErrorBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after security (WhiteNoise's place): no session or database for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sentinelle.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sentinelle.urls"
WSGI_APPLICATION = "sentinelle.wsgi.application"

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
                "sentinelle.core.context_processors.society",
                "sentinelle.investigations.context_processors.investigations",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'sentinelle.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or _default_sqlite
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env("SENTINELLE_DB_CONN_MAX_AGE"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets the web server read while the task worker writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env("SENTINELLE_TEST_SQLITE_NAME") or None}
# Statement, lock and connection timeouts (SENTINELLE_DB_*): a locked or unreachable database is a
# quick 503, never a request hanging for as long as the lock is held.
DATABASES["default"]["OPTIONS"] = conf.database_options(
    DATABASES["default"]["ENGINE"], DATABASES["default"].get("OPTIONS", {})
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- The web server (python -m sentinelle serve, gunicorn) ---------------------------
SENTINELLE_WEB_BIND = env("SENTINELLE_WEB_BIND")
SENTINELLE_WEB_WORKERS = env("SENTINELLE_WEB_WORKERS")  # 0 = 2 x CPUs + 1
SENTINELLE_WEB_THREADS = env("SENTINELLE_WEB_THREADS")
SENTINELLE_WEB_TIMEOUT = env("SENTINELLE_WEB_TIMEOUT")  # seconds before a stuck worker is replaced

# --- Cache ----------------------------------------------------------------------
# Shared by every process when it is Redis (SENTINELLE_CACHE_URL): the rate limits' counters and the
# platform registry's version live there. The local-memory default is for the embedded demo.
CACHES = {"default": conf.cache_settings(env("SENTINELLE_CACHE_URL"))}
# django-ratelimit (sentinelle.core.ratelimit) counts in that cache; when it cannot, requests pass.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes; members/lockout.py): per account (its e-mail
# lowered) and address, and per address across accounts (password spraying).
AXES_HANDLER = "sentinelle.members.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = env("SENTINELLE_LOGIN_FAILURE_LIMIT")
SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT = env("SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env("SENTINELLE_LOGIN_COOLOFF_MINUTES") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]  # lockout.PER_ACCOUNT, PER_ADDRESS
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "sentinelle.members.lockout.login_username"
# The client's address is read one way for the lockouts and every rate limit (core/client.py):
# the peer's, or the one SENTINELLE_TRUSTED_PROXY_COUNT proxies in front of the service saw.
AXES_CLIENT_IP_CALLABLE = "sentinelle.core.client.client_ip"
SENTINELLE_TRUSTED_PROXY_COUNT = env("SENTINELLE_TRUSTED_PROXY_COUNT")
SENTINELLE_LOGIN_RATE_LIMIT = env("SENTINELLE_LOGIN_RATE_LIMIT")  # per client address per minute; 0 = off

# Django's default, written out because the reset pages and e-mail say "three days".
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env("SENTINELLE_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env("SENTINELLE_SESSION_AGE_SECONDS")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS. A deployment with DEBUG off and secure cookies on is served over HTTPS: it redirects
# plain HTTP (but /healthz, which a load balancer may probe over HTTP) and sends HSTS for a year,
# subdomains included, with the preload token — each can be set otherwise (docs/operations.md).
HTTPS_DEPLOYMENT = not DEBUG and SESSION_COOKIE_SECURE


def _auto(name: str, when_https: Any, otherwise: Any) -> Any:
    value = env(name)
    if value is not None:
        return value
    return when_https if HTTPS_DEPLOYMENT else otherwise


SECURE_SSL_REDIRECT = _auto("SENTINELLE_SSL_REDIRECT", True, False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _auto("SENTINELLE_HSTS_SECONDS", 60 * 60 * 24 * 365, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _auto("SENTINELLE_HSTS_INCLUDE_SUBDOMAINS", True, False)
SECURE_HSTS_PRELOAD = _auto("SENTINELLE_HSTS_PRELOAD", True, False)
# The header a TLS-terminating proxy sets to say the request came over HTTPS (X-Forwarded-Proto:
# https). Only behind a proxy that always sets it: otherwise a client could claim HTTPS.
SENTINELLE_PROXY_SSL_HEADER = env("SENTINELLE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = conf.proxy_ssl_header(SENTINELLE_PROXY_SSL_HEADER)

# Content-Security-Policy (django-csp): scripts, styles and everything else from this site only;
# no inline script or style, no plugin, no framing, forms post back here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- I18n ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("SENTINELLE_TIME_ZONE")
USE_I18N = True
USE_TZ = True
# Unambiguous dates in both languages ("1 Dec 2026 10:46", "1 déc. 2026 10:46"): formats/.
FORMAT_MODULE_PATH = ["sentinelle.formats"]

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("SENTINELLE_STATIC_ROOT") or VAR_DIR / "static")
# WhiteNoise serves what collectstatic gathered, compressed (gzip) beside each file; the web server
# needs no proxy for /static/. In debug mode it reads the apps' folders directly.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Mail ---------------------------------------------------------------------
EMAIL_BACKEND = env("SENTINELLE_EMAIL_BACKEND")
EMAIL_FILE_PATH = Path(env("SENTINELLE_EMAIL_FILE_PATH") or VAR_DIR / "outbox")
EMAIL_HOST = env("SENTINELLE_EMAIL_HOST")
EMAIL_PORT = env("SENTINELLE_EMAIL_PORT")
EMAIL_HOST_USER = env("SENTINELLE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("SENTINELLE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env("SENTINELLE_EMAIL_USE_TLS")
EMAIL_TIMEOUT = env("SENTINELLE_EMAIL_TIMEOUT")
# The society's own address unless another is set: mail never leaves as a local name.
DEFAULT_FROM_EMAIL = env("SENTINELLE_DEFAULT_FROM_EMAIL") or env("SENTINELLE_SOCIETY_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------
# The embedded default is the database backend (django-tasks-db: the queue is a table, workers are
# `db_worker`); `rq` puts the queue in Redis (django-tasks-rq; workers are
# `rqworker --job-class django_tasks_rq.Job --with-scheduler`), for many workers on many machines.
TASKS = {
    "default": {
        "BACKEND": conf.task_backend_path(env("SENTINELLE_TASK_BACKEND")),
    }
}
SENTINELLE_RQ_URL = env("SENTINELLE_RQ_URL")
RQ_QUEUES = {"default": {"URL": SENTINELLE_RQ_URL, "DEFAULT_TIMEOUT": 3600}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}

# Periodic tasks enqueued by `manage.py run_scheduler`: task path → every N seconds.
SENTINELLE_PERIODIC_TASKS = {
    "sentinelle.notices.tasks.build_notices": env("SENTINELLE_BUILD_NOTICES_EVERY"),
    "sentinelle.notices.tasks.deliver_due_notices": env("SENTINELLE_DELIVER_DUE_EVERY"),
    "sentinelle.notices.tasks.post_lumen_due": env("SENTINELLE_DELIVER_DUE_EVERY"),
    "sentinelle.checks.tasks.run_due_checks": env("SENTINELLE_RUN_CHECKS_EVERY"),
    "sentinelle.takedowns.tasks.send_result_digests": env("SENTINELLE_SEND_DIGESTS_EVERY"),
    "sentinelle.takedowns.tasks.resolve_short_links": env("SENTINELLE_RESOLVE_SHORT_LINKS_EVERY"),
    "sentinelle.takedowns.tasks.read_torrent_pages": env("SENTINELLE_READ_TORRENT_PAGES_EVERY"),
    "sentinelle.recipients.tasks.discover_pending": env("SENTINELLE_DISCOVER_RECIPIENTS_EVERY"),
    "sentinelle.notices.tasks.read_bounces": env("SENTINELLE_READ_BOUNCES_EVERY"),
    "sentinelle.stats.tasks.refresh_rollups": env("SENTINELLE_REFRESH_ROLLUPS_EVERY"),
}

# --- The society (sender of every notice) -------------------------------------
SENTINELLE_SOCIETY = {
    "name": env("SENTINELLE_SOCIETY_NAME"),
    "short_name": env("SENTINELLE_SOCIETY_SHORT_NAME"),
    "address": env("SENTINELLE_SOCIETY_ADDRESS"),
    "legal_representative": env("SENTINELLE_SOCIETY_REPRESENTATIVE"),
    "email": env("SENTINELLE_SOCIETY_EMAIL"),
    "phone": env("SENTINELLE_SOCIETY_PHONE"),
    "street": env("SENTINELLE_SOCIETY_STREET"),
    "postcode": env("SENTINELLE_SOCIETY_POSTCODE"),
    "city": env("SENTINELLE_SOCIETY_CITY"),
    "country": env("SENTINELLE_SOCIETY_COUNTRY").upper(),
}
SENTINELLE_SOCIETY_CISAC_CODE = env("SENTINELLE_SOCIETY_CISAC_CODE")

# --- Member rules -------------------------------------------------------------
SENTINELLE_DAILY_LINK_QUOTA = env("SENTINELLE_DAILY_LINK_QUOTA")
SENTINELLE_PAGE_SIZE = env("SENTINELLE_PAGE_SIZE")
SENTINELLE_API_RATE_LIMIT = env("SENTINELLE_API_RATE_LIMIT")  # per token per minute; 0 = off
SENTINELLE_PASSWORD_RESET_LIMIT = env("SENTINELLE_PASSWORD_RESET_LIMIT")  # an hour, per address and per client; 0 = off
# The platforms' answer API, per platform token per minute; 0 = off.
SENTINELLE_ANSWER_API_RATE_LIMIT = env("SENTINELLE_ANSWER_API_RATE_LIMIT")
SENTINELLE_MAX_LINES_PER_SUBMISSION = env("SENTINELLE_MAX_LINES_PER_SUBMISSION")
SENTINELLE_MAX_SUBMISSION_BYTES = env("SENTINELLE_MAX_SUBMISSION_BYTES")
# A 1 MB paste must reach the intake, which answers it clearly, rather than Django's 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = SENTINELLE_MAX_SUBMISSION_BYTES * 3 + 65536

# --- Notices (the notices app) -------------------------------------------------
SENTINELLE_NOTICE_MAX_URLS = env("SENTINELLE_NOTICE_MAX_URLS")
SENTINELLE_DELIST_SEARCH_ENGINES = env("SENTINELLE_DELIST_SEARCH_ENGINES")
SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN = env("SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN")
SENTINELLE_NOTICE_MAX_ATTEMPTS = env("SENTINELLE_NOTICE_MAX_ATTEMPTS")
SENTINELLE_NOTICE_RETRY_BASE_SECONDS = env("SENTINELLE_NOTICE_RETRY_BASE_SECONDS")
SENTINELLE_NOTICE_RETRY_MAX_SECONDS = env("SENTINELLE_NOTICE_RETRY_MAX_SECONDS")
SENTINELLE_NOTICE_SEND_LEASE_SECONDS = env("SENTINELLE_NOTICE_SEND_LEASE_SECONDS")
# Notices leave from the society's own notice address unless another is set.
SENTINELLE_NOTICE_FROM_EMAIL = env("SENTINELLE_NOTICE_FROM_EMAIL") or SENTINELLE_SOCIETY["email"] or DEFAULT_FROM_EMAIL
# The address the site is reached at, for links in notices and e-mails (https://sentinelle.example.org).
SENTINELLE_PUBLIC_URL = env("SENTINELLE_PUBLIC_URL")
# Where the mail server delivers the bounces (DSNs) of notices: a Maildir read by read_bounces.
SENTINELLE_BOUNCE_MAILDIR = env("SENTINELLE_BOUNCE_MAILDIR")
# Lumen's notice API (https://lumendatabase.org): each delivered notice posted there when both are set.
SENTINELLE_LUMEN_URL = env("SENTINELLE_LUMEN_URL")
SENTINELLE_DSA_INDEPENDENCE_STATEMENT = env("SENTINELLE_DSA_INDEPENDENCE_STATEMENT")
SENTINELLE_LUMEN_TOKEN = env("SENTINELLE_LUMEN_TOKEN")
SENTINELLE_LUMEN_MAX_ATTEMPTS = env("SENTINELLE_LUMEN_MAX_ATTEMPTS")

# --- Link checks (the checks app) ----------------------------------------------
# Loopback is refused by the safe fetcher unless this is on (the demo and the tests only).
SENTINELLE_FETCH_ALLOW_LOOPBACK = env("SENTINELLE_FETCH_ALLOW_LOOPBACK")
# Extra trusted CA certificates (PEM) for every outbound fetch: a TLS-inspecting proxy's CA.
SENTINELLE_FETCH_CA_FILE = env("SENTINELLE_FETCH_CA_FILE")
# Name servers (host:port, comma-separated) for every lookup of the fetcher and of recipient
# discovery; empty: the system's resolver.
SENTINELLE_DNS_NAMESERVERS = env("SENTINELLE_DNS_NAMESERVERS")
SENTINELLE_DNS_TIMEOUT_SECONDS = env("SENTINELLE_DNS_TIMEOUT_SECONDS")
# host:address pairs that skip DNS (curl's --resolve), to rehearse against test servers; refused
# unless SENTINELLE_FETCH_ALLOW_LOOPBACK is on (conf.validate_fetch_resolve).
SENTINELLE_FETCH_RESOLVE = env("SENTINELLE_FETCH_RESOLVE")
conf.validate_fetch_resolve(SENTINELLE_FETCH_RESOLVE, allow_loopback=SENTINELLE_FETCH_ALLOW_LOOPBACK)
SENTINELLE_CHECK_SCHEDULE_HOURS = env("SENTINELLE_CHECK_SCHEDULE_HOURS")
SENTINELLE_CHECK_CONFIRM_HOURS = env("SENTINELLE_CHECK_CONFIRM_HOURS")
SENTINELLE_CHECK_RETRY_HOURS = env("SENTINELLE_CHECK_RETRY_HOURS")
# Confirmations and retries go on this long after the last slot; then a link never settled is unverifiable.
SENTINELLE_CHECK_RETRY_WINDOW_HOURS = env("SENTINELLE_CHECK_RETRY_WINDOW_HOURS")
SENTINELLE_CHECK_BATCH = env("SENTINELLE_CHECK_BATCH")
SENTINELLE_CHECK_PER_HOST = env("SENTINELLE_CHECK_PER_HOST")
SENTINELLE_CHECK_HOST_DELAY_MS = env("SENTINELLE_CHECK_HOST_DELAY_MS")
SENTINELLE_CHECK_CONCURRENCY = env("SENTINELLE_CHECK_CONCURRENCY")
# A worker holds the links it claimed this long; longer than a batch takes with the caps on.
SENTINELLE_CHECK_LEASE_SECONDS = env("SENTINELLE_CHECK_LEASE_SECONDS")
SENTINELLE_ESCALATION_DEADLINE_HOURS = env("SENTINELLE_ESCALATION_DEADLINE_HOURS")
SENTINELLE_ESCALATE_TO_DELIST = env("SENTINELLE_ESCALATE_TO_DELIST")
SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS = env("SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS")
SENTINELLE_REAPPEARANCE_CHECK_HOURS = env("SENTINELLE_REAPPEARANCE_CHECK_HOURS")
SENTINELLE_REAPPEARANCE_WATCH_DAYS = env("SENTINELLE_REAPPEARANCE_WATCH_DAYS")

# --- Recipient discovery (the recipients app) ----------------------------------------
# Requests to the sites and the RDAP servers follow the link checks' politeness caps above.
SENTINELLE_RECIPIENTS_TTL_DAYS = env("SENTINELLE_RECIPIENTS_TTL_DAYS")
SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS = env("SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS")
SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS = env("SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS")
SENTINELLE_RECIPIENTS_MAX_PAGES = env("SENTINELLE_RECIPIENTS_MAX_PAGES")
SENTINELLE_RECIPIENTS_MAX_BYTES = env("SENTINELLE_RECIPIENTS_MAX_BYTES")
SENTINELLE_RECIPIENTS_CONCURRENCY = env("SENTINELLE_RECIPIENTS_CONCURRENCY")
SENTINELLE_RECIPIENTS_BATCH = env("SENTINELLE_RECIPIENTS_BATCH")
SENTINELLE_RECIPIENTS_LEASE_SECONDS = env("SENTINELLE_RECIPIENTS_LEASE_SECONDS")
# A directory of IANA-format bootstrap files (dns.json, ipv4.json, ipv6.json); empty: the shipped ones.
SENTINELLE_RDAP_BOOTSTRAP_DIR = env("SENTINELLE_RDAP_BOOTSTRAP_DIR")
# A CDN ranges file in the shipped format (recipients/data/cdn.json); empty: the shipped one.
SENTINELLE_CDN_RANGES_FILE = env("SENTINELLE_CDN_RANGES_FILE")

# --- Investigations (the investigations app) ----------------------------------------
# Evidence files, write-once and named by their SHA-256.
SENTINELLE_EVIDENCE_DIR = Path(env("SENTINELLE_EVIDENCE_DIR") or VAR_DIR / "evidence")
# The society's Ed25519 key that signs evidence manifests; made on first use when absent.
SENTINELLE_SIGNING_KEY_PATH = Path(env("SENTINELLE_SIGNING_KEY_PATH") or VAR_DIR / "signing_key.pem")
# An RFC 3161 time-stamping authority (empty: manifests are signed but not time-stamped).
SENTINELLE_TSA_URL = env("SENTINELLE_TSA_URL")
# PEM file of the authority's root certificate(s), to check its tokens.
SENTINELLE_TSA_ROOTS = env("SENTINELLE_TSA_ROOTS")
SENTINELLE_CHROMIUM = env("SENTINELLE_CHROMIUM")
SENTINELLE_EVIDENCE_SCREENSHOTS = env("SENTINELLE_EVIDENCE_SCREENSHOTS")
SENTINELLE_EVIDENCE_MAX_BYTES = env("SENTINELLE_EVIDENCE_MAX_BYTES")
SENTINELLE_EVIDENCE_TIMEOUT = env("SENTINELLE_EVIDENCE_TIMEOUT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SENTINELLE_LOG_LEVEL")},
    "loggers": {"axes": {"level": "WARNING"}},
}
