"""Local development: the embedded defaults (SQLite, file-system broker, console email)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405  (seed_demo; never in production)
