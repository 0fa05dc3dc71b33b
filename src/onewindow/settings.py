"""Django settings, read from the environment.

Environment variables:
    DATABASE_URL        database, e.g. postgres://user@host:5432/onewindow
                        (default: SQLite under ``var/``)
    ONEWINDOW_DEBUG     "1" turns on development mode (DEBUG)
    SECRET_KEY          required when DEBUG is off; in development mode a key is
                        generated once and kept in ``var/secret_key``
    ALLOWED_HOSTS       comma-separated host names (default: localhost names)
    ONEWINDOW_VAR_DIR   where SQLite, the generated key, uploads and logs live
    ONEWINDOW_CACHE_URL redis://… shared cache for every worker (default: the database;
                        local memory in development mode)
    ONEWINDOW_SESSION_ENGINE
                        where sessions live: "db" (default), "cached_db" or "cache"
                        (the last two need ONEWINDOW_CACHE_URL)
    ONEWINDOW_REPLICA_URL
                        a read replica of DATABASE_URL for the dashboard's reads
    ONEWINDOW_TRUSTED_PROXY_HEADER / ONEWINDOW_TRUSTED_PROXY_COUNT
                        the forwarded-address header the own proxies set, and how many
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", REPOSITORY_DIR / "var"))


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("ONEWINDOW_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (ONEWINDOW_DEBUG off) refuses to start "
            "without a secret key, because sessions, password resets and signed links "
            "depend on it. Set SECRET_KEY in the environment (50+ random characters), "
            "or set ONEWINDOW_DEBUG=1 for a local development or demo instance."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written to a private (0600) temporary file, then published with link(), which
        # fails if the key exists: never readable by others, never half-written, and of
        # two processes starting together both end up with the same key.
        fd, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, key_file)
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    # The admin site sits behind the site's login and second factor (org/admin_site.py).
    "onewindow.org.admin_apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    # onewindow.core before django_tasks_db: its `db_worker` (task leases, docs/decisions/0012)
    # is the one `onewindow db_worker` runs.
    "onewindow.core",
    "django_tasks",
    "django_tasks_db",
    # Login throttling and the second factor (docs/decisions/0009).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "onewindow.org",
    "onewindow.certificates",
    "onewindow.catalog",
    "onewindow.inspections",
    "onewindow.cases",
    "onewindow.reviews",
    "onewindow.appeals",
    "onewindow.policies",
    "onewindow.insights",
    # The site's shell: navigation, home pages, login landings (docs/decisions/0022).
    "onewindow.portal",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy, no-store, the body bound (ADR 0014).
    "csp.middleware.CSPMiddleware",
    "onewindow.core.middleware.SecurityHeadersMiddleware",
    "onewindow.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Second factor and staff sessions (docs/decisions/0009).
    "django_otp.middleware.OTPMiddleware",
    "onewindow.org.middleware.StaffSessionMiddleware",
    "onewindow.org.middleware.SecondFactorMiddleware",
    # Expired staff passwords and the audit administrator's confinement (ADR 0010).
    "onewindow.org.account_middleware.PasswordExpiryMiddleware",
    "onewindow.org.account_middleware.AuditAdministratorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.org.context_processors.zone",
                "onewindow.portal.context_processors.navigation",
            ],
        },
    },
]

# Databases: SQLite by default (zero set-up), PostgreSQL in production.
# Connections are kept open: opening one per request cut inserts from ~1,560 to ~200/s.
_default_sqlite = f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,  # set but empty: the default
        conn_max_age=int(os.environ.get("CONN_MAX_AGE") or "600"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers queue instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
# A read replica (ADR 0031): the dashboard's reads (insights) go to it, nothing else reads
# from it and nothing writes to it (core.replica.ReplicaRouter). In tests it mirrors default.
ONEWINDOW_REPLICA_URL = os.environ.get("ONEWINDOW_REPLICA_URL", "").strip()
if ONEWINDOW_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        ONEWINDOW_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE") or "600"),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
#: The alias that reads marked ``core.replica.replica_reads()`` go to ("": the primary).
ONEWINDOW_READ_REPLICA = "replica" if ONEWINDOW_REPLICA_URL else ""
DATABASE_ROUTERS = ["onewindow.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login of a locked-out account or address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "portal"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The staff password policy (等保三级, ADR 0010); applicants are not concerned.
    {"NAME": "onewindow.org.passwords.StaffMinimumLengthValidator"},
    {"NAME": "onewindow.org.passwords.CharacterClassesValidator"},
    {"NAME": "onewindow.org.passwords.PasswordHistoryValidator"},
]
# Staff passwords: minimum length, how many of upper case / lower case / digits / symbols,
# how many previous passwords may not be reused, and the maximum age in days (0: never).
ONEWINDOW_PASSWORD_MIN_LENGTH = int(os.environ.get("ONEWINDOW_PASSWORD_MIN_LENGTH") or 10)
ONEWINDOW_PASSWORD_MIN_CHARACTER_CLASSES = int(
    os.environ.get("ONEWINDOW_PASSWORD_MIN_CHARACTER_CLASSES") or 3
)
ONEWINDOW_PASSWORD_HISTORY = int(os.environ.get("ONEWINDOW_PASSWORD_HISTORY") or 5)
ONEWINDOW_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ONEWINDOW_PASSWORD_MAX_AGE_DAYS") or 90)

# Internationalisation: Chinese first; the Chinese text is the binding one.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("简体中文")),
    ("en", _("English")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Case materials live outside the web root and are served only through a permission check.
STORAGES["case_materials"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": VAR_DIR / "uploads", "base_url": None},
}
#: Largest material upload accepted, in bytes (a scanned multi-page PDF fits).
# E-certificate signing keys: private halves as files here (never in the database).
ONEWINDOW_KEY_DIR = Path(os.environ.get("ONEWINDOW_KEY_DIR") or VAR_DIR / "keys")
ONEWINDOW_KEY_PASSPHRASE = os.environ.get("ONEWINDOW_KEY_PASSPHRASE", "")
# Public address used in certificate QR codes and PDFs (the verification page's origin).
ONEWINDOW_PUBLIC_URL = os.environ.get("ONEWINDOW_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
ONEWINDOW_UPLOAD_MAX_BYTES = int(os.environ.get("ONEWINDOW_UPLOAD_MAX_BYTES") or 20 * 1024 * 1024)
# 补正期限: the working days an applicant has to put a correction notice right, counted
# from the day after the notice; the notice says a late correction counts as withdrawn.
ONEWINDOW_CORRECTION_PERIOD_DAYS = int(os.environ.get("ONEWINDOW_CORRECTION_PERIOD_DAYS") or 15)
# The seal drawn on notices says 演示专用章 on development and demo instances (ADR 0023).
ONEWINDOW_DEMO_SEAL = _env_flag("ONEWINDOW_DEMO_SEAL", DEBUG)
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: Django's Tasks API (backport) with the database backend; run workers
# with `onewindow db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Task leases (docs/decisions/0012, docs/operations/workers.md): a worker renews the lease of
# the task it runs every third of this many seconds; a running task whose lease ran out is
# put back in the queue, or marked failed once it has been started this many times.
ONEWINDOW_TASK_LEASE_SECONDS = int(os.environ.get("ONEWINDOW_TASK_LEASE_SECONDS") or 300)
ONEWINDOW_TASK_MAX_ATTEMPTS = int(os.environ.get("ONEWINDOW_TASK_MAX_ATTEMPTS") or 3)
# The audit chain (docs/decisions/0004, docs/operations/audit-chain.md): on PostgreSQL
# `onewindow audit-chain` links committed events every INTERVAL seconds, BATCH per
# transaction, and signs a checkpoint every CHECKPOINT_EVERY links with the key of the zone
# CHECKPOINT_ZONE (a zone code; empty: the oldest active key).
ONEWINDOW_AUDIT_CHAIN_INTERVAL = float(os.environ.get("ONEWINDOW_AUDIT_CHAIN_INTERVAL") or 1)
ONEWINDOW_AUDIT_CHAIN_BATCH = int(os.environ.get("ONEWINDOW_AUDIT_CHAIN_BATCH") or 1000)
ONEWINDOW_AUDIT_CHECKPOINT_EVERY = int(os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_EVERY") or 10000)
ONEWINDOW_AUDIT_CHECKPOINT_ZONE = os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_ZONE", "")
#: Where notifications go besides the in-app inbox (docs/notifications.md): backend classes,
#: comma-separated dotted paths. The console backend logs them (development, the demo); a
#: zone adds "onewindow.core.notifications.EmailNotifier" or its own SMS gateway (a
#: subclass of onewindow.core.notifications.SmsNotifier). "" sends nothing.
ONEWINDOW_NOTIFIERS = [
    path.strip()
    for path in os.environ.get(
        "ONEWINDOW_NOTIFIERS", "onewindow.core.notifications.ConsoleNotifier"
    ).split(",")
    if path.strip()
]

# -- Shared cache and request limits (ADR 0011) ------------------------------------------
# One cache for every worker: Redis when ONEWINDOW_CACHE_URL (redis://…) is set, otherwise
# the database (table created after migrate); local memory only in development mode. The
# request limits of the public lookups count in Redis or in the database (core.throttle).
ONEWINDOW_CACHE_URL = os.environ.get("ONEWINDOW_CACHE_URL", "").strip()
if ONEWINDOW_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ONEWINDOW_CACHE_URL,
            "KEY_PREFIX": "onewindow",
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onewindow_cache",
        }
    }
# Sessions: in the database by default. With Redis, "cached_db" reads them from the cache and
# writes through to the database (a login survives a Redis restart), "cache" keeps them in
# Redis only (no database write per login, but a Redis restart or eviction signs everyone
# out). Both need the shared cache: in a per-process or database cache they make no sense.
_SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
}
ONEWINDOW_SESSION_ENGINE = os.environ.get("ONEWINDOW_SESSION_ENGINE", "").strip() or "db"
if ONEWINDOW_SESSION_ENGINE not in _SESSION_ENGINES:
    raise ImproperlyConfigured(
        f"ONEWINDOW_SESSION_ENGINE={ONEWINDOW_SESSION_ENGINE!r}: use one of "
        + ", ".join(_SESSION_ENGINES)
        + "."
    )
if ONEWINDOW_SESSION_ENGINE != "db" and not ONEWINDOW_CACHE_URL:
    raise ImproperlyConfigured(
        f"ONEWINDOW_SESSION_ENGINE={ONEWINDOW_SESSION_ENGINE} keeps sessions in the cache, "
        "which must be shared by every worker: set ONEWINDOW_CACHE_URL (Redis), or leave "
        "ONEWINDOW_SESSION_ENGINE unset to keep sessions in the database."
    )
SESSION_ENGINE = _SESSION_ENGINES[ONEWINDOW_SESSION_ENGINE]
# Behind reverse proxies: the META key of the header they append the client address to
# (e.g. HTTP_X_FORWARDED_FOR) and how many of them there are. Unset: REMOTE_ADDR.
ONEWINDOW_TRUSTED_PROXY_HEADER = os.environ.get("ONEWINDOW_TRUSTED_PROXY_HEADER", "").strip()
ONEWINDOW_TRUSTED_PROXY_COUNT = int(os.environ.get("ONEWINDOW_TRUSTED_PROXY_COUNT") or "1")
# The technical 500 page of development mode shows no secrets (environment, passwords).
DEFAULT_EXCEPTION_REPORTER_FILTER = "onewindow.core.debug.SafeReporterFilter"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and _env_flag("ONEWINDOW_HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# -- Security headers, request bounds, production start checks (ADR 0014) ----------------
ONEWINDOW_HTTPS = not DEBUG and _env_flag("ONEWINDOW_HTTPS", True)
if not DEBUG and not ONEWINDOW_HTTPS and not _env_flag("ONEWINDOW_ALLOW_HTTP"):
    raise ImproperlyConfigured(
        "ONEWINDOW_HTTPS=0 in production mode: cookies and passwords would travel in clear "
        "text. Serve the site over HTTPS, or set ONEWINDOW_ALLOW_HTTP=1 to run without it "
        "on purpose (a closed test network)."
    )
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use 50 or more random characters, e.g. "
        'python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
# Behind the reverse proxy (docs/deploy.md), which sets X-Forwarded-Proto itself and
# overwrites any value a client sends.
if ONEWINDOW_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe may speak HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("ONEWINDOW_HSTS_SECONDS") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("ONEWINDOW_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_flag("ONEWINDOW_HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Preloading commits the whole parent domain (often a gov.cn domain the zone does not run)
# to HTTPS for good: the deployment opts in with ONEWINDOW_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# No inline script anywhere; inline style attributes only (ECharts writes its tooltip as HTML
# with style attributes), never <style> elements. The API documentation page too: its
# Swagger UI is vendored and started from a static script (ADR 0016).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Request bodies: forms and JSON up to DATA_UPLOAD_MAX_MEMORY_SIZE; multipart uploads up to
# ten files of ONEWINDOW_UPLOAD_MAX_BYTES and 1 MiB of form fields. The reverse proxy's
# client_max_body_size matches the multipart bound (docs/deploy.md).
ONEWINDOW_REQUEST_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
ONEWINDOW_MULTIPART_MAX_BYTES = int(
    os.environ.get("ONEWINDOW_MULTIPART_MAX_BYTES") or 10 * ONEWINDOW_UPLOAD_MAX_BYTES + 1024 * 1024
)
# Signing keys are encrypted at rest (ONEWINDOW_KEY_PASSPHRASE) in production; generating a
# plain key there needs this flag (certificates.keys, certificates.checks).
ONEWINDOW_ALLOW_PLAINTEXT_KEYS = DEBUG or _env_flag("ONEWINDOW_ALLOW_PLAINTEXT_KEYS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The zone this installation serves by default (pages and API without an explicit zone).
ONEWINDOW_DEFAULT_ZONE = os.environ.get("ONEWINDOW_DEFAULT_ZONE", "SFQ")

# -- Login throttling, second factor and staff sessions (docs/decisions/0009) ------------------
# django-axes counts failed logins in the database (every worker sees the same counts), per
# account and per address independently; a locked account or address cannot log in, not even
# with the right password, until the lock ends. Each failure during a lock restarts it.
ONEWINDOW_LOGIN_FAILURE_LIMIT = int(os.environ.get("ONEWINDOW_LOGIN_FAILURE_LIMIT") or 5)
ONEWINDOW_LOGIN_LOCK_MINUTES = int(os.environ.get("ONEWINDOW_LOGIN_LOCK_MINUTES") or 15)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = ONEWINDOW_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "onewindow.org.login_throttle.lock_duration"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False  # a password alone must not clear the count of wrong codes
AXES_USERNAME_CALLABLE = "onewindow.org.login_throttle.attempt_username"
# The client address as the public request limits see it (ONEWINDOW_TRUSTED_PROXY_HEADER).
AXES_CLIENT_IP_CALLABLE = "onewindow.org.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "onewindow.org.login_throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are in the audit chain
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ENABLE_ADMIN = False  # org/login_admin.py lists attempts, with an audited unlock
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False  # no start-up banner on every command
# The second factor (TOTP, django-otp): required for these roles, offered to all staff.
ONEWINDOW_OTP_REQUIRED_ROLES = [
    role.strip()
    for role in (
        os.environ.get("ONEWINDOW_OTP_REQUIRED_ROLES") or "administrator,security_admin,audit_admin"
    ).split(",")
    if role.strip()
]
OTP_TOTP_ISSUER = "一窗通办"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff sessions end when the browser closes and after this many idle minutes.
ONEWINDOW_STAFF_IDLE_MINUTES = int(os.environ.get("ONEWINDOW_STAFF_IDLE_MINUTES") or 30)
