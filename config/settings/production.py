"""Production: PostgreSQL + Redis, secrets required from the environment, hardened transport."""

from django.core.exceptions import ImproperlyConfigured

from cases.crypto import check_key_settings

from .base import *  # noqa: F403
from .base import DATABASES, DEV_ONLY_BLIND_INDEX_KEY, DEV_ONLY_FIELD_ENCRYPTION_KEY, env


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # no default: say which hosts serve Homeward
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool("ALLOW_SQLITE", default=False):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production (set ALLOW_SQLITE=1 to override).")

# --- Transport security ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# `__Host-` cookies are only accepted over HTTPS, for this exact host and path "/": no subdomain can set or read them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None

# --- Field encryption -----------------------------------------------------------------------------
# Real keys from the environment (or a secret manager that sets it); never the public dev-only defaults.
FIELD_ENCRYPTION_KEYS = [key.strip() for key in _required("FIELD_ENCRYPTION_KEYS").split(",") if key.strip()]
BLIND_INDEX_KEY = _required("BLIND_INDEX_KEY").strip()
if {DEV_ONLY_FIELD_ENCRYPTION_KEY, DEV_ONLY_BLIND_INDEX_KEY} & {*FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY}:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must not use the public dev-only keys.")
check_key_settings(encryption_keys=FIELD_ENCRYPTION_KEYS, blind_index_key=BLIND_INDEX_KEY)
