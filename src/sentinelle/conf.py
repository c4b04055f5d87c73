"""Every ``SENTINELLE_*`` setting: its one default, its type, and the typed readers the code uses.

``ENV`` lists each environment variable with its default and how its text is read; ``settings.py``
takes every value from there (``env``), so a default is written once, here. The code reads the
application's settings through the functions below, never ``getattr(settings, …, default)``: each
reads the Django setting of the same name (what ``settings.py`` set, or a test's override) and
falls back to the same default when a settings module of one's own leaves it out. A few knobs
exist for tests only (``TEST_ONLY``): they have no environment variable.

Defaults that depend on another setting (paths under ``SENTINELLE_VAR_DIR``, the notices' sender
defaulting to the service's) are empty here and completed in ``settings.py``, which says so.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sentinelle.catalogue.identifiers import normalise_society_code

T = TypeVar("T")


# --- Reading the environment ------------------------------------------------------------------


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("a boolean (true/false)")


def parse_int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("an integer") from None


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_str(raw: str) -> str:
    return raw


def _host_and_address(item: str) -> tuple[str, str]:
    """``host:address`` (``[v6.host]:[::1]`` for IPv6), as curl's ``--resolve`` without the port."""
    if item.startswith("["):
        host, sep, rest = item[1:].partition("]:")
    else:
        host, sep, rest = item.partition(":")
    address = rest.strip().removeprefix("[").removesuffix("]")
    if not sep or not host.strip() or not address:
        raise ValueError(f"host:address pairs separated by commas (got {item!r})")
    return host.strip().lower().rstrip("."), address


def parse_resolve(raw: str) -> dict[str, str]:
    return dict(_host_and_address(item) for item in parse_list(raw))


@dataclass(frozen=True)
class Knob(Generic[T]):
    """One environment variable: its default (taken when it is unset or empty) and its reader."""

    default: T
    parse: Callable[[str], T]
    help: str = ""

    def read(self, name: str, environ: Mapping[str, str]) -> T:
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            return self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be {exc}, got {raw!r}") from exc


def _int(default: int) -> Knob[int]:
    return Knob(default, parse_int)


def _bool(default: bool) -> Knob[bool]:
    return Knob(default, parse_bool)


def _str(default: str) -> Knob[str]:
    return Knob(default, parse_str)


def _list(default: list[str]) -> Knob[list[str]]:
    return Knob(default, parse_list)


def _auto_bool() -> Knob[bool | None]:
    """A boolean whose default (None) is decided in settings.py from other settings."""
    return Knob(None, parse_bool)


def _auto_int() -> Knob[int | None]:
    return Knob(None, parse_int)


def _resolve() -> Knob[dict[str, str]]:
    return Knob({}, parse_resolve)


