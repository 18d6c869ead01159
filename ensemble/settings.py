"""Django settings of Ensemble: every value comes from the environment (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.oidc.config import providers_from_env
from ensemble.core.config import (
    derived_secret,
    embedded_secrets,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_encryption_keys,
    private_file,
    private_folder,
)
from ensemble.core.rates import parse_rates

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ENSEMBLE_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
S3_BUCKET = env_str("S3_BUCKET")

# Production mode: any external engine configured, or asked for explicitly. It refuses
# generated or default secrets, which only make sense for a single-machine install.
PRODUCTION = env_bool("ENSEMBLE_PRODUCTION", bool(DATABASE_URL or REDIS_URL or S3_BUCKET))

_generated = {} if PRODUCTION else embedded_secrets(DATA_DIR)


def _secret(name: str) -> str:
    value = env_str(name) or _generated.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} (or {name}_FILE) must be set in production mode; see docs/configuration.md"
        )
    return value


SECRET_KEY = _secret("SECRET_KEY")
if PRODUCTION and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
ENCRYPTION_KEYS = parse_encryption_keys(_secret("ENCRYPTION_KEYS"))
if not ENCRYPTION_KEYS:
    raise ImproperlyConfigured("ENCRYPTION_KEYS holds no key")

DEBUG = env_bool("DEBUG", False)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SITE_URL.startswith("https://")
SESSION_COOKIE_AGE = env_int("SESSION_AGE_SECONDS", 14 * 24 * 3600)
# A session nobody used for this long is signed out (0: never); SESSION_COOKIE_AGE still ends
# it however active (accounts/middleware.py).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 3600)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Operators (or a monitoring system) who give this as a bearer token see /readyz's detail.
HEALTH_TOKEN = env_str("HEALTH_TOKEN")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the suite itself, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "ensemble.core",
    "ensemble.accounts",
    "ensemble.portal",
    "ensemble.chat",
    "ensemble.meet",
    "ensemble.docs",
    "ensemble.assist",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "ensemble.core.headers.NoStoreForApi",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ensemble.accounts.middleware.SessionTrackingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ensemble.core.middleware.RefuseUnstorableText",
]

ROOT_URLCONF = "ensemble.urls"
ASGI_APPLICATION = "ensemble.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ensemble" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ensemble.portal.context_processors.portal",
            ],
        },
    },
]

# Data
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{DATA_DIR / 'ensemble.sqlite3'}",
        # SQLite: each thread keeps its connection (opening one, with its PRAGMAs, cost more
        # than storing a chat message); PostgreSQL: a pool instead (below).
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DATABASE_URL else 3600),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request may run in a thread of its own, so connections are borrowed
    # from a pool rather than kept per thread (which would leak them until PostgreSQL refuses
    # new clients); opening one per request or socket message cost more than the work itself.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env_int("DATABASE_POOL_SIZE", 20),
        "timeout": 10,
    }
# The statements run for every chat message are prepared once per connection (core/sql.py).
# Off behind a pooler that does not keep prepared statements (PgBouncer before 1.21 in
# transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
_sqlite_file = Path(str(DATABASES["default"]["NAME"]))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and _sqlite_file.is_absolute():
    # The database file readable by the service's user only: created so before SQLite opens
    # it with the process's umask (its -wal and -shm files take the same mode).
    if not DATABASE_URL:
        private_folder(_sqlite_file.parent)
    if _sqlite_file.parent.is_dir():
        private_file(_sqlite_file)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" when two writers start a transaction at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Real-time fan-out. Events are stored before they are sent, so the layer may lose one: a
# connection fetches what it lacks from the database (realtime.py). With Redis, our pub/sub
# layer (core/layer.py, docs/adr/0004): a process hands an event to its own connections at
# once and publishes it once for the others, each subscribed to the groups it follows.
# Without Redis, the same layer's part for one process (InProcessLayer). In both, a
# connection may fall 1000 events behind; then it is closed (4429) and its client resumes
# from the database.
CHANNEL_LAYERS: dict[str, Any] = (
    {
        "default": {
            "BACKEND": "ensemble.core.layer.RedisPubSubLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("REDIS_PREFIX", "ensemble"),
                "capacity": 1000,
                "sentinels": env_list("REDIS_SENTINELS"),
                "master_name": env_str("REDIS_SENTINEL_MASTER", "mymaster"),
                "sentinel_password": env_str("REDIS_SENTINEL_PASSWORD"),
            },
        }
    }
    if REDIS_URL
    else {
        "default": {"BACKEND": "ensemble.core.layer.InProcessLayer", "CONFIG": {"capacity": 1000}}
    }
)

CACHES: dict[str, Any] = (
    {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("REDIS_PREFIX", "ensemble"),
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Background jobs: the database by default, RQ on Redis to scale out.
TASKS: dict[str, Any] = {
    "default": (
        {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        if REDIS_URL
        else {"BACKEND": "django_tasks_db.DatabaseBackend"}
    )
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 10)

# Files, encrypted at rest whatever the backend.
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
ENCRYPTION_CHUNK_SIZE = env_int("ENCRYPTION_CHUNK_SIZE", 64 * 1024)
_inner_storage: dict[str, Any] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "file_overwrite": False,
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}
)
STORAGES = {
    "default": {
        "BACKEND": "ensemble.core.storage.EncryptedStorage",
        "OPTIONS": {"inner": _inner_storage},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_URL = "/static/"
# Built with the code (`make install` collects it), not data: shared by every data directory.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "ensemble" / "static"]

# Accounts
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOCAL_LOGIN_ENABLED = env_bool("LOCAL_LOGIN_ENABLED", True)
OIDC_PROVIDERS = providers_from_env()
OIDC_ACR_LEVELS = env_list("OIDC_ACR_LEVELS", "eidas0,eidas1,eidas0-mfa,eidas1-mfa,eidas2,eidas3")
OIDC_HTTP_TIMEOUT = env_int("OIDC_HTTP_TIMEOUT", 10)
ACCOUNT_INACTIVITY_DAYS = env_int("ACCOUNT_INACTIVITY_DAYS", 396)  # 13 months, as Tchap
ACCOUNT_INACTIVITY_WARNING_DAYS = [
    int(days) for days in env_list("ACCOUNT_INACTIVITY_WARNING_DAYS", "30,7,1")
]
RATE_LIMITS = parse_rates(env_str("RATE_LIMITS", ""))
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)

# Meet: a pool of Janus servers (production), or the one `ensemble serve` starts.
JANUS_URLS = env_list("JANUS_URLS")
JANUS_EMBEDDED = env_bool("JANUS_EMBEDDED", not JANUS_URLS)  # `ensemble serve` starts one
JANUS_ADMIN_URLS = env_list("JANUS_ADMIN_URLS")
JANUS_WS_URLS = env_list("JANUS_WS_URLS")
JANUS_HTTP_PORT = env_int("JANUS_HTTP_PORT", 8088)
JANUS_ADMIN_PORT = env_int("JANUS_ADMIN_PORT", 7088)
JANUS_WS_PORT = env_int("JANUS_WS_PORT", 8188)
if not JANUS_URLS:
    JANUS_URLS = [f"http://127.0.0.1:{JANUS_HTTP_PORT}/janus"]
    JANUS_ADMIN_URLS = [f"http://127.0.0.1:{JANUS_ADMIN_PORT}/admin"]
    JANUS_WS_URLS = [f"ws://127.0.0.1:{JANUS_WS_PORT}/"]
# Never sent to a browser. The embedded default derives its own from SECRET_KEY.
JANUS_ADMIN_SECRET = env_str("JANUS_ADMIN_SECRET") or derived_secret(SECRET_KEY, "janus-admin")
JANUS_ADMIN_KEY = env_str("JANUS_ADMIN_KEY") or derived_secret(SECRET_KEY, "janus-rooms")
JANUS_TIMEOUT = env_int("JANUS_TIMEOUT", 5)
# Janus posts its VideoRoom events here (its HTTP event handler), so that a stranger in a
# meeting's room is taken out at once; with the password below (HTTP basic auth, user "janus").
JANUS_EVENTS_URL = env_str("JANUS_EVENTS_URL", f"{SITE_URL}/meet/janus-events/")
JANUS_EVENTS_SECRET = env_str("JANUS_EVENTS_SECRET") or derived_secret(SECRET_KEY, "janus-events")
# The embedded Janus: the addresses it offers for media (ICE), and its UDP ports.
JANUS_ICE_ENFORCE = env_str("JANUS_ICE_ENFORCE")
JANUS_RTP_PORTS = env_str("JANUS_RTP_PORTS", "20000-20999")
MEET_MAX_PARTICIPANTS = env_int("MEET_MAX_PARTICIPANTS", 150)
MEET_PAGE_SIZE = env_int("MEET_PAGE_SIZE", 9)  # videos a client receives at a time
MEET_MUTE_ABOVE = env_int("MEET_MUTE_ABOVE", 10)  # joiners muted once this many are in
# Where Janus writes recorded streams; the workers read them there (shared in production).
MEET_RECORDING_DIR = Path(env_str("MEET_RECORDING_DIR") or DATA_DIR / "recordings")
MEET_RECORDING_RETENTION_DAYS = env_int("MEET_RECORDING_RETENTION_DAYS", 30)
# For people behind NAT or strict firewalls (docs/subsystems/meet.md: TURN with coturn).
MEET_STUN_URLS = env_list("MEET_STUN_URLS")
MEET_TURN_URLS = env_list("MEET_TURN_URLS")
MEET_TURN_SECRET = env_str("MEET_TURN_SECRET")
MEET_TURN_TTL = env_int("MEET_TURN_TTL", 6 * 3600)

# Assist (docs/subsystems/assist.md, ADR 0009): a language model on an OpenAI-compatible
# endpoint, only when one is set; nothing leaves the premises otherwise.
ASSIST_LLM_URL = env_str("ASSIST_LLM_URL")
ASSIST_LLM_MODEL = env_str("ASSIST_LLM_MODEL")
ASSIST_LLM_KEY = env_str("ASSIST_LLM_KEY")
ASSIST_LLM_TIMEOUT = env_int("ASSIST_LLM_TIMEOUT", 60)

# Security headers (ensemble/core/headers.py says where each comes from).
# HSTS: browsers that reached the suite over https never try plain http again. Sent only on
# answers over https (BEHIND_TLS_PROXY when a proxy ends TLS).
SECURE_HSTS_SECONDS = env_int(
    "HSTS_SECONDS", 365 * 24 * 3600 if SITE_URL.startswith("https://") else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
# Scripts, styles, fonts and images only from the suite itself: no inline script, no CDN.
# Pages talk to the suite (its WebSocket too: 'self' covers ws: and wss:) and, on the meeting
# page, to the Janus servers of JANUS_WS_URLS. No form-action: signing out through an identity
# provider is a form whose answer redirects to the provider, which form-action would block.
_janus_origins = sorted({"://".join(urlsplit(url)[:2]) for url in JANUS_WS_URLS})
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # WebAssembly, no eval: the meeting page's background blur (MediaPipe, served by us).
        "script-src": [SELF, "'wasm-unsafe-eval'"],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF, *_janus_origins],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Camera, microphone and screen sharing for meetings (and full screen, and sound that plays
# by itself, for their videos); every other powerful feature off.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": ["self"],
    "microphone": ["self"],
    "display-capture": ["self"],
    "fullscreen": ["self"],
    "autoplay": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer", "ambient-light-sensor", "bluetooth", "browsing-topics",
            "clipboard-read", "encrypted-media", "geolocation", "gyroscope", "hid",
            "idle-detection", "local-fonts", "magnetometer", "midi", "payment",
            "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
            "usb", "web-share", "xr-spatial-tracking",
        )
    },
}  # fmt: skip

# Chat
CHAT_FLOOD_MESSAGES = env_int("CHAT_FLOOD_MESSAGES", 20)
CHAT_FLOOD_SECONDS = env_int("CHAT_FLOOD_SECONDS", 10)
CHAT_ATTACHMENT_MAX_BYTES = env_int("CHAT_ATTACHMENT_MAX_BYTES", 100_000_000)
# "Seen by" is shown in rooms of at most this many members (0: nowhere).
CHAT_RECEIPTS_MAX_MEMBERS = env_int("CHAT_RECEIPTS_MAX_MEMBERS", 20)
# Mentions and direct messages still unread this many minutes later are e-mailed (0: never).
CHAT_DIGEST_MINUTES = env_int("CHAT_DIGEST_MINUTES", 30)
# Bodies larger than this are refused before they are read (uploads are the largest).
MAX_REQUEST_BYTES = CHAT_ATTACHMENT_MAX_BYTES + 1_000_000

# Malware scanning of the files people send (core/scanner.py): "auto" uses Debian's
# clamav-daemon when its socket is there; "off"; or a socket path, unix:/path, host:port.
SCANNER_ADDRESS = env_str("SCANNER_ADDRESS", "auto")
SCANNER_TIMEOUT_SECONDS = env_int("SCANNER_TIMEOUT_SECONDS", 60)
# Larger files are not sent to clamd (Debian's StreamMaxLength is 25M): only their uploader may
# download them ("too_large"), unless SCANNER_SERVE_LARGE_UNSCANNED serves them unchecked.
SCANNER_MAX_BYTES = env_int("SCANNER_MAX_BYTES", 25_000_000)
SCANNER_SERVE_LARGE_UNSCANNED = env_bool("SCANNER_SERVE_LARGE_UNSCANNED", False)

# E-mail: an SMTP server when EMAIL_HOST is set, else one file per message in a private
# folder of the data directory (not the console: the logs would hold codes and links).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "ensemble.core.mail.PrivateFolderBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ensemble <no-reply@localhost>")

# Interface
STATE_BRANDING = env_bool("STATE_BRANDING", False)
PORTAL_TAGLINE = env_str("PORTAL_TAGLINE")
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["ensemble.formats"]  # English dates day first (ensemble/formats/en)
LOCALE_PATHS = [BASE_DIR / "ensemble" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ensemble.accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
    ],
    # Every API view counts every request (core/ratelimit.py); views add stricter limits.
    "DEFAULT_THROTTLE_CLASSES": ["ensemble.core.ratelimit.ApiRateLimit"],
    "DEFAULT_PARSER_CLASSES": [
        "ensemble.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "ensemble.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ensemble.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ensemble API",
    "DESCRIPTION": "REST API of Ensemble, the sovereign collaboration suite.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ loads nothing from elsewhere: Swagger UI from the sidecar package's static
    # files, and no validator badge (an image from validator.swagger.io).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Every record goes through one handler whose filter blanks secrets (core/logs.py), uvicorn's
# access log (one line per request, with its address) too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"secrets": {"()": "ensemble.core.logs.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["console"], "propagate": False},
    },
}
