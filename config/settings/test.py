"""Test settings: fast hashing, locmem email unless a test points Django at a real SMTP server."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405  (seed_demo; never in production)
API_WEBHOOK_ALLOW_HTTP = True  # the webhook tests' receivers speak plain http on 127.0.0.1
SECRET_KEY = env.str("SECRET_KEY", default="test-only-secret-key-not-for-production-0123456789")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "manifests": MANIFEST_STORAGE,  # noqa: F405
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},  # tests that need files on disk override
}

# On SQLite, tests use a file (not memory) so threads, a Celery worker process and a live server share it.
# One file per test process (pid), so parallel runs in one checkout, and xdist's workers, never share a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_db = env.str("TEST_SQLITE_PATH", default=str(VAR_DIR / f"test-homeward-{os.getpid()}.sqlite3"))  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405

# WhiteNoise warns when STATIC_ROOT is missing; tests never collect static files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Navigation counts are counted on every page: a test's writes commit only in its own rolled-back transaction, so
# the cache's invalidation (on commit) would not see them. tests/tracker/test_navigation_cache.py turns it on.
NAVIGATION_COUNTS_CACHE_SECONDS = 0