# Every environment variable the product reads (README, "Configuration", documents each one).
ENV: dict[str, Knob[Any]] = {
    # the service
    "SENTINELLE_VAR_DIR": _str(""),  # "" = ./var
    "SENTINELLE_SECRET_KEY": _str(""),  # "" = random, kept in var/secret_key
    "SENTINELLE_DEBUG": _bool(False),
    "SENTINELLE_ALLOWED_HOSTS": _list(["127.0.0.1", "localhost", "testserver"]),
    "SENTINELLE_CSRF_TRUSTED_ORIGINS": _list([]),
    "SENTINELLE_SECURE_COOKIES": _bool(False),
    # HTTPS: an HTTPS deployment (DEBUG off, secure cookies on) gets these on unless set
    "SENTINELLE_SSL_REDIRECT": _auto_bool(),
    "SENTINELLE_HSTS_SECONDS": _auto_int(),  # None = a year on an HTTPS deployment, else 0
    "SENTINELLE_HSTS_INCLUDE_SUBDOMAINS": _auto_bool(),
    "SENTINELLE_HSTS_PRELOAD": _auto_bool(),
    "SENTINELLE_PROXY_SSL_HEADER": _str(""),  # "" = the proxy's scheme header is not believed
    "SENTINELLE_SESSION_AGE_SECONDS": _int(60 * 60 * 8),
    "SENTINELLE_DB_CONN_MAX_AGE": _int(0),
    "SENTINELLE_DB_STATEMENT_TIMEOUT_MS": _int(30_000),  # PostgreSQL; 0 = none
    "SENTINELLE_DB_LOCK_TIMEOUT_MS": _int(10_000),  # PostgreSQL's lock_timeout, SQLite's busy timeout
    "SENTINELLE_DB_CONNECT_TIMEOUT": _int(5),  # seconds (PostgreSQL)
    "SENTINELLE_TIME_ZONE": _str("Europe/Paris"),
    "SENTINELLE_STATIC_ROOT": _str(""),  # "" = var/static
    "SENTINELLE_LOG_LEVEL": _str("INFO"),
    "SENTINELLE_LOGIN_FAILURE_LIMIT": _int(5),
    "SENTINELLE_LOGIN_COOLOFF_MINUTES": _int(15),
    "SENTINELLE_LOGIN_RATE_LIMIT": _int(20),  # login attempts per client address per minute; 0 = off
    "SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT": _int(20),  # failures from one address across accounts; 0 = off
    "SENTINELLE_TRUSTED_PROXY_COUNT": _int(0),  # reverse proxies appending to X-Forwarded-For; 0 = header ignored
    "SENTINELLE_CACHE_URL": _str(""),  # "" = local memory, per process (the embedded demo only)
    "SENTINELLE_TASK_BACKEND": _str("database"),  # database, rq, immediate, or a backend's class path
    "SENTINELLE_RQ_URL": _str("redis://127.0.0.1:6379/0"),  # the RQ backend's Redis
    # the web server (python -m sentinelle serve)
    "SENTINELLE_WEB_BIND": _str("127.0.0.1:8000"),
    "SENTINELLE_WEB_WORKERS": _int(0),  # 0 = 2 x CPUs + 1
    "SENTINELLE_WEB_THREADS": _int(1),
    "SENTINELLE_WEB_TIMEOUT": _int(60),
    "SENTINELLE_PASSWORD_RESET_LIMIT": _int(5),  # an hour, per e-mail address and per client address
    "SENTINELLE_TEST_SQLITE_NAME": _str(""),  # "" = in memory
    # mail
    "SENTINELLE_EMAIL_BACKEND": _str("django.core.mail.backends.filebased.EmailBackend"),
    "SENTINELLE_EMAIL_FILE_PATH": _str(""),  # "" = var/outbox
    "SENTINELLE_EMAIL_HOST": _str("localhost"),
    "SENTINELLE_EMAIL_PORT": _int(25),
    "SENTINELLE_EMAIL_HOST_USER": _str(""),
    "SENTINELLE_EMAIL_HOST_PASSWORD": _str(""),
    "SENTINELLE_EMAIL_USE_TLS": _bool(False),
    "SENTINELLE_EMAIL_TIMEOUT": _int(30),
    "SENTINELLE_DEFAULT_FROM_EMAIL": _str(""),  # "" = SENTINELLE_SOCIETY_EMAIL
    # the society, sender of every notice
    "SENTINELLE_SOCIETY_NAME": _str("Société des auteurs et compositeurs de démonstration"),
    "SENTINELLE_SOCIETY_SHORT_NAME": _str("SACoD (démo)"),
    "SENTINELLE_SOCIETY_ADDRESS": _str("1 rue de la Musique, 75009 Paris, France"),
    "SENTINELLE_SOCIETY_REPRESENTATIVE": _str("Camille Martin, directrice juridique"),
    "SENTINELLE_SOCIETY_EMAIL": _str("antipiraterie@example.org"),
    "SENTINELLE_SOCIETY_PHONE": _str("+33 1 00 00 00 00"),
    # the same address in its parts, for exports that take them apart (Lumen)
    "SENTINELLE_SOCIETY_STREET": _str("1 rue de la Musique"),
    "SENTINELLE_SOCIETY_POSTCODE": _str("75009"),
    "SENTINELLE_SOCIETY_CITY": _str("Paris"),
    "SENTINELLE_SOCIETY_COUNTRY": _str("FR"),  # ISO 3166-1 alpha-2
    "SENTINELLE_SOCIETY_CISAC_CODE": _str(""),  # "" = a society with no CISAC code: its members alone
    # periodic work (run_scheduler), seconds between two runs
    "SENTINELLE_BUILD_NOTICES_EVERY": _int(300),
    "SENTINELLE_DELIVER_DUE_EVERY": _int(120),
    "SENTINELLE_RUN_CHECKS_EVERY": _int(600),
    "SENTINELLE_SEND_DIGESTS_EVERY": _int(3600),
    "SENTINELLE_RESOLVE_SHORT_LINKS_EVERY": _int(300),
    "SENTINELLE_READ_TORRENT_PAGES_EVERY": _int(300),
    "SENTINELLE_DISCOVER_RECIPIENTS_EVERY": _int(300),
    "SENTINELLE_READ_BOUNCES_EVERY": _int(300),
    "SENTINELLE_REFRESH_ROLLUPS_EVERY": _int(600),
    "SENTINELLE_DSA_INDEPENDENCE_STATEMENT": _str(""),
    # members' submissions
    "SENTINELLE_DAILY_LINK_QUOTA": _int(10),
    "SENTINELLE_PAGE_SIZE": _int(25),
    "SENTINELLE_API_RATE_LIMIT": _int(120),  # per token per minute; 0 = off
    "SENTINELLE_ANSWER_API_RATE_LIMIT": _int(60),  # per platform token per minute; 0 = off
    "SENTINELLE_MAX_LINES_PER_SUBMISSION": _int(1000),
    "SENTINELLE_MAX_SUBMISSION_BYTES": _int(1_048_576),
    "SENTINELLE_BULK_IMPORT_MAX_BYTES": _int(4_194_304),  # one staff import request (API)
    # notices
    "SENTINELLE_NOTICE_MAX_URLS": _int(1000),
    "SENTINELLE_NOTICE_BUILDERS": _int(1),  # building passes side by side, each on its share of the sites
    # search engines sent delisting notices, by a domain of theirs; [] = every one in the registry
    "SENTINELLE_DELIST_SEARCH_ENGINES": _list(["google.com", "bing.com"]),
    "SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN": _int(5),
    "SENTINELLE_NOTICE_MAX_ATTEMPTS": _int(8),
    "SENTINELLE_NOTICE_RETRY_BASE_SECONDS": _int(60),
    "SENTINELLE_NOTICE_RETRY_MAX_SECONDS": _int(6 * 3600),
    "SENTINELLE_NOTICE_SEND_LEASE_SECONDS": _int(600),
    "SENTINELLE_NOTICE_FROM_EMAIL": _str(""),  # "" = SENTINELLE_SOCIETY_EMAIL
    "SENTINELLE_PUBLIC_URL": _str(""),
    "SENTINELLE_BOUNCE_MAILDIR": _str(""),  # "" = bounces are read only from files given to read_bounces
    "SENTINELLE_LUMEN_URL": _str(""),  # "" = the Lumen export is a JSON-lines file staff download
    "SENTINELLE_LUMEN_TOKEN": _str(""),
    "SENTINELLE_LUMEN_MAX_ATTEMPTS": _int(6),
    # link checks
    "SENTINELLE_FETCH_ALLOW_LOOPBACK": _bool(False),
    "SENTINELLE_FETCH_CA_FILE": _str(""),  # "" = the certifi bundle alone
    "SENTINELLE_DNS_NAMESERVERS": _list([]),  # [] = the system's resolver
    "SENTINELLE_DNS_TIMEOUT_SECONDS": _int(5),
    "SENTINELLE_FETCH_RESOLVE": _resolve(),  # {} = names resolved by DNS; needs FETCH_ALLOW_LOOPBACK
    "SENTINELLE_CHECK_SCHEDULE_HOURS": _str("1,24,72,168"),
    "SENTINELLE_CHECK_CONFIRM_HOURS": _int(1),
    "SENTINELLE_CHECK_RETRY_HOURS": _int(1),
    "SENTINELLE_CHECK_PER_HOST": _int(4),
    "SENTINELLE_CHECK_HOST_DELAY_MS": _int(500),
    "SENTINELLE_CHECK_CONCURRENCY": _int(50),
    "SENTINELLE_CHECK_LEASE_SECONDS": _int(1800),
    "SENTINELLE_CHECK_RETRY_WINDOW_HOURS": _int(48),
    "SENTINELLE_CHECK_BATCH": _int(1000),
    "SENTINELLE_ESCALATION_DEADLINE_HOURS": _int(72),
    "SENTINELLE_ESCALATE_TO_DELIST": _bool(True),
    "SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS": _str("24,72,168"),
    "SENTINELLE_REAPPEARANCE_CHECK_HOURS": _int(168),
    "SENTINELLE_REAPPEARANCE_WATCH_DAYS": _int(90),
    # recipient discovery
    "SENTINELLE_RECIPIENTS_TTL_DAYS": _int(30),
    "SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS": _int(900),
    "SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS": _int(86400),
    "SENTINELLE_RECIPIENTS_MAX_PAGES": _int(6),
    "SENTINELLE_RECIPIENTS_MAX_BYTES": _int(2 * 1024 * 1024),
    "SENTINELLE_RECIPIENTS_CONCURRENCY": _int(20),
    "SENTINELLE_RECIPIENTS_BATCH": _int(200),
    "SENTINELLE_RECIPIENTS_LEASE_SECONDS": _int(900),
    "SENTINELLE_RDAP_BOOTSTRAP_DIR": _str(""),  # "" = the files shipped in the package
    "SENTINELLE_CDN_RANGES_FILE": _str(""),  # "" = the file shipped in the package
    # investigations
    "SENTINELLE_EVIDENCE_DIR": _str(""),  # "" = var/evidence
    "SENTINELLE_SIGNING_KEY_PATH": _str(""),  # "" = var/signing_key.pem
    "SENTINELLE_TSA_URL": _str(""),  # "" = manifests signed, not time-stamped
    "SENTINELLE_TSA_ROOTS": _str(""),
    "SENTINELLE_CHROMIUM": _str("/usr/bin/chromium"),
    "SENTINELLE_EVIDENCE_SCREENSHOTS": _bool(True),
    "SENTINELLE_EVIDENCE_MAX_BYTES": _int(20 * 1024 * 1024),
    "SENTINELLE_EVIDENCE_TIMEOUT": _int(30),
}

