"""Production: PostgreSQL + Redis, secrets required from the environment, hardened transport."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


DEBUG = False
HOMEWARD_PRODUCTION = True  # core/checks.py: the deployment checks run at start-up and refuse to start on an error
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # no default: say which hosts serve Homeward
ALLOW_SQLITE = env.bool("ALLOW_SQLITE", default=False)  # checked by core/checks.py (homeward.E003)

# --- Transport security ---------------------------------------------------------------------------
# X-Forwarded-Proto is trusted only from the reverse proxies TRUSTED_PROXY_COUNT says are there (homeward.E004).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None  # noqa: F405
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's probe over plain HTTP inside the network
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
FIELD_ENCRYPTION_KEYS = [key.strip() for key in env.str("FIELD_ENCRYPTION_KEYS", default="").split(",") if key.strip()]
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="").strip()
# Missing, malformed, shared or dev-only keys are refused by core/checks.py (homeward.E001, E002, E005).
