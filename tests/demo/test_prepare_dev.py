"""`manage.py prepare_dev`: bin/dev's migrate, seed_demo and install_schedules in one process, on a fresh database."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_prepare_dev_migrates_seeds_and_installs_the_schedules_of_a_fresh_database(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "prepare_dev", "--victims", "4"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if line.startswith("bin/dev: ") and line.endswith("…")]
    assert steps == [
        "bin/dev: migrating the database…",
        "bin/dev: seeding the demo data…",
        "bin/dev: installing the beat schedules…",
    ]
    assert "caseworker1@mekong.example.org" in result.stdout  # seed_demo's logins are printed
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM cases_victim").fetchone() == (4,)
        assert db.execute("SELECT count(*) FROM django_celery_beat_periodictask").fetchone()[0] > 0
    unapplied = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"], cwd=PROJECT_DIR, env=env, capture_output=True, timeout=600
    )
    assert unapplied.returncode == 0, unapplied.stdout  # --check fails while any migration is unapplied
