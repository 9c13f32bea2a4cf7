"""Shared fixtures: two organisations, a user per role in each, and helpers to reach them."""

import logging
import re
import time
from dataclasses import dataclass

import pytest
from django.db.models.signals import post_save

from accounts.models import Membership, Organization, User
from core.logging import RedactPersonalDataFilter

from .factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"


@dataclass
class OrgUsers:
    organization: Organization
    caseworker: User
    caseworker2: User
    supervisor: User
    org_admin: User

    def by_role(self, role: str) -> User:
        return {"caseworker": self.caseworker, "supervisor": self.supervisor, "org_admin": self.org_admin}[role]


def org_with_users(slug: str, prefix: str) -> OrgUsers:
    org = OrganizationFactory(name=f"{slug.title()} NGO", slug=slug, case_number_prefix=prefix)

    def member(role: str, name: str) -> User:
        user = UserFactory(email=f"{name}@{slug}.example.org", display_name=f"{name.title()} {slug.title()}")
        MembershipFactory(user=user, organization=org, role=role)
        return user

    return OrgUsers(
        organization=org,
        caseworker=member(Membership.Role.CASEWORKER, "caseworker"),
        caseworker2=member(Membership.Role.CASEWORKER, "caseworker2"),
        supervisor=member(Membership.Role.SUPERVISOR, "supervisor"),
        org_admin=member(Membership.Role.ORG_ADMIN, "orgadmin"),
    )


@pytest.fixture
def org_a(db) -> OrgUsers:
    return org_with_users("alpha", "HWA")


@pytest.fixture
def org_b(db) -> OrgUsers:
    return org_with_users("bravo", "HWB")


@pytest.fixture
def platform_admin(db) -> User:
    return User.objects.create_superuser(email="platform@example.org", password=PASSWORD, display_name="Platform Admin")


# --- No personal data in any log output of the whole test run ------------------------------------------------------
# Every personal value saved during the run (names, passports, phones, handles, places, reporters' contacts) is
# remembered; every log record that reaches the root logger in this process is captured as the configured handlers
# would print it (through the same redaction filter). At the end of the session no remembered value may appear in
# the captured output. Celery worker subprocesses log elsewhere and are not covered here.

PERSONAL_FIELDS = {
    "Victim": (
        "full_name",
        "names_in_compound",
        "passport_number",
        "phone_numbers",
        "messaging_handles",
        "last_known_location",
    ),
    "Reporter": ("name", "contact_channels"),
}
_NOT_PERSONAL = {"Redacted", "[redacted]"}
# A lower-case identifier such as "compounds" is not a synthetic person's value: hypothesis draws such words from the
# project's own source into fuzzed fields, and the application's log lines use them too (URL names, page names).
_IDENTIFIER_WORD = re.compile(r"[a-z_:.]+")


class _CapturedLogOutput(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.addFilter(RedactPersonalDataFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_text:
            text += "\n" + record.exc_text
        self.lines.append(text)


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_any_log_output():
    saved_values: set[str] = set()

    def remember(sender, instance, **kwargs):
        for name in PERSONAL_FIELDS.get(sender.__name__, ()):
            for value in str(getattr(instance, name, "") or "").splitlines():
                value = value.strip()
                if len(value) >= 8 and value not in _NOT_PERSONAL and not _IDENTIFIER_WORD.fullmatch(value):
                    saved_values.add(value)

    post_save.connect(remember, dispatch_uid="tests-remember-personal-values")
    handler = _CapturedLogOutput()
    logging.getLogger().handlers.insert(0, handler)  # first, so it sees each record before any handler rewrites it
    yield
    logging.getLogger().removeHandler(handler)
    post_save.disconnect(dispatch_uid="tests-remember-personal-values")
    output = "\n".join(handler.lines)
    leaked = sorted(value for value in saved_values if value in output)
    assert not leaked, f"{len(leaked)} personal value(s) reached the log output of the test run"


# --- Where the browser tests' screenshots went -----------------------------------------------------------------------
# Printed by the process that reports (with xdist, not the workers that took the screenshots): the PNGs of this run.
_RUN_STARTED = time.time()


def pytest_terminal_summary(terminalreporter, config):
    from tests.e2e.conftest import ARTIFACTS

    saved = [path for path in ARTIFACTS.glob("*.png") if path.stat().st_mtime >= _RUN_STARTED]
    if saved:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(saved)} screenshots saved in {ARTIFACTS}")


# --- The migrated test database, copied from a template (tests/database_template.py) --------------------------------


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's fixture of the same name, but each test process copies the migrated database it needs."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import database_template

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if django_db_use_migrations and not (django_db_keepdb and not django_db_createdb):
            db_cfg = database_template.setup_databases(
                verbosity=verbosity,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                rebuild_before=_RUN_STARTED if django_db_createdb else None,
            )
        else:  # --nomigrations or --reuse-db: as pytest-django does it
            from pytest_django.fixtures import _disable_migrations

            if not django_db_use_migrations:
                _disable_migrations()
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                database_template.end_other_sessions()
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:  # noqa: BLE001 - as pytest-django: a warning, the next run drops it first
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))
