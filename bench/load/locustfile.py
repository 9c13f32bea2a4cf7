"""Locust load profile: caseworkers signing in once, then clicking through a caseworker's mix (pages.MIX).

    locust -f bench/load/locustfile.py --headless -u 50 -r 10 --run-time 60s --host http://127.0.0.1:8765

Environment: LOAD_USERS accounts load-caseworker0..N-1@LOAD_ORGANIZATION.example.org (made by bench/load/seed.py)
with LOAD_PASSWORD; LOAD_WAIT_MIN / LOAD_WAIT_MAX seconds between clicks (default 0.5 and 2). bench/load/run.py
starts the server and runs the steps.
"""

import itertools
import os
import random
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import MIX, Caseworker, PageError, prepare  # noqa: E402

USERS = int(os.environ.get("LOAD_USERS", "50"))
ORGANIZATION = os.environ.get("LOAD_ORGANIZATION", "mekong")
PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-only-password-2025")
_next_account = itertools.count()


class CaseworkerUser(HttpUser):
    wait_time = between(float(os.environ.get("LOAD_WAIT_MIN", "0.5")), float(os.environ.get("LOAD_WAIT_MAX", "2")))

    def on_start(self):
        prepare(self.client, self.host)
        email = f"load-caseworker{next(_next_account) % USERS}@{ORGANIZATION}.example.org"
        self.caseworker = Caseworker(self._send, self.host, email, PASSWORD, random.Random())
        self.caseworker.sign_in()

    def _send(self, method, url, name, expect, data=None, headers=None):
        with self.client.request(
            method, url, name=name, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            ok = response.status_code == expect
            if ok:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
        if not ok:
            raise PageError(f"{name}: HTTP {response.status_code}")
        return response

    @task
    def click(self):
        clicks = [click for _, click in MIX]
        weights = [weight for weight, _ in MIX]
        try:
            random.choices(clicks, weights)[0](self.caseworker)
        except PageError:
            pass  # already counted as a failure by _send; the caseworker carries on with the next click