# Settings with no environment variable: the tests (and a settings module of one's own) set them.
TEST_ONLY: dict[str, Any] = {
    "SENTINELLE_NOTICE_ENQUEUE_DELIVERY": True,  # False: build notices without queueing a delivery
    "SENTINELLE_NOTICE_CHANNELS": {},  # channel name -> class path, over the built-in ones
    "SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP": False,  # HTTPS channel: accept http:// endpoints
    "SENTINELLE_RECIPIENTS_ENQUEUE": True,  # False: record due discoveries without queueing them
}


def env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of environment variable ``name``, or its default (``settings.py`` reads them all here)."""
    return ENV[name].read(name, os.environ if environ is None else environ)


def setting(name: str) -> Any:
    """The Django setting ``name`` in force, or its one default (untyped: prefer a typed reader below)."""
    default = TEST_ONLY[name] if name in TEST_ONLY else ENV[name].default
    return getattr(settings, name, default)


# --- The application's settings, typed ---------------------------------------------------------


def society() -> dict[str, str]:
    return {key: str(value) for key, value in (getattr(settings, "SENTINELLE_SOCIETY", None) or {}).items()}


def periodic_tasks() -> dict[str, int]:
    """Task path -> seconds between two enqueues (``run_scheduler``)."""
    return {path: int(seconds) for path, seconds in getattr(settings, "SENTINELLE_PERIODIC_TASKS", {}).items()}


TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def task_backend_path(name: str) -> str:
    """``SENTINELLE_TASK_BACKEND``: a short name (``database``, ``rq``, ``immediate``) or a class path."""
    value = name.strip()
    if value in TASK_BACKENDS:
        return TASK_BACKENDS[value]
    if "." not in value:
        raise ImproperlyConfigured(
            f"SENTINELLE_TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)} or a backend's class path, got {name!r}"
        )
    return value


def database_options(
    engine: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The database's connection OPTIONS with the timeouts of the settings added.

    PostgreSQL: ``statement_timeout`` and ``lock_timeout`` set on every connection (``0`` turns one
    off), ``connect_timeout`` for a server that does not answer. SQLite: how long a writer waits for
    the lock (its busy timeout). A query past them fails at once with an OperationalError, which
    the service answers with a 503 (``core.views.server_error``) after rolling its transaction back.
    """
    statement_ms = env("SENTINELLE_DB_STATEMENT_TIMEOUT_MS", environ)
    lock_ms = env("SENTINELLE_DB_LOCK_TIMEOUT_MS", environ)
    found = dict(options)
    if engine.endswith("sqlite3"):
        found["timeout"] = max(lock_ms, 1) / 1000
    elif "postgresql" in engine:
        extra = f"-c statement_timeout={max(statement_ms, 0)} -c lock_timeout={max(lock_ms, 0)}"
        found["options"] = f"{found['options']} {extra}" if found.get("options") else extra
        found.setdefault("connect_timeout", env("SENTINELLE_DB_CONNECT_TIMEOUT", environ))
    return found


