"""Settings shared by every environment. Anything that differs between machines comes from the environment."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue
from whitenoise.compress import Compressor

# Sign-in, two-factor, login throttling, sessions and response headers.
from .security import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("HOMEWARD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# --- Core -----------------------------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
HOMEWARD_PRODUCTION = False  # production.py turns it on: core/checks.py then runs the deployment checks at start-up
ALLOW_SQLITE = True

INSTALLED_APPS = [
    "accounts.admin_site.HomewardAdminConfig",  # django.contrib.admin with a site that requires two-factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "django_filters",
    "django_celery_beat",
    "django_otp",
    "accounts.vendor_apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp, named for the admin
    "accounts.vendor_apps.BackupCodesConfig",  # django_otp.plugins.otp_static, named for the admin
    "axes",
    "csp",
    "auditlog",
    "core",
    "accounts",
    "audit",
    "places",
    "cases",
    "lists",
    "homecoming",
    "tracker",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files, no CDN
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # the user's own language wins over Accept-Language
    "accounts.security_middleware.SessionLimitsMiddleware",  # idle/absolute expiry, ended sessions
    "accounts.middleware.CurrentOrganizationMiddleware",
    "audit.trail.AuditMiddleware",  # who and from where, for the audit trail (audit/trail.py)
    "accounts.security_middleware.RefusedAccessLogMiddleware",  # 403/404 to signed-in users -> homeward.security
    "accounts.security_middleware.TwoFactorMiddleware",  # unverified 2FA users go to the code page
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the friendly page
]

# Widget templates come from the project first (templates/django/forms/widgets: faster select and radio lists).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ADMIN_URL = env.str("ADMIN_URL", default="admin/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.current_organization",
                "tracker.context_processors.navigation_counts",
            ],
            "builtins": ["core.templatetags.bidi"],  # `|bdi` on every name shown (core/text.py)
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# Embedded default: a SQLite file under var/, set up for concurrent use by web, worker and beat.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'homeward.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,  # busy timeout, seconds
            "transaction_mode": "IMMEDIATE",  # writers queue instead of failing with "database is locked"
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Field encryption -----------------------------------------------------------------------------
# Secret columns are encrypted with FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys: the first encrypts, all
# decrypt) and duplicate lookups use HMAC digests under BLIND_INDEX_KEY. Both are separate from SECRET_KEY.
# The defaults below are PUBLIC, DEV-ONLY keys (they spell "dev-only-…-NOT-SECRET"); production.py refuses them.
# How to generate, store and rotate real keys: docs/deployment.md.
DEV_ONLY_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LU5PVC1TRUNSRVQtMDE="
DEV_ONLY_BLIND_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaWR4LU5PVC1TRUNSRVQtMDE="
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_ONLY_FIELD_ENCRYPTION_KEY])
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default=DEV_ONLY_BLIND_INDEX_KEY)

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("th", _("Thai")),
    ("zh-hans", _("Simplified Chinese")),
    ("my", _("Burmese")),
    ("vi", _("Vietnamese")),
    ("id", _("Indonesian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # English and Burmese (Django has none) ours; the others Django's
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Manifest PDFs made by a worker wait here (encrypted, owner-only) until downloaded or expired.
MANIFEST_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": env.str("HOMEWARD_MANIFEST_DIR", default=str(VAR_DIR / "manifests")),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# Source maps are fetched only by a developer's browser tools: served as they are, not compressed by every
# collectstatic (5.8 MB of them in drf-spectacular's Swagger UI and ReDoc bundles, most of its CPU time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "manifests": MANIFEST_STORAGE,
    # Case evidence, always ciphertext (cases/services/evidence.py). Embedded default: a folder under var/;
    # production may use S3-compatible storage through django-storages (docs/deployment.md, "Evidence files").
    "evidence": {
        "BACKEND": env.str("EVIDENCE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("EVIDENCE_STORAGE_OPTIONS", default={"location": str(VAR_DIR / "evidence")}),
    },
}
HOMECOMING_MANIFEST_TTL_MINUTES = env.int("HOMECOMING_MANIFEST_TTL_MINUTES", default=30)
HOMECOMING_MANIFEST_RETRIES = env.int("HOMECOMING_MANIFEST_RETRIES", default=3)
HOMECOMING_MANIFEST_RETRY_SECONDS = env.int("HOMECOMING_MANIFEST_RETRY_SECONDS", default=30)

# --- Evidence files -------------------------------------------------------------------------------
EVIDENCE_MAX_FILE_BYTES = env.int("EVIDENCE_MAX_FILE_MB", default=15) * 1024 * 1024
EVIDENCE_MAX_FILES_PER_UPLOAD = 10

# --- Email ----------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Homeward <homeward@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Redis and Celery -----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded default: messages are files under var/, no server needed. Durability comes from the
    # database (the outbox), so a lost message only delays work until the next sweep.
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The cache holds the API's per-key rate counts (api/throttling.py). With Redis it is one cache for every gunicorn
# worker, so a key's "requests per minute" is counted once across them; without Redis (the embedded default, one
# runserver process) it is the process's own memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "homeward",
        }
    }
# Each member's navigation counts (every page shows them) are reused from the cache for up to this many seconds,
# until a request or referral of the organisation changes (tracker/navigation.py). Only with a cache every worker
# shares: without Redis each gunicorn worker has its own memory, and a write in one would not reach the others.
NAVIGATION_COUNTS_CACHE_SECONDS = env.int("NAVIGATION_COUNTS_CACHE_SECONDS", default=60 if REDIS_URL else 0)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("sweeps"), Queue("email"))
CELERY_TASK_ROUTES = {
    "tracker.tasks.sweep_*": {"queue": "sweeps"},
    "tracker.tasks.deliver_*": {"queue": "email"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat writes its schedules' last runs (what /healthz reads as its tick) back every 3 minutes, or after this many
# sent tasks when set (0: by time only).
CELERY_BEAT_SYNC_EVERY = env.int("CELERY_BEAT_SYNC_EVERY", default=0)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Workers keep Django's LOGGING (handlers with the personal-data filter) instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker's print()s (the console email backend's emails) go to the terminal as they are, once, rather than
# line by line as "WARNING celery.redirected" log records.
CELERY_WORKER_REDIRECT_STDOUTS = False

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Every handler carries core.logging.RedactPersonalDataFilter (no victim names, passports, phones or handles
# in logs); Django's own loggers are re-pointed at these handlers so none keeps an unfiltered one.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "core.logging.RedactPersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "no_traceback_for_client_errors": {"()": "core.logging.NoTracebackForClientErrorsFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_traceback_for_client_errors", "redact_personal_data"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_personal_data"],
            "include_html": False,
            "reporter_class": "core.logging.NoPersonalDataExceptionReporter",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lockouts only, not every successful sign-in
    },
}
ADMINS = [tuple(admin.split(":", 1)) for admin in env.list("ADMINS", default=[])]  # "Name:email" pairs
DEFAULT_EXCEPTION_REPORTER = "core.logging.NoPersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.NoPersonalDataExceptionReporterFilter"

# --- Follow-up engine (tracker) -------------------------------------------------------------------
TRACKER_OUTBOX_MAX_ATTEMPTS = env.int("TRACKER_OUTBOX_MAX_ATTEMPTS", default=5)
TRACKER_OUTBOX_BACKOFF_SECONDS = env.int("TRACKER_OUTBOX_BACKOFF_SECONDS", default=60)  # doubles per attempt
TRACKER_OUTBOX_BACKOFF_MAX_SECONDS = env.int("TRACKER_OUTBOX_BACKOFF_MAX_SECONDS", default=3600)
TRACKER_OUTBOX_LEASE_SECONDS = env.int("TRACKER_OUTBOX_LEASE_SECONDS", default=300)  # a dead sender's rows return
TRACKER_DELIVERY_BATCH = env.int("TRACKER_DELIVERY_BATCH", default=200)
TRACKER_SWEEP_LOCK_SECONDS = env.int("TRACKER_SWEEP_LOCK_SECONDS", default=900)
TRACKER_SWEEP_EVERY_SECONDS = env.int("TRACKER_SWEEP_EVERY_SECONDS", default=300)
TRACKER_DELIVERY_EVERY_SECONDS = env.int("TRACKER_DELIVERY_EVERY_SECONDS", default=60)

# --- Audit trail (django-auditlog; cases/audit.py registers the models) -------------------------------
# Entries live in cases.AuditEntry (per organisation, append-only). Secret fields are masked with a fixed marker:
# never the value, a part of it or its length.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# The swapped-out default table (auditlog_logentry) is never used; not creating it also keeps Django's flush
# (TransactionTestCase on PostgreSQL) working, which a stray foreign key to django_content_type would break.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_MASK_CALLABLE = "audit.trail.mask_secret"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # fixtures and loaddata are not user actions

# --- Partner API (api/) ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.KeyMayAct"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=120)  # per key, unless the key sets its own
API_AGENCY_LINK_DAYS = env.int("API_AGENCY_LINK_DAYS", default=14)
API_WEBHOOK_TIMEOUT_SECONDS = env.int("API_WEBHOOK_TIMEOUT_SECONDS", default=10)
# Webhook URLs (api/webhook_urls.py): https to public addresses only. Not read from the environment on purpose.
API_WEBHOOK_ALLOW_HTTP = DEBUG  # also http:// (development; the test settings too); never in production
API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # loopback/private hosts: only tests that run a local receiver
SPECTACULAR_SETTINGS = {
    "TITLE": "Homeward partner API",
    "DESCRIPTION": "Cases, hotline reports, rescue requests and referrals for partner systems (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.victims.VictimStatus",
        "RequestStatusEnum": "cases.models.requests.RescueRequestStatus",
        "ReferralStatusEnum": "cases.models.requests.ReferralStatus",
        "LanguageEnum": "places.codes.LANGUAGE_CHOICES",
    },
}
