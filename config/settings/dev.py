"""Local development: the embedded defaults (SQLite, file-system broker, console email)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
API_WEBHOOK_ALLOW_HTTP = DEBUG  # http:// webhook URLs for a local receiver (api/webhook_urls.py)
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405  (seed_demo; never in production)
