"""Attack suite: no victim name, passport, phone or handle reaches a log line, an error email or the error page."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from cases.models import Victim
from core.logging import REDACTED, RedactPersonalDataFilter, redact, remembered
from tests.factories import make_victim

pytestmark = pytest.mark.django_db

NAME = "Quorra Vantablick"  # synthetic
COMPOUND_NAME = "Little Dragon Seven"
PASSPORT = "C7395102"
PHONE = "+84 90 555 0142"
HANDLE = "@quorra_vtb"
SECRETS = (NAME, COMPOUND_NAME, PASSPORT, PHONE, HANDLE)


def synthetic_victim(organization) -> Victim:
    return make_victim(
        organization=organization,
        full_name=NAME,
        names_in_compound=COMPOUND_NAME,
        passport_number=PASSPORT,
        phone_numbers=PHONE,
        messaging_handles=HANDLE,
    )


@contextmanager
def captured_logs():
    """Everything the configured handlers write, whatever logger it comes from."""
    stream = io.StringIO()
    swapped = []
    for handler in all_handlers():
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            swapped.append((handler, handler.setStream(stream)))
    try:
        yield stream
    finally:
        for handler, old in swapped:
            handler.setStream(old)


def all_handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return list({id(h): h for logger in loggers for h in logger.handlers}.values())


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_every_configured_log_handler_redacts_personal_data():
    handlers = [
        h
        for h in all_handlers()
        if type(h).__module__.split(".")[0] in ("logging", "django") and not isinstance(h, logging.NullHandler)
    ]
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactPersonalDataFilter) for f in handler.filters), handler


def test_a_log_line_naming_a_victim_keeps_only_the_case_number(org_a):
    victim = synthetic_victim(org_a.organization)
    with captured_logs() as output:
        log = logging.getLogger("cases.services")
        log.warning("Reminder for %s (%s) passport %s", victim.case_number, victim.full_name, victim.passport_number)
        log.error("Could not reach %s on %s or %s", victim.names_in_compound, victim.phone_numbers, HANDLE)
        log.warning("Victim record: %r", {"full_name": NAME, "phone": PHONE})
    text = output.getvalue()
    assert victim.case_number in text
    assert text.count(REDACTED) >= 6
    assert_no_secrets(text)


def test_values_loaded_from_the_database_are_redacted_too(org_a):
    victim_id = synthetic_victim(org_a.organization).pk
    remembered.clear()  # as in a fresh worker process: only what it loads itself
    loaded = Victim.objects.get(pk=victim_id)
    with captured_logs() as output:
        logging.getLogger("tracker.tasks").warning("Escalating %s for %s", loaded.case_number, loaded.full_name)
    assert NAME not in output.getvalue() and loaded.case_number in output.getvalue()


def test_a_traceback_mentioning_a_victim_is_redacted(org_a):
    victim = synthetic_victim(org_a.organization)
    with captured_logs() as output:
        try:
            raise ValueError(f"duplicate passport {victim.passport_number} for {victim.full_name}")
        except ValueError:
            logging.getLogger("cases").exception("Intake failed for %s", victim.case_number)
    text = output.getvalue()
    assert "ValueError: duplicate passport" in text
    assert_no_secrets(text)


def test_secret_shaped_values_are_redacted_even_when_never_loaded():
    remembered.clear()
    text = redact("password=hunter2-hunter2 phone +66 81 234 5678 mail someone@example.org tg @anyone_1 id AB1234567")
    for value in ("hunter2-hunter2", "+66 81 234 5678", "someone@example.org", "@anyone_1", "AB1234567"):
        assert value not in text
    assert redact("HWA-2026-00042 at 2026-03-11 10:00:05 from 127.0.0.1") == (
        "HWA-2026-00042 at 2026-03-11 10:00:05 from 127.0.0.1"
    )


# --- Errors: the 500 page and the email to ADMINS ---------------------------------------------------------


def failing_view(request):
    victim = Victim.objects.get(pk=request.POST["victim"])
    raise RuntimeError(f"cannot save {victim.full_name} ({victim.passport_number})")


def ok_view(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", failing_view), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
@override_settings(ADMINS=[("Ops", "ops@example.org")])
def test_a_server_error_shows_and_emails_no_personal_data(org_a):
    victim = synthetic_victim(org_a.organization)
    client = Client(raise_request_exception=False)
    with captured_logs() as output:
        response = client.post(
            "/boom/?q=" + NAME.replace(" ", "+"),
            {"victim": victim.pk, "passport_number": PASSPORT, "phone_numbers": PHONE, "full_name": NAME},
        )
    assert response.status_code == 500
    assert_no_secrets(response.content.decode())
    assert_no_secrets(output.getvalue())
    assert "RuntimeError" in output.getvalue()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "RuntimeError" in email.body
    assert not email.alternatives  # no HTML report with its richer detail
    assert_no_secrets(email.subject)
    assert_no_secrets(email.body)
    assert "passport_number" in email.body  # the field names stay, so the report is still useful
