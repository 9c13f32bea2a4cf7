"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

Skipped, with the reason, when /usr/bin/chromium is missing (CI installs it in .ci/run). Screenshots of the
main pages are written to test-artifacts/screenshots/ (or $HOMEWARD_TEST_ARTIFACTS/screenshots/); the run
prints the folder at the end (tests/conftest.py, which also runs in the process that reports for xdist's workers).
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable from the test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("HOMEWARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(os.environ.get("HOMEWARD_TEST_ARTIFACTS", settings.BASE_DIR / "test-artifacts")) / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: install Debian's `chromium` (apt-get install chromium) "
        "or set HOMEWARD_CHROMIUM to run the browser tests"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    # Nothing may be fetched from anywhere but the live server (no CDN, no fonts, no tiles).
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _new_page(browser, live_server, PHONE)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")`: save a PNG of the whole page (or, with full_page=False, of the screen)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


_seeded: dict = {}  # this process's demo rows (serialized) and logins, seeded by its first browser test module


def _flush(*, restore_permissions: bool) -> None:
    from django.core.management import call_command

    # Sequences are not reset: the saved rows come back with their own ids before each test, and a reset sequence
    # would hand those ids out again (PostgreSQL: duplicate keys on the next insert).
    call_command(
        "flush", interactive=False, verbosity=0, inhibit_post_migrate=not restore_permissions, reset_sequences=False
    )


@pytest.fixture(scope="module")
def demo_database(django_db_setup, django_db_blocker):
    """The demo rows, seeded once per test process and put back before each browser test.

    The browser tests are transactional with serialized_rollback: Django empties the database after each one and
    loads the rows saved here before the next (connection._test_serialized_contents), which costs a fraction of
    seeding. When the module ends, the database is left as after any transactional test.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if not _seeded:
            _seeded["logins"] = _seed_demo()
            _seeded["rows"] = connection.creation.serialize_db_to_string()
        _flush(restore_permissions=False)
        saved = connection.__dict__.get("_test_serialized_contents")
        connection._test_serialized_contents = _seeded["rows"]
        yield _seeded["logins"]
        if saved is None:
            del connection._test_serialized_contents
        else:
            connection._test_serialized_contents = saved
        _flush(restore_permissions=True)


@pytest.fixture
def demo(demo_database, transactional_db):
    """Two demo organisations with synthetic case files (demo.seeding), and their logins by (organisation, role)."""
    return demo_database


def _seed_demo() -> "DemoLogins":
    from demo.seeding import DEMO_PASSWORD, seed_demo

    result = seed_demo(victims=30)
    logins = {}
    for login in result.logins:
        logins.setdefault((login.organization, login.role), login.email)
    demo = DemoLogins(logins=logins, password=DEMO_PASSWORD)
    # Supervisors and admins must pass a second factor: give them an authenticator app (a TOTP device).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    for (organization, role), email in logins.items():
        if organization and role != "Caseworker":
            TOTPDevice.objects.create(user=User.objects.get(email=email), name="e2e authenticator", confirmed=True)
    return demo


class DemoLogins:
    def __init__(self, *, logins: dict, password: str):
        self.logins = logins
        self.password = password
        self.organizations = sorted({org for org, _role in logins if org})

    def email(self, role: str, organization: str | None = None) -> str:
        organization = organization or self.organizations[0]
        return self.logins[(organization, role)]


def authenticator_code(email: str) -> str:
    """The code the user's authenticator app shows now (RFC 6238), as a phone would compute it."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)


def sign_in(page, *, email: str, password: str) -> None:
    """Sign in through the sign-in page, and the code step when the user's role needs a second factor."""
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if reverse("accounts:two_factor_verify") in page.url:
        page.get_by_label(re.compile("^Code")).fill(authenticator_code(email))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