def web_bind() -> str:
    return str(setting("SENTINELLE_WEB_BIND"))


def web_workers() -> int:
    """Web worker processes; 0 or less: gunicorn's rule of thumb, 2 x CPUs + 1."""
    workers = int(setting("SENTINELLE_WEB_WORKERS"))
    return workers if workers > 0 else 2 * (os.cpu_count() or 1) + 1


def web_threads() -> int:
    return max(1, int(setting("SENTINELLE_WEB_THREADS")))


def web_timeout() -> int:
    return max(1, int(setting("SENTINELLE_WEB_TIMEOUT")))


CACHE_SCHEMES = {
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "unix": "django.core.cache.backends.redis.RedisCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
}


def cache_settings(url: str) -> dict[str, Any]:
    """Django's ``CACHES["default"]`` for ``SENTINELLE_CACHE_URL``.

    ``redis://[:password@]host:6379/1``, ``rediss://…`` (TLS) or ``unix:///run/redis.sock?db=1``:
    Django's Redis backend, shared by every process that names the same server; empty or
    ``locmem://``: one cache per process, which only the embedded demo should use.
    """
    scheme = url.partition("://")[0].lower() if "://" in url else ("locmem" if not url.strip() else "")
    backend = CACHE_SCHEMES.get(scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"SENTINELLE_CACHE_URL must be a redis://, rediss://, unix:// or locmem:// URL, got {url!r}"
        )
    location = "sentinelle" if scheme == "locmem" else url
    return {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "sentinelle"}


