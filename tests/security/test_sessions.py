"""Attack suite: session fixation, idle and absolute expiry, and ending sessions (deactivation, removal, admin)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client: Client, email: str) -> Client:
    response = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def still_signed_in(client: Client) -> bool:
    """Whether the next request is still served as the signed-in user (My work), not sent to sign in."""
    response = client.get(reverse("tracker:my_work"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    return False


def session_exists(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


# --- Fixation ---------------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key_and_the_old_one_stops_existing(org_a):
    client = Client()
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted["planted_by"] = "attacker"
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key  # a key the attacker knows
    sign_in(client, org_a.caseworker.email)
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not session_exists(planted.session_key)
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not still_signed_in(attacker)
    assert still_signed_in(client)


# --- Idle and absolute limits ---------------------------------------------------------------------------


def test_a_session_idle_for_more_than_thirty_minutes_is_signed_out(org_a, clock):
    client = sign_in(Client(), org_a.caseworker.email)
    key = client.session.session_key
    clock.shift(timedelta(minutes=29))
    assert still_signed_in(client)
    clock.shift(timedelta(minutes=31))
    assert not still_signed_in(client)
    assert not session_exists(key)
    assert SESSION_KEY not in client.session


def test_activity_keeps_a_session_alive_until_twelve_hours_after_sign_in(org_a, clock):
    client = sign_in(Client(), org_a.caseworker.email)
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert still_signed_in(client)
    clock.shift(timedelta(minutes=25))  # 12 h 05 min after sign-in, 25 minutes after the last request
    assert not still_signed_in(client)


@override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=5), SESSION_ABSOLUTE_LIFETIME=timedelta(hours=1))
def test_the_limits_follow_the_settings(org_a, clock):
    client = sign_in(Client(), org_a.caseworker.email)
    clock.shift(timedelta(minutes=6))
    assert not still_signed_in(client)
    client = sign_in(Client(), org_a.caseworker.email)
    for _ in range(15):
        clock.shift(timedelta(minutes=4))
        assert still_signed_in(client)
    clock.shift(timedelta(minutes=4))  # 64 minutes after sign-in
    assert not still_signed_in(client)


def test_the_limits_come_from_the_environment():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_IDLE_TIMEOUT.total_seconds(), s.SESSION_ABSOLUTE_LIFETIME.total_seconds(), "
        "s.SESSION_COOKIE_AGE, s.AXES_COOLOFF_TIME.total_seconds()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SESSION_IDLE_MINUTES": "10",
        "SESSION_ABSOLUTE_HOURS": "8",
        "LOGIN_COOLOFF_MINUTES": "30",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [600, 8 * 3600, 8 * 3600, 1800]


# --- Ending sessions ------------------------------------------------------------------------------------


def test_deactivating_a_user_ends_all_their_sessions_even_after_reactivation(org_a, clock):
    user = org_a.caseworker
    laptop, phone = sign_in(Client(), user.email), sign_in(Client(), user.email)
    clock.shift(timedelta(minutes=1))
    user.is_active = False
    user.save()
    assert not still_signed_in(laptop)
    user.is_active = True
    user.save()
    assert not still_signed_in(phone)  # an old session does not come back with the account
    clock.shift(timedelta(seconds=1))
    assert still_signed_in(sign_in(Client(), user.email))


def test_removing_a_user_from_an_organisation_ends_their_sessions(org_a, clock):
    user = org_a.caseworker
    client = sign_in(Client(), user.email)
    clock.shift(timedelta(minutes=1))
    user.memberships.get().delete()
    assert not still_signed_in(client)


def test_deactivating_a_membership_ends_the_users_sessions_but_not_colleagues(org_a, clock):
    client = sign_in(Client(), org_a.caseworker.email)
    colleague = sign_in(Client(), org_a.caseworker2.email)
    clock.shift(timedelta(minutes=1))
    membership = org_a.caseworker.memberships.get()
    membership.is_active = False
    membership.save()
    assert not still_signed_in(client)
    assert still_signed_in(colleague)


def test_an_org_admin_ends_a_colleagues_sessions_from_the_admin(org_a, org_b, clock):
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    admin_client = sign_in_verified(Client(), org_a.org_admin)
    target = sign_in(Client(), org_a.caseworker.email)
    other_org = sign_in(Client(), org_b.caseworker.email)
    clock.shift(timedelta(minutes=1))
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [org_a.caseworker.pk, org_b.caseworker.pk]},
        follow=True,
    )
    assert "Ended the sessions of 1 user." in response.content.decode()  # the other organisation's is not theirs
    assert not still_signed_in(target)
    assert still_signed_in(other_org)
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_a_caseworker_cannot_end_anyones_sessions(org_a, clock):
    caseworker = sign_in(Client(), org_a.caseworker.email)
    colleague = sign_in(Client(), org_a.caseworker2.email)
    response = caseworker.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [org_a.caseworker2.pk]},
    )
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert still_signed_in(colleague)


# --- Cookies ----------------------------------------------------------------------------------------


def test_the_session_cookie_is_http_only_and_same_site(org_a):
    client = sign_in(Client(), org_a.caseworker.email)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes


def test_production_cookies_are_secure_and_host_prefixed():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_PATH, s.CSRF_COOKIE_DOMAIN]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, check=True
    )
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values == ["__Host-sessionid", True, True, "Lax", "/", None, "__Host-csrftoken", True, "/", None]


def production_env() -> dict[str, str]:
    key = "ci-only-" + "x" * 50
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the e2e tests
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": key,
        "FIELD_ENCRYPTION_KEYS": "Q2ktb25seS10ZXN0LWtleS1ub3Qtc2VjcmV0LTAwMDE=",
        "BLIND_INDEX_KEY": "Q2ktb25seS1ibGluZC1pbmRleC1ub3Qtc2VjcmV0LTE=",
        "ALLOWED_HOSTS": "homeward.example.org",
        "DATABASE_URL": "sqlite:////tmp/homeward-authsec-unused.sqlite3",
        "ALLOW_SQLITE": "1",
    }
