"""Settings come from the environment, with safe embedded defaults, and fail fast in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def manage(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


SHOW = "from django.conf import settings as s; import django; django.setup(); "


def test_the_embedded_default_is_sqlite_under_var_set_up_for_concurrency_and_a_serverless_broker(tmp_path):
    result = run(
        SHOW + "d=s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['OPTIONS']['timeout'], "
        "d['OPTIONS']['transaction_mode'], 'WAL' in d['OPTIONS']['init_command'], s.CELERY_BROKER_URL)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        HOMEWARD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    engine, name, timeout, mode, wal, broker = result.stdout.split()
    assert engine == "django.db.backends.sqlite3" and name == str(tmp_path / "homeward.sqlite3")
    assert (timeout, mode, wal, broker) == ("30", "IMMEDIATE", "True", "filesystem://")


def test_database_and_broker_urls_come_from_the_environment():
    result = run(
        SHOW + "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/somewhere",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "somewhere", "redis://127.0.0.1:6379/3"]


def test_celery_accepts_json_only_and_has_time_limits_and_named_queues():
    result = run(
        "from config.celery_app import app; import django; django.setup(); c=app.conf; "
        "print(c.accept_content, c.task_serializer, c.task_time_limit, c.task_soft_time_limit, "
        "sorted(q.name for q in c.task_queues), c.beat_scheduler)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "['json'] json 300 240 ['default', 'email', 'sweeps']" in out
    assert "django_celery_beat.schedulers:DatabaseScheduler" in out


def test_production_refuses_to_start_without_a_secret_key():
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="x.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1/x",
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set in the environment for production."


def test_production_refuses_sqlite():
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.example.org"
    )
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_readable_line_not_a_traceback():
    result = manage(
        "migrate", DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere"
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Database unreachable:")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("url", ["wrong://somewhere", "sqlite:////nonexistent-dir/x/y.sqlite3"])
def test_a_wrong_database_url_is_one_readable_line(url):
    result = manage("migrate", DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
