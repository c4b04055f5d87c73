"""Sentinelle settings: one module, every knob read from the environment.

Every variable is documented in README.md ("Configuration"). Defaults give the
embedded demo: SQLite under var/, mail written to files under var/outbox.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SENTINELLE_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("SENTINELLE_DEBUG", False)


def _secret_key() -> str:
    """SENTINELLE_SECRET_KEY, or a random key made once and kept in var/secret_key.

    Several machines serving one site must share a key: set the variable there.
    """
    key = os.environ.get("SENTINELLE_SECRET_KEY", "")
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

ALLOWED_HOSTS = env_list("SENTINELLE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SENTINELLE_CSRF_TRUSTED_ORIGINS", [])

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
    "sentinelle.core",
    "sentinelle.members",
    "sentinelle.platforms",
    "sentinelle.catalogue",
    "sentinelle.takedowns",
    "sentinelle.notices",
    "sentinelle.checks",
    "sentinelle.recipients",
    "sentinelle.investigations",
]

MIDDLEWARE = [
    # Outermost: it reshapes the final 404/405 under /api/v1/ whoever produced it.
    "sentinelle.core.middleware.ApiErrorBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("SENTINELLE_DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets the web server read while the task worker writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SENTINELLE_TEST_SQLITE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# Lockout after repeated failed logins (django-axes), per user name and address.
AXES_FAILURE_LIMIT = env_int("SENTINELLE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SENTINELLE_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SENTINELLE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SENTINELLE_SESSION_AGE_SECONDS", 60 * 60 * 8)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- I18n ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SENTINELLE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("SENTINELLE_STATIC_ROOT", VAR_DIR / "static"))

# --- Mail ---------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("SENTINELLE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("SENTINELLE_EMAIL_FILE_PATH", VAR_DIR / "outbox"))
EMAIL_HOST = os.environ.get("SENTINELLE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SENTINELLE_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("SENTINELLE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SENTINELLE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SENTINELLE_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("SENTINELLE_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("SENTINELLE_DEFAULT_FROM_EMAIL", "sentinelle@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SENTINELLE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Periodic tasks enqueued by `manage.py run_scheduler`: task path → every N seconds.
SENTINELLE_PERIODIC_TASKS = {
    "sentinelle.notices.tasks.build_notices": env_int("SENTINELLE_BUILD_NOTICES_EVERY", 300),
    "sentinelle.notices.tasks.deliver_due_notices": env_int("SENTINELLE_DELIVER_DUE_EVERY", 120),
    "sentinelle.checks.tasks.run_due_checks": env_int("SENTINELLE_RUN_CHECKS_EVERY", 600),
    "sentinelle.takedowns.tasks.send_result_digests": env_int("SENTINELLE_SEND_DIGESTS_EVERY", 3600),
    "sentinelle.recipients.tasks.discover_pending": env_int("SENTINELLE_DISCOVER_RECIPIENTS_EVERY", 300),
}

# --- The society (sender of every notice) -------------------------------------
SENTINELLE_SOCIETY = {
    "name": os.environ.get("SENTINELLE_SOCIETY_NAME", "Société des auteurs et compositeurs de démonstration"),
    "short_name": os.environ.get("SENTINELLE_SOCIETY_SHORT_NAME", "SACoD (démo)"),
    "address": os.environ.get("SENTINELLE_SOCIETY_ADDRESS", "1 rue de la Musique, 75009 Paris, France"),
    "legal_representative": os.environ.get("SENTINELLE_SOCIETY_REPRESENTATIVE", "Camille Martin, directrice juridique"),
    "email": os.environ.get("SENTINELLE_SOCIETY_EMAIL", "antipiraterie@example.org"),
    "phone": os.environ.get("SENTINELLE_SOCIETY_PHONE", "+33 1 00 00 00 00"),
}

# --- Member rules -------------------------------------------------------------
SENTINELLE_DAILY_LINK_QUOTA = env_int("SENTINELLE_DAILY_LINK_QUOTA", 10)
SENTINELLE_PAGE_SIZE = env_int("SENTINELLE_PAGE_SIZE", 25)
SENTINELLE_API_RATE_LIMIT = env_int("SENTINELLE_API_RATE_LIMIT", 120)  # per token per minute; 0 = off
SENTINELLE_MAX_LINES_PER_SUBMISSION = env_int("SENTINELLE_MAX_LINES_PER_SUBMISSION", 1000)
SENTINELLE_MAX_SUBMISSION_BYTES = env_int("SENTINELLE_MAX_SUBMISSION_BYTES", 1_048_576)
# A 1 MB paste must reach the intake, which answers it clearly, rather than Django's 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = SENTINELLE_MAX_SUBMISSION_BYTES * 3 + 65536

# --- Notices (the notices app) -------------------------------------------------
SENTINELLE_NOTICE_MAX_URLS = env_int("SENTINELLE_NOTICE_MAX_URLS", 1000)
SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN = env_int("SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN", 5)
SENTINELLE_NOTICE_MAX_ATTEMPTS = env_int("SENTINELLE_NOTICE_MAX_ATTEMPTS", 8)
SENTINELLE_NOTICE_RETRY_BASE_SECONDS = env_int("SENTINELLE_NOTICE_RETRY_BASE_SECONDS", 60)
SENTINELLE_NOTICE_RETRY_MAX_SECONDS = env_int("SENTINELLE_NOTICE_RETRY_MAX_SECONDS", 6 * 3600)
SENTINELLE_NOTICE_SEND_LEASE_SECONDS = env_int("SENTINELLE_NOTICE_SEND_LEASE_SECONDS", 600)
SENTINELLE_NOTICE_FROM_EMAIL = os.environ.get("SENTINELLE_NOTICE_FROM_EMAIL", "") or DEFAULT_FROM_EMAIL
# The address the site is reached at, for links in notices and e-mails (https://sentinelle.example.org).
SENTINELLE_PUBLIC_URL = os.environ.get("SENTINELLE_PUBLIC_URL", "")

# --- Link checks (the checks app) ----------------------------------------------
# Loopback is refused by the safe fetcher unless this is on (the demo and the tests only).
SENTINELLE_FETCH_ALLOW_LOOPBACK = env_bool("SENTINELLE_FETCH_ALLOW_LOOPBACK", False)
# Extra trusted CA certificates (PEM) for every outbound fetch: a TLS-inspecting proxy's CA.
SENTINELLE_FETCH_CA_FILE = os.environ.get("SENTINELLE_FETCH_CA_FILE", "")
# Name servers (host:port, comma-separated) for every lookup of the fetcher and of recipient
# discovery; empty: the system's resolver.
SENTINELLE_DNS_NAMESERVERS = env_list("SENTINELLE_DNS_NAMESERVERS", [])
SENTINELLE_DNS_TIMEOUT_SECONDS = env_int("SENTINELLE_DNS_TIMEOUT_SECONDS", 5)
SENTINELLE_CHECK_SCHEDULE_HOURS = os.environ.get("SENTINELLE_CHECK_SCHEDULE_HOURS", "1,24,72,168")
SENTINELLE_CHECK_CONFIRM_HOURS = env_int("SENTINELLE_CHECK_CONFIRM_HOURS", 1)
SENTINELLE_CHECK_RETRY_HOURS = env_int("SENTINELLE_CHECK_RETRY_HOURS", 1)
SENTINELLE_CHECK_PER_HOST = env_int("SENTINELLE_CHECK_PER_HOST", 4)
SENTINELLE_CHECK_HOST_DELAY_MS = env_int("SENTINELLE_CHECK_HOST_DELAY_MS", 500)
SENTINELLE_CHECK_CONCURRENCY = env_int("SENTINELLE_CHECK_CONCURRENCY", 50)
# A worker holds the links it claimed this long; longer than a batch takes with the caps on.
SENTINELLE_CHECK_LEASE_SECONDS = env_int("SENTINELLE_CHECK_LEASE_SECONDS", 1800)
SENTINELLE_ESCALATION_DEADLINE_HOURS = env_int("SENTINELLE_ESCALATION_DEADLINE_HOURS", 72)
SENTINELLE_ESCALATE_TO_DELIST = env_bool("SENTINELLE_ESCALATE_TO_DELIST", True)
SENTINELLE_REAPPEARANCE_CHECK_HOURS = env_int("SENTINELLE_REAPPEARANCE_CHECK_HOURS", 168)
SENTINELLE_REAPPEARANCE_WATCH_DAYS = env_int("SENTINELLE_REAPPEARANCE_WATCH_DAYS", 90)

# --- Recipient discovery (the recipients app) ----------------------------------------
# Requests to the sites and the RDAP servers follow the link checks' politeness caps above.
SENTINELLE_RECIPIENTS_TTL_DAYS = env_int("SENTINELLE_RECIPIENTS_TTL_DAYS", 30)
SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS = env_int("SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS", 900)
SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS = env_int("SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS", 86400)
SENTINELLE_RECIPIENTS_MAX_PAGES = env_int("SENTINELLE_RECIPIENTS_MAX_PAGES", 6)
SENTINELLE_RECIPIENTS_MAX_BYTES = env_int("SENTINELLE_RECIPIENTS_MAX_BYTES", 2 * 1024 * 1024)
SENTINELLE_RECIPIENTS_CONCURRENCY = env_int("SENTINELLE_RECIPIENTS_CONCURRENCY", 20)
SENTINELLE_RECIPIENTS_BATCH = env_int("SENTINELLE_RECIPIENTS_BATCH", 200)
SENTINELLE_RECIPIENTS_LEASE_SECONDS = env_int("SENTINELLE_RECIPIENTS_LEASE_SECONDS", 900)
# A directory of IANA-format bootstrap files (dns.json, ipv4.json, ipv6.json); empty: the shipped ones.
SENTINELLE_RDAP_BOOTSTRAP_DIR = os.environ.get("SENTINELLE_RDAP_BOOTSTRAP_DIR", "")
# A CDN ranges file in the shipped format (recipients/data/cdn.json); empty: the shipped one.
SENTINELLE_CDN_RANGES_FILE = os.environ.get("SENTINELLE_CDN_RANGES_FILE", "")

# --- Investigations (the investigations app) ----------------------------------------
# Evidence files, write-once and named by their SHA-256.
SENTINELLE_EVIDENCE_DIR = Path(os.environ.get("SENTINELLE_EVIDENCE_DIR", VAR_DIR / "evidence"))
# The society's Ed25519 key that signs evidence manifests; made on first use when absent.
SENTINELLE_SIGNING_KEY_PATH = Path(os.environ.get("SENTINELLE_SIGNING_KEY_PATH", VAR_DIR / "signing_key.pem"))
# An RFC 3161 time-stamping authority (empty: manifests are signed but not time-stamped).
SENTINELLE_TSA_URL = os.environ.get("SENTINELLE_TSA_URL", "")
# PEM file of the authority's root certificate(s), to check its tokens.
SENTINELLE_TSA_ROOTS = os.environ.get("SENTINELLE_TSA_ROOTS", "")
SENTINELLE_CHROMIUM = os.environ.get("SENTINELLE_CHROMIUM", "/usr/bin/chromium")
SENTINELLE_EVIDENCE_SCREENSHOTS = env_bool("SENTINELLE_EVIDENCE_SCREENSHOTS", True)
SENTINELLE_EVIDENCE_MAX_BYTES = env_int("SENTINELLE_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
SENTINELLE_EVIDENCE_TIMEOUT = env_int("SENTINELLE_EVIDENCE_TIMEOUT", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SENTINELLE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
