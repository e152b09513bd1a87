"""Settings for the clienteling project, read from the environment (see README, "Configuration")."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from psycopg_pool import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry

# What the product does (its rules, limits and windows) is in product_settings, beside the wiring here.
from clienteling.product_settings import *  # noqa: F403
from clienteling.product_settings import NIGHTLY_HOUR, SUGGESTIONS_HOUR, SUGGESTIONS_INCREMENTAL_MINUTES
from common.env import env_bool, env_choice, env_int, env_list, env_matching, env_str

# Templates, static files and compiled translations ship inside this package (the wheel carries them).
PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent  # the source checkout, or site-packages when installed from the wheel
# What the app writes at run time (the embedded database, exports, mail and texts in development,
# collected static files): ./var in a source checkout, else ./var in the working directory.
VAR_DIR = Path(
    env_str("VAR_DIR", str(BASE_DIR / "var" if (BASE_DIR / "manage.py").is_file() else Path.cwd() / "var"))
)
VAR_DIR_SET = env_str("VAR_DIR") is not None  # production names it (check --deploy: common.W003)

APP_ENV = env_choice("APP_ENV", "development", ("development", "production"))
PRODUCTION = APP_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production-0000"  # noqa: S105 - refused in production below
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
# The address customers' phones reach this site at, for links in e-mails, texts and QR codes;
# `make demo` sets it from its HOST and PORT.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
if _public.scheme not in ("http", "https") or not _public.hostname:
    raise ImproperlyConfigured(f"PUBLIC_BASE_URL must be an http(s):// address, not {PUBLIC_BASE_URL!r}.")
# In development the site also answers at that address (a phone on the same network opening a link
# or a poster's QR code: `make demo HOST=0.0.0.0`); production lists its host names itself.
_public_host = f"[{_public.hostname}]" if ":" in _public.hostname else _public.hostname
_development_hosts = list(dict.fromkeys(["127.0.0.1", "localhost", "[::1]", _public_host]))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else _development_hosts)
# In development, a form posted from the links' address (a tunnel, a phone) is trusted too.
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [] if PRODUCTION else [f"{_public.scheme}://{_public.netloc}"]
)

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when APP_ENV=production."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names when APP_ENV=production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false when APP_ENV=production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # intcomma: counts grouped as the staff member's language groups them
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # Ours, from the bottom floor up (pyproject.toml): each registers data rights after those below it.
    "common",  # for its commands: migrate as the owner, the runtime role (common/db_roles.py)
    "audit",
    "stores",
    "accounts",
    "catalog",
    "customers",
    "sales",
    "consent",
    "relationships",
    "identity",
    "suggestions",
    "outreach",
    "occasions",
    "privacy",
    "integrations",
    "tablet",
    "managers",
    "customer_site",
    "demo",
]

MIDDLEWARE = [
    "common.request_metrics.RequestMetricsMiddleware",  # first: times and counts everything below
    "common.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "common.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.db_outage.DatabaseOutageMiddleware",  # the database away: 503 at once (static files still)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StoreLocaleMiddleware",  # staff: the store's language, after sign-in is known
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tablet.middleware.IdleLockMiddleware",
    "customer_site.handover.HandOverMiddleware",
    "common.error_pages.ErrorPagesMiddleware",  # a view's 404 and 403: the site's pages, DEBUG or not
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its page
]

ROOT_URLCONF = "clienteling.urls"
WSGI_APPLICATION = "clienteling.wsgi.application"
ASGI_APPLICATION = "clienteling.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE for <html lang>
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "tablet.context_processors.tablet",
            ],
        },
    },
]

# Database: PostgreSQL only, with two roles (common/db_roles.py). DATABASE_URL is the runtime role the
# app runs as (web, workers, beat); MIGRATION_DATABASE_URL, the owner of the tables, which migrations
# run as. Unset, the embedded server (development and tests) is used, with both roles made for you.
DATABASE_URL = env_str("DATABASE_URL")
MIGRATION_DATABASE_URL = env_str("MIGRATION_DATABASE_URL")
# Optional: a PostgreSQL streaming replica of the same database, for the heavy reads that opt in
# (common/replica.py: the dashboard's figures, a customer's download, breach reports); every other
# read, every write and every migration stays on DATABASE_URL. As the runtime role, like DATABASE_URL.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# A heavy read that depends on writes waits this long for the replica to have replayed them (and,
# pooled, for a connection to it), then reads from the primary; one that names no write reads from
# the replica only while it is at most REPLICA_MAX_LAG_SECONDS behind.
REPLICA_WAIT_SECONDS = env_int("REPLICA_WAIT_SECONDS", 1, minimum=0)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
EMBEDDED_RUNTIME_ROLE = "clienteling_app"


def _postgres(url: str, name: str) -> dict[str, Any]:
    """The DATABASES entry for the URL in setting ``name``, pooled (DATABASE_POOL…) and bounded."""
    database: dict[str, Any] = dict(dj_database_url.parse(url))
    if not str(database.get("ENGINE", "")).endswith("postgresql"):
        raise ImproperlyConfigured(f"{name} must be a postgres:// URL; PostgreSQL is the only database.")
    if env_bool("DATABASE_POOL", default=True):
        # Django's psycopg 3 pool; persistent connections (CONN_MAX_AGE) must stay off with it.
        database["CONN_MAX_AGE"] = 0
        # Added to what the URL says (sslmode, sslrootcert, target_session_attrs…), never instead.
        database.setdefault("OPTIONS", {}).update(
            {
                "pool": {
                    "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
                    "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
                    # A request waits this long for a connection before a 503 (common/db_outage.py): a
                    # web process uses one at a time, so waiting longer only means the database is away.
                    "timeout": env_int("DATABASE_POOL_TIMEOUT", 3, minimum=1),
                    # A connection is checked as it is handed out, so none broken by a restart is used.
                    "check": ConnectionPool.check_connection,
                },
                "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3, minimum=1),
            }
        )
    return database


_database: dict[str, Any]
DATABASE_OWNER: dict[str, Any] | None = None
if DATABASE_URL:
    _database = _postgres(DATABASE_URL, "DATABASE_URL")
    if MIGRATION_DATABASE_URL:
        _owner = dict(dj_database_url.parse(MIGRATION_DATABASE_URL))
        if _owner.get("NAME") != _database.get("NAME"):
            raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")
        DATABASE_OWNER = {key: _owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")}
else:
    _database = {
        "ENGINE": "common.embedded_postgresql",
        "NAME": "clienteling",
        "USER": EMBEDDED_RUNTIME_ROLE,
        "EMBEDDED_DIR": env_str("EMBEDDED_POSTGRES_DIR", str(VAR_DIR / "postgres")),
        "EMBEDDED_DATABASE": "clienteling",
        "EMBEDDED_RUNTIME_ROLE": EMBEDDED_RUNTIME_ROLE,
    }
    DATABASE_OWNER = {"USER": "postgres"}  # the embedded server's own superuser
DATABASES = {"default": _database}
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: a replica of which primary?")
    _replica = _postgres(DATABASE_REPLICA_URL, "DATABASE_REPLICA_URL")
    if _replica.get("NAME") != _database.get("NAME"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name the same database as DATABASE_URL.")
    if "pool" in _replica.get("OPTIONS", {}):
        # The replica is only a faster way to the same rows: a heavy read waits for a connection to it
        # no longer than it would wait for its data, then reads from the primary.
        _replica["OPTIONS"]["pool"]["timeout"] = max(REPLICA_WAIT_SECONDS, 1)
    # The test database has no replica: the alias reads the test database itself.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
# Name search matches a typed word against part of a name (pg_trgm word similarity); pg_trgm's
# default threshold of 0.6 misses ordinary typos such as "shiobhan" for "siobhan" (0.56).
# JIT compilation pays off for long analytical queries, not for the app's short ones: at a million
# customers it added ~25 ms to a 60 ms name search (bench/tablet.py). Off for the app's connections.
_server_options = "-c pg_trgm.word_similarity_threshold=0.5 -c jit=off"
for _entry in DATABASES.values():
    _options = _entry.setdefault("OPTIONS", {})
    _options["options"] = " ".join(part for part in (_options.get("options", ""), _server_options) if part)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "tablet:login"
# Password sign-in (the tablet's form and the admin's) is throttled by django-axes: after
# LOGIN_MAX_FAILURES wrong passwords for an account, that account's password sign-in waits
# LOGIN_LOCK_MINUTES, or until a manager or an administrator unlocks it. Failures are counted per
# account, wherever they come from, and never per address: one attacker behind a store's shared
# address locks no one else out. Locks and unlocks are audited (accounts.signals).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.signals.typed_username"
AXES_CLIENT_IP_CALLABLE = "common.http.client_address"
AXES_LOCKOUT_CALLABLE = "tablet.views.sign_in.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail
AXES_VERBOSE = False
# axes.W006 warns that, counted per account only, failures ignore the address. That is the choice
# above: rotating addresses, agents or cookies does not reset an account's count, and an address,
# which a whole store may share, is never locked.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_REDIRECT_URL = "tablet:my-day"
LOGOUT_REDIRECT_URL = "tablet:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["clienteling.formats"]  # dates by the store's locale, ahead of Django's
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# collectstatic writes here in production; development serves straight from the apps and clienteling/static/.
_static_root = env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles") if PRODUCTION else None)
STATIC_ROOT = Path(_static_root) if _static_root else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded and generated files (customers' data exports). Never served as static files: exports
# are only handed out through a short-lived signed link.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Security. Production defaults are strict; each can be relaxed explicitly behind a trusted proxy.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Probes and Prometheus reach each instance directly, often over plain HTTP inside the network; a
# redirect would not protect the metrics token either (the first request has already carried it).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^metrics$"]
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind one trusted proxy, the client's address is the last one it adds to X-Forwarded-For
# (used to throttle code and link requests per client).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=False)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60, minimum=60)
X_FRAME_OPTIONS = "DENY"
# The browser runs our own scripts and styles, from our own origin, and nothing else: no inline
# script, style or handler, no eval, no third-party origin (Swagger UI's files are served by us too).
# A page that ever needs an inline script gives it the request's nonce ({{ csp_nonce }}).
# Product pictures come from the retailer's image server (its CDN): the https origins named here are
# the only ones the API and the products file accept in a product's image_url, and the only others
# pages may load images from. Our own /product-images/ (the demo's generated pictures) is always allowed.
PRODUCT_IMAGE_ORIGINS = env_list("PRODUCT_IMAGE_ORIGINS", [])
for _origin in PRODUCT_IMAGE_ORIGINS:
    if not re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]{1,5})?", _origin):
        raise ImproperlyConfigured(
            f"PRODUCT_IMAGE_ORIGINS: {_origin!r} is not an https origin such as https://images.example.com"
        )
PRODUCT_IMAGE_ROOT = Path(env_str("PRODUCT_IMAGE_ROOT", str(VAR_DIR / "product-images")))
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *PRODUCT_IMAGE_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Powerful browser features are off on every page; the scan page alone may use the camera
# (common.permissions_policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "display-capture": [],
    "browsing-topics": [],
}

# Metrics for Prometheus (common/prometheus.py): /metrics answers 404 until METRICS_TOKEN is set, then
# only to "Authorization: Bearer <METRICS_TOKEN>". A Celery worker serves its own on
# CELERY_METRICS_ADDR:CELERY_METRICS_PORT (off while the port is unset), behind the same token if set.
# Across processes (gunicorn's workers, a prefork pool), set PROMETHEUS_MULTIPROC_DIR in the environment.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 24 characters: a random secret.")
CELERY_METRICS_PORT = env_int("CELERY_METRICS_PORT", 0, minimum=0, maximum=65535)
CELERY_METRICS_ADDR = env_str("CELERY_METRICS_ADDR", "127.0.0.1")

# Celery: a Redis broker when configured; otherwise tasks run in-process so the demo needs no broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", None if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL
)
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task a worker took and lost (its process killed) goes back to the queue after the visibility
# timeout (Redis); no task may run longer than that, or a second worker would be handed it meanwhile.
# An hour, so that a nightly job at a million customers has room; what people asked for comes back
# sooner through the outbox's relay (its lease), and a stalled refresh through its watchdog.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for such tasks (kombu's default, 10 s × every 10th look, is 100 s).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 30, minimum=1),
    "unacked_restore_throttle": 1,
    # A broker that stops answering without closing the connection fails a publish instead of
    # blocking it for ever (kombu waits without limit by default).
    "socket_connect_timeout": 5,
    "socket_timeout": 30,
}
_hard = CELERY_VISIBILITY_TIMEOUT
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", max(_hard - 60, 1), minimum=1, maximum=_hard)
_soft = CELERY_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = env_int(
    "CELERY_TASK_SOFT_TIME_LIMIT", max(_soft - 60, 1), minimum=1, maximum=_soft
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# What someone asked for goes through the outbox (common/outbox.py): a job not reported done is
# published again after OUTBOX_REDELIVER_SECONDS, doubling up to an hour; a worker's claim on a job
# lapses after OUTBOX_LEASE_SECONDS (longer than any such job may run: OUTBOX_TASK_TIME_LIMIT).
OUTBOX_TASK_TIME_LIMIT = env_int("OUTBOX_TASK_TIME_LIMIT", 300, minimum=60)
OUTBOX_LEASE_SECONDS = env_int(
    "OUTBOX_LEASE_SECONDS", OUTBOX_TASK_TIME_LIMIT + 60, minimum=OUTBOX_TASK_TIME_LIMIT + 1
)
# The first publication again comes after the lease: a job still running is not sent twice.
OUTBOX_REDELIVER_SECONDS = env_int("OUTBOX_REDELIVER_SECONDS", OUTBOX_LEASE_SECONDS, minimum=10)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "relay-outbox": {"task": "common.relay_outbox", "schedule": 30.0},
    "refresh-value-tiers": {
        "task": "customers.refresh_value_tiers",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=5),
    },
    "delete-expired-consent-artefacts": {
        "task": "consent.delete_expired",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=15),
    },
    "delete-expired-exports": {
        "task": "privacy.delete_expired_exports",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=15),
    },
    "refresh-suggestions": {
        "task": "suggestions.refresh_all",
        "schedule": crontab(hour=SUGGESTIONS_HOUR, minute=30),
    },
    "resume-stalled-suggestions": {
        "task": "suggestions.resume_stalled",
        "schedule": crontab(minute="*/5"),
    },
    "refresh-recent-suggestions": {
        "task": "suggestions.refresh_recent",
        "schedule": crontab(minute=f"*/{SUGGESTIONS_INCREMENTAL_MINUTES}"),
    },
    "find-duplicates": {
        "task": "identity.find_duplicates",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=25),
    },
    "rollup-dashboard": {
        "task": "managers.rollup_nightly",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=35),
    },
    "rollup-dashboard-today": {"task": "managers.rollup_today", "schedule": crontab(minute="*/5")},
    "apply-retention": {
        "task": "privacy.apply_retention",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=20),
    },
    "send-due-messages": {"task": "outreach.send_due", "schedule": crontab(minute="*")},
    # After the suggestions' refresh: time for a new one reads the cycles it settles.
    "make-occasions": {"task": "occasions.nightly", "schedule": crontab(hour=SUGGESTIONS_HOUR, minute=50)},
    "make-recent-occasions": {"task": "occasions.recent", "schedule": crontab(minute="*/5")},
    "queue-appointment-reminders": {"task": "outreach.queue_reminders", "schedule": crontab(minute="*/10")},
}

# Every completed erasure also appends a line (ids and a time, nothing personal) to this file, kept
# outside the database and backed up apart from it, so that `replay_erasures` can erase again after
# a restore whoever a backup brings back (privacy/ledger.py). Put it on a volume of its own.
ERASURE_LEDGER_PATH = Path(env_str("ERASURE_LEDGER_PATH", str(VAR_DIR / "erasure-ledger.jsonl")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clienteling integration API",
    "DESCRIPTION": (
        "Bulk, idempotent upserts for the systems that feed the app (POS, e-commerce, catalogue, stock). "
        "Authenticate with `Authorization: Bearer <token>`; tokens are created in the admin or with "
        "`manage.py create_api_token`. Every endpoint takes a JSON list and answers one result per item."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN, works offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ChannelEnum": "sales.models.Channel"},  # one name for orders and returns
}

# The cache counts API requests per token (throttling). It is Redis whenever Redis is configured
# (CACHE_URL, else the Celery broker's Redis), so every web process shares the count; without Redis
# (the demo) each process counts alone, in memory, which the deployment check warns of.
CACHE_URL = env_str("CACHE_URL") or (
    CELERY_BROKER_URL
    if CELERY_BROKER_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else None
)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "clienteling"),
            # A Redis that is away fails a request's count at once (no client retries, short
            # timeouts), and the throttle lets the request through (integrations/auth.py).
            "OPTIONS": {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}


# Mail and text messages (one-time codes, receipts, privacy-centre links). In development, e-mails
# are written to the terminal decoded (common/mail.py), so the links in them are whole.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "common.mail.ReadableConsoleBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": 10,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _EMAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clienteling <no-reply@localhost>")
# A dotted path to a class with ``send(to: str, body: str)`` (see common/sms.py).
SMS_BACKEND = env_str("SMS_BACKEND", "common.sms.ConsoleSmsBackend")
if SMS_BACKEND.startswith("clienteling.sms."):
    raise ImproperlyConfigured(
        f"SMS_BACKEND: the backends moved, set {SMS_BACKEND.replace('clienteling', 'common')}"
    )
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(VAR_DIR / "sms")))
# common.sms.HttpSmsBackend: POSTs JSON to this URL with this bearer token.
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10, minimum=1)
# The provider signs the replies it forwards (STOP) with this secret: HMAC-SHA256 of the body, hex,
# in X-Signature. Unset, the reply webhook answers 404.
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET", "")
# Answers on WhatsApp (common/whatsapp.py), like SMS_BACKEND: the console by default;
# common.whatsapp.HttpWhatsAppBackend posts to the Cloud API, {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/
# messages, with WHATSAPP_TOKEN (a system user's access token) as its bearer.
WHATSAPP_BACKEND = env_str("WHATSAPP_BACKEND", "common.whatsapp.ConsoleWhatsAppBackend")
WHATSAPP_FILE_PATH = Path(env_str("WHATSAPP_FILE_PATH", str(VAR_DIR / "whatsapp")))
WHATSAPP_API_URL = env_matching(
    "WHATSAPP_API_URL", "https://graph.facebook.com/v23.0", r"https?://\S+", expected="an http(s):// address"
)
WHATSAPP_PHONE_NUMBER_ID = env_matching(
    "WHATSAPP_PHONE_NUMBER_ID", "", r"\d*", expected="the business number's id in the Cloud API (digits)"
)
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN", "")
WHATSAPP_HTTP_TIMEOUT = env_int("WHATSAPP_HTTP_TIMEOUT", 10, minimum=1)
if WHATSAPP_BACKEND.endswith(".HttpWhatsAppBackend") and not (WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN):
    raise ImproperlyConfigured(
        "WHATSAPP_BACKEND sends through the Cloud API: set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN "
        "(or WHATSAPP_TOKEN_FILE)."
    )
# Conversations (outreach/inbound.py, integrations/webhooks.py). The providers' webhooks
# (/sms/replies/, /sms/status/, /whatsapp/events/, /mail/inbound/) are signed with their secret over
# "<X-Timestamp>.<body>" (SMS_INBOUND_SECRET above, WHATSAPP_INBOUND_SECRET, INBOUND_MAIL_SECRET;
# unset: every call is refused); a call whose X-Timestamp is further than WEBHOOK_TOLERANCE_SECONDS
# from our clock is refused as a replay, and a body past WEBHOOK_MAX_BODY_BYTES with a 413. An
# e-mail has its own, larger limit, INBOUND_MAIL_MAX_BODY_BYTES: a reply carries the quoted thread,
# an HTML copy and, in Postmark's JSON, its attachments inline (a phone's photo is megabytes), and a
# 413 loses her reply once the provider gives up retrying. Attachments are not kept.
WHATSAPP_INBOUND_SECRET = env_str("WHATSAPP_INBOUND_SECRET", "")
INBOUND_MAIL_SECRET = env_str("INBOUND_MAIL_SECRET", "")
WEBHOOK_TOLERANCE_SECONDS = env_int("WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
INBOUND_MAIL_MAX_BODY_BYTES = env_int("INBOUND_MAIL_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=64 * 1024)
# PUBLIC_BASE_URL, the address links in e-mails, texts and QR codes point at: beside ALLOWED_HOSTS.


# Who an associate may see. "store": consenting customers with a relationship to one of her stores
# (home store, purchases, service). "chain": every consenting customer of the retailer.
CUSTOMER_VISIBILITY = env_choice("CUSTOMER_VISIBILITY", "store", ("store", "chain"))

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "common.logging.RedactPersonalData"},
        "request_id": {"()": "common.request_id.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "common.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its notes on every sign-in; lockouts are audited
    },
}
