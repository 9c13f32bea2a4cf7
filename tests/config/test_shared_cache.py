"""With Redis, the API's per-key rate limit is counted in Redis, so every web process (gunicorn worker) shares it."""

import subprocess
import sys

from django.core.cache import caches
from rest_framework.test import APIClient

from tests.api.conftest import issue_key
from tests.config.test_settings import SHOW, run
from tests.tracker.conftest import RedisServer


def test_with_redis_the_default_cache_is_redis_and_without_it_the_process_memory():
    shown = SHOW + "print(s.CACHES['default']['BACKEND'])"
    with_redis = run(shown, DJANGO_SETTINGS_MODULE="config.settings.dev", REDIS_URL="redis://127.0.0.1:6399/3")
    assert with_redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache", with_redis.stderr
    without = run(shown, DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert without.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", without.stderr


READ_COUNT = """
import sys
from django.conf import settings
settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": sys.argv[1], "KEY_PREFIX": "homeward"}})
from django.core.cache import cache
print(len(cache.get(sys.argv[2]) or []))
"""


def test_a_keys_requests_counted_by_one_process_are_seen_by_another(tmp_path, org_a, settings):
    server = RedisServer(tmp_path)
    server.start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "homeward",
            }
        }
        secret = issue_key(org_a.organization, rate_per_minute=3)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert [client.get("/api/cases/").status_code for _ in range(2)] == [200, 200]
        [key] = _throttle_keys(server.url)  # one count, for this key
        # A second web process (a fresh interpreter) reads the same two requests from Redis ...
        other = subprocess.run(
            [sys.executable, "-c", READ_COUNT, server.url, key], capture_output=True, text=True, timeout=60
        )
        assert other.stdout.strip() == "2", other.stderr
        # ... and the third request, wherever it lands, is the last one the minute allows.
        assert client.get("/api/cases/").status_code == 200
        assert client.get("/api/cases/").status_code == 429
    finally:
        caches["default"].close()
        server.stop()


def _throttle_keys(url: str) -> list[str]:
    import redis

    names = [name.decode() for name in redis.Redis.from_url(url).keys("homeward:*throttle*")]
    return [name.split(":", 2)[2] for name in names]