def cache_is_shared() -> bool:
    """Whether the default cache is one every process shares (not the per-process local memory)."""
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    return backend != CACHE_SCHEMES["locmem"] and not backend.endswith(("LocMemCache", "DummyCache"))


def login_rate_limit() -> int:
    return int(setting("SENTINELLE_LOGIN_RATE_LIMIT"))


def login_address_failure_limit() -> int:
    return max(0, int(setting("SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT")))


def trusted_proxy_count() -> int:
    return max(0, int(setting("SENTINELLE_TRUSTED_PROXY_COUNT")))


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` (the request is HTTPS when it says ``https``), or ``Name=value``; "" = none.

    Django's SECURE_PROXY_SSL_HEADER form: the header's WSGI name and the value that means HTTPS.
    """
    name, _, value = raw.strip().partition("=")
    name = name.strip()
    if not name:
        return None
    if not all(ch.isalnum() or ch == "-" for ch in name):
        raise ImproperlyConfigured(f"SENTINELLE_PROXY_SSL_HEADER must be a header name, got {raw!r}")
    return "HTTP_" + name.upper().replace("-", "_"), value.strip() or "https"


def daily_link_quota() -> int:
    return int(setting("SENTINELLE_DAILY_LINK_QUOTA"))


def page_size() -> int:
    return int(setting("SENTINELLE_PAGE_SIZE"))


def api_rate_limit() -> int:
    return int(setting("SENTINELLE_API_RATE_LIMIT"))


def password_reset_limit() -> int:
    return int(setting("SENTINELLE_PASSWORD_RESET_LIMIT"))


def answer_api_rate_limit() -> int:
    return int(setting("SENTINELLE_ANSWER_API_RATE_LIMIT"))


def max_lines_per_submission() -> int:
    return int(setting("SENTINELLE_MAX_LINES_PER_SUBMISSION"))


def max_submission_bytes() -> int:
    return int(setting("SENTINELLE_MAX_SUBMISSION_BYTES"))


def bulk_import_max_bytes() -> int:
    return int(setting("SENTINELLE_BULK_IMPORT_MAX_BYTES"))


def notice_max_urls() -> int:
    return max(1, int(setting("SENTINELLE_NOTICE_MAX_URLS")))


def notice_representative_list_min() -> int:
    return int(setting("SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN"))


def notice_max_attempts() -> int:
    return max(1, int(setting("SENTINELLE_NOTICE_MAX_ATTEMPTS")))


def notice_retry_delay(attempt_number: int) -> dt.timedelta:
    """Exponential backoff after attempt ``attempt_number``, capped."""
    base = float(setting("SENTINELLE_NOTICE_RETRY_BASE_SECONDS"))
    cap = float(setting("SENTINELLE_NOTICE_RETRY_MAX_SECONDS"))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempt_number - 1)))


def notice_send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(setting("SENTINELLE_NOTICE_SEND_LEASE_SECONDS")))


def notice_from_email() -> str:
    return str(setting("SENTINELLE_NOTICE_FROM_EMAIL") or society().get("email") or settings.DEFAULT_FROM_EMAIL)


def delist_search_engines() -> list[str]:
    """Domains naming the search engines that receive delisting notices (Google and Bing by default:
    Bing's index also serves Yahoo, DuckDuckGo, Ecosia and Qwant)."""
    return [
        str(domain).strip().lower() for domain in setting("SENTINELLE_DELIST_SEARCH_ENGINES") if str(domain).strip()
    ]


def notice_builders() -> int:
    return max(1, int(setting("SENTINELLE_NOTICE_BUILDERS")))


def notice_enqueue_delivery() -> bool:
    return bool(setting("SENTINELLE_NOTICE_ENQUEUE_DELIVERY"))


def notice_channels() -> dict[str, str]:
    return dict(setting("SENTINELLE_NOTICE_CHANNELS") or {})


def notice_allow_plain_http() -> bool:
    return bool(setting("SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP"))


def bounce_maildir() -> str:
    """The Maildir the notices' bounces (DSNs) are delivered to; "" when none."""
    return str(setting("SENTINELLE_BOUNCE_MAILDIR"))


def public_url() -> str:
    return str(setting("SENTINELLE_PUBLIC_URL")).rstrip("/")


def society_cisac_code() -> str:
    """The society's CISAC society code as CWR writes it (three digits), or "" when it has none."""
    return normalise_society_code(str(setting("SENTINELLE_SOCIETY_CISAC_CODE")))


def dsa_independence_statement() -> str:
    """The society's own words on how it stays independent (DSA art. 22(3)); "" when not written."""
    return str(setting("SENTINELLE_DSA_INDEPENDENCE_STATEMENT")).strip()


def lumen_url() -> str:
    return str(setting("SENTINELLE_LUMEN_URL")).rstrip("/")


def lumen_token() -> str:
    return str(setting("SENTINELLE_LUMEN_TOKEN"))


def lumen_max_attempts() -> int:
    return max(1, int(setting("SENTINELLE_LUMEN_MAX_ATTEMPTS")))


def fetch_allow_loopback() -> bool:
    return bool(setting("SENTINELLE_FETCH_ALLOW_LOOPBACK"))


def validate_fetch_resolve(resolve: Mapping[str, str], *, allow_loopback: bool) -> None:
    """A resolver override is for rehearsals against test servers: refused unless loopback is open too.

    ``SENTINELLE_FETCH_RESOLVE`` sends names where the operator says, past DNS; in production it
    would let a wrong setting point the checks (and the notices over HTTPS) anywhere. It is taken
    only with ``SENTINELLE_FETCH_ALLOW_LOOPBACK`` on, which no production installation sets. The
    SSRF guard still checks every mapped address.
    """
    if resolve and not allow_loopback:
        raise ImproperlyConfigured(
            "SENTINELLE_FETCH_RESOLVE is for rehearsals against test servers: it is refused unless "
            "SENTINELLE_FETCH_ALLOW_LOOPBACK is on."
        )


def fetch_resolve() -> dict[str, str]:
    """Host name -> address overrides of the safe fetcher (see ``validate_fetch_resolve``)."""
    raw = setting("SENTINELLE_FETCH_RESOLVE") or {}
    resolve = parse_resolve(raw) if isinstance(raw, str) else {str(k).lower(): str(v) for k, v in raw.items()}
    validate_fetch_resolve(resolve, allow_loopback=fetch_allow_loopback())
    return resolve


def fetch_ca_file() -> str:
    return str(setting("SENTINELLE_FETCH_CA_FILE") or "")


def dns_nameservers() -> list[str]:
    """``host:port`` items (text "a:53,b:53" or a list); empty: the system's resolver."""
    raw = setting("SENTINELLE_DNS_NAMESERVERS") or []
    items = raw.split(",") if isinstance(raw, str) else raw
    return [str(item).strip() for item in items if str(item).strip()]


def dns_timeout() -> float:
    return float(setting("SENTINELLE_DNS_TIMEOUT_SECONDS"))


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=float(value))


def check_schedule_hours() -> list[float]:
    """Hours after a notice at which a link is checked, ascending (text "1,24" or a list)."""
    raw = setting("SENTINELLE_CHECK_SCHEDULE_HOURS")
    items = raw.split(",") if isinstance(raw, str) else raw
    return sorted(float(item) for item in items if str(item).strip())


def check_confirm_delay() -> dt.timedelta:
    return hours(setting("SENTINELLE_CHECK_CONFIRM_HOURS"))


def check_retry_delay() -> dt.timedelta:
    return hours(setting("SENTINELLE_CHECK_RETRY_HOURS"))


def check_retry_window() -> dt.timedelta:
    return hours(setting("SENTINELLE_CHECK_RETRY_WINDOW_HOURS"))


def check_lease() -> dt.timedelta:
    return dt.timedelta(seconds=max(1.0, float(setting("SENTINELLE_CHECK_LEASE_SECONDS"))))


def check_batch() -> int:
    return max(1, int(setting("SENTINELLE_CHECK_BATCH")))


def check_concurrency() -> int:
    return max(1, int(setting("SENTINELLE_CHECK_CONCURRENCY")))


def check_per_host() -> int:
    return max(0, int(setting("SENTINELLE_CHECK_PER_HOST")))


def check_host_delay() -> float:
    """Seconds between two requests to one host."""
    return max(0, int(setting("SENTINELLE_CHECK_HOST_DELAY_MS"))) / 1000


def reappearance_schedule_hours() -> list[float]:
    """Hours after a removal at which it is looked at again, ascending; then every interval."""
    raw = setting("SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS")
    items = raw.split(",") if isinstance(raw, str) else raw
    return sorted(float(item) for item in items if str(item).strip())


def reappearance_interval() -> dt.timedelta:
    return hours(setting("SENTINELLE_REAPPEARANCE_CHECK_HOURS"))


def reappearance_watch() -> dt.timedelta:
    return dt.timedelta(days=float(setting("SENTINELLE_REAPPEARANCE_WATCH_DAYS")))


def escalation_deadlines() -> dict[str, dt.timedelta]:
    """Deadline per regime ("eu", "us", "other", and "default" for the rest).

    The setting is hours, or a mapping {"eu": 72, "us": 72, "other": 72, "default": 72}.
    """
    raw = setting("SENTINELLE_ESCALATION_DEADLINE_HOURS")
    fallback = ENV["SENTINELLE_ESCALATION_DEADLINE_HOURS"].default
    if isinstance(raw, Mapping):
        found = {str(regime): hours(value) for regime, value in raw.items()}
        found.setdefault("default", hours(fallback))
        return found
    return {"default": hours(raw)}


def escalation_deadline(regime: str) -> dt.timedelta:
    deadlines = escalation_deadlines()
    return deadlines.get(regime or "other", deadlines["default"])


def escalate_to_delist() -> bool:
    return bool(setting("SENTINELLE_ESCALATE_TO_DELIST"))
