"""`bin/serve` as production runs it: web (gunicorn), worker and beat with production settings, against PostgreSQL
and Redis. A caseworker signs in and loads My work, and /healthz turns healthy once beat has sent its schedules.

The server uses this test's own database (committed rows: a transactional test) and its own redis-server, behind an
imagined TLS proxy (X-Forwarded-Proto: https, TRUSTED_PROXY_COUNT=1), as bench/load does.
"""

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.models import Membership
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.tracker.conftest import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production refuses SQLite (CI pass 2 runs this)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def served(tmp_path):
    """`bin/serve` started in its own process group; stopped as a whole (web, worker, beat) when the test ends."""
    redis = RedisServer(tmp_path)
    redis.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "REDIS_", "DATABASE_"))}
    env.update(
        SECRET_KEY=Fernet.generate_key().decode() * 2,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=_database_url(),
        REDIS_URL=redis.url,
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXY_COUNT="1",
        PORT=str(port),
        HOMEWARD_VAR_DIR=str(tmp_path / "var"),
        GUNICORN_WORKERS="1",
        CELERY_CONCURRENCY="1",
        TRACKER_SWEEP_EVERY_SECONDS="2",  # beat sends the sweep at once ...
        CELERY_BEAT_SYNC_EVERY="1",  # ... and writes its tick back after every task it sends
        VIRTUAL_ENV=str(ROOT / ".venv"),
    )
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 (held until the server stops)
    server = subprocess.Popen(
        [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # migrate (nothing to do), collectstatic, install_schedules
        while True:
            assert server.poll() is None, f"bin/serve stopped:\n{(tmp_path / 'serve.log').read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no answer in 240 s:\n{(tmp_path / 'serve.log').read_text()[-3000:]}"
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code in (200, 503):
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        yield base, tmp_path / "serve.log"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()
        redis.stop()


def _browser(base: str) -> requests.Session:
    """A session as a browser behind the TLS proxy, the way the load bench's caseworkers click (bench/load/pages.py)."""
    spec = importlib.util.spec_from_file_location("bench_load_pages", ROOT / "bench" / "load" / "pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    session = requests.Session()
    pages.prepare(session, base)
    session.headers["X-Forwarded-For"] = "203.0.113.9"
    return session


def test_bin_serve_signs_a_caseworker_in_shows_my_work_and_reports_healthy(served):
    organization = OrganizationFactory(name="Serve NGO", slug="serve", case_number_prefix="SRV")
    caseworker = UserFactory(email="caseworker@serve.example.org", display_name="Casey Serve")
    MembershipFactory(user=caseworker, organization=organization, role=Membership.Role.CASEWORKER)
    # Hashed as an older deployment did (the test settings hash with MD5, which production does not accept).
    caseworker.password = PBKDF2PasswordHasher().encode(PASSWORD, "servesalt1234567")
    caseworker.save(update_fields=["password"])
    base, log = served
    browser = _browser(base)

    sign_in = browser.get(f"{base}/accounts/sign-in/", timeout=10)
    assert sign_in.status_code == 200
    assert sign_in.cookies.get("__Host-csrftoken") or "__Host-csrftoken" in browser.cookies
    done = browser.post(
        f"{base}/accounts/sign-in/",
        data={
            "csrfmiddlewaretoken": CSRF_FIELD.search(sign_in.text)[1],
            "username": caseworker.email,
            "password": PASSWORD,
        },
        headers={"Referer": "https://" + base.removeprefix("http://") + "/accounts/sign-in/"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text[:500]
    my_work = browser.get(f"{base}/", allow_redirects=False, timeout=10)
    assert my_work.status_code == 200
    assert "My work" in my_work.text and "Serve NGO" in my_work.text
    assert "Strict-Transport-Security" in my_work.headers  # production's transport settings are on
    caseworker.refresh_from_db()
    assert caseworker.password.startswith("argon2$argon2id$")  # the PBKDF2 hash was upgraded at sign-in

    deadline = time.monotonic() + 60
    while (health := requests.get(f"{base}/healthz", timeout=10)).status_code != 200:
        assert time.monotonic() < deadline, f"{health.json()}\n{log.read_text()[-3000:]}"
        time.sleep(1)
    body = health.json()
    assert [body[part]["status"] for part in ("database", "broker", "beat")] == ["ok", "ok", "ok"]
