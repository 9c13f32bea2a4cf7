"""Attack suite: a noisy attacker. Password-reset floods, oversized text, a caseworker assigning at intake, forged
X-Forwarded-Proto, expired sessions left in the database, and names that display as something else."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetAttempt
from cases import services
from cases.models import CaseNote, Victim
from core.checks import deployment
from core.text import LONG_TEXT_MAX_CHARS
from tests.factories import INTAKE_POST, make_victim, sign_in_verified
from tracker.models import OutboxMessage
from tracker.schedules import schedules
from tracker.tasks import clear_expired_sessions_task

from .test_sessions import production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
RESET = reverse("accounts:password_reset")


def _ask(email: str, ip: str = "203.0.113.5"):
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=ip)


def _links_queued() -> int:
    return OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PASSWORD_RESET).count()


# --- Password reset ------------------------------------------------------------------------------------------------


def test_a_fourth_reset_for_one_address_within_the_cool_off_is_paused_and_sends_nothing(org_a):
    with time_machine.travel(START, tick=False) as clock:
        for ip in ("203.0.113.5", "198.51.100.7", "192.0.2.9"):  # from anywhere: the address is what is flooded
            assert _ask(org_a.caseworker.email, ip).status_code == 302
        paused = _ask(org_a.caseworker.email.upper(), "192.0.2.77")
        assert paused.status_code == 429
        assert "Try again in 15 minutes" in paused.content.decode()
        assert _links_queued() == 3
        clock.shift(timedelta(minutes=16))
        assert _ask(org_a.caseworker.email).status_code == 302
        assert _links_queued() == 4


def test_an_unknown_address_is_counted_and_paused_alike_so_the_answer_reveals_nothing(db):
    with time_machine.travel(START, tick=False):
        answers = [_ask("nobody@example.org").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert _links_queued() == 0


def test_one_ip_asking_for_many_addresses_is_paused_after_ten(org_a):
    with time_machine.travel(START, tick=False):
        answers = [_ask(f"someone{n}@example.org").status_code for n in range(10)]
        assert answers == [302] * 10
        assert _ask(org_a.caseworker.email).status_code == 429
        assert _ask(org_a.caseworker.email, ip="198.51.100.7").status_code == 302  # another address is not paused
    assert _links_queued() == 1


def test_the_throttle_keeps_no_email_address_and_old_counts_are_pruned_by_the_session_task(org_a):
    with time_machine.travel(START, tick=False) as clock:
        _ask(org_a.caseworker.email)
        stored = list(PasswordResetAttempt.objects.values_list("email_digest", flat=True))
        assert stored and all(org_a.caseworker.email not in value and "@" not in value for value in stored)
        clock.shift(timedelta(minutes=16))
        assert clear_expired_sessions_task() == {"password_reset_attempts_pruned": 1}
    assert not PasswordResetAttempt.objects.exists()


# --- Sessions ------------------------------------------------------------------------------------------------------


def test_expired_sessions_and_what_they_hold_are_deleted_by_a_scheduled_task(db):
    expired = SessionStore()
    expired["victim_search_terms"] = ["Synthetic Search"]
    expired.set_expiry(timezone.now() - timedelta(minutes=1))
    expired.create()
    live = SessionStore()
    live["victim_search_terms"] = ["Synthetic Other"]
    live.create()
    clear_expired_sessions_task()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    [schedule] = [s for s in schedules() if s.task == "tracker.tasks.clear_expired_sessions_task"]
    assert schedule.every_seconds <= 60 * 60


# --- Text sizes ----------------------------------------------------------------------------------------------------


def test_a_note_over_the_limit_is_refused_with_its_length_and_a_note_at_the_limit_is_saved(org_a, client_for):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    client = client_for(org_a.caseworker, org_a.organization)
    url = reverse("cases:victim_add_note", args=[victim.pk])
    refused = client.post(url, {"kind": "internal", "body": "x" * (LONG_TEXT_MAX_CHARS + 1)})
    assert "This text is 20001 characters long; it can hold at most 20000." in refused.content.decode()
    assert not CaseNote.objects.filter(victim=victim).exists()
    client.post(url, {"kind": "internal", "body": "y" * LONG_TEXT_MAX_CHARS})
    assert CaseNote.objects.get(victim=victim).body == "y" * LONG_TEXT_MAX_CHARS


def test_every_free_text_column_of_the_case_file_has_a_size_limit():
    from django.apps import apps
    from django.core.validators import MaxLengthValidator
    from django.db import models

    from core.fields import BlindIndexField, SecretDateField

    unlimited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_app_config("cases").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        and not isinstance(field, BlindIndexField | SecretDateField)  # a digest the code computes; a date
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert unlimited == []


# --- Assigning at intake -------------------------------------------------------------------------------------------


def test_a_caseworker_is_not_offered_an_assignee_and_a_posted_one_is_ignored(org_a, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    page = client.get(reverse("cases:intake")).content.decode()
    assert 'name="assigned_to"' not in page
    client.post(reverse("cases:intake"), {**INTAKE_POST, "assigned_to": org_a.supervisor.pk})
    victim = Victim.objects.get(organization=org_a.organization)
    assert victim.assigned_to == org_a.caseworker


def test_a_supervisor_assigns_at_intake(org_a, client_for):
    client = client_for(org_a.supervisor, org_a.organization)
    assert 'name="assigned_to"' in client.get(reverse("cases:intake")).content.decode()
    client.post(reverse("cases:intake"), {**INTAKE_POST, "assigned_to": org_a.caseworker2.pk})
    assert Victim.objects.get(organization=org_a.organization).assigned_to == org_a.caseworker2


def test_the_intake_service_refuses_a_caseworker_giving_a_new_case_to_someone_else(org_a):
    with pytest.raises(ValidationError) as refused:
        services.victim_create(
            organization=org_a.organization,
            created_by=org_a.caseworker,
            full_name="Synthetic Person",
            assigned_to=org_a.supervisor,
        )
    assert "Only a supervisor can give a new case to someone else" in str(refused.value)
    assert not Victim.objects.exists()


# --- Forwarded headers ---------------------------------------------------------------------------------------------


def _is_secure_in_production(**env) -> bool:
    code = (
        "import django; django.setup(); from django.test import RequestFactory; "
        "print(RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https').is_secure())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**production_env(), **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1].lower())


def test_production_ignores_a_forwarded_proto_header_unless_a_proxy_is_configured():
    assert _is_secure_in_production(TRUSTED_PROXY_COUNT="0") is False
    assert _is_secure_in_production(TRUSTED_PROXY_COUNT="1") is True


@override_settings(
    HOMEWARD_PRODUCTION=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXY_COUNT=0
)
def test_trusting_the_header_without_a_proxy_is_a_deployment_error():
    assert "homeward.E004" in {message.id for message in deployment()}


# --- Names that display as something else --------------------------------------------------------------------------

SPOOF = "Synthetic \u202eeman\u202c Person\u2066"


def test_bidi_controls_in_a_name_never_reach_the_case_page_list_or_admin(org_a, client_for):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name=SPOOF)
    client = client_for(org_a.supervisor, org_a.organization)
    for url in (reverse("cases:victim_detail", args=[victim.pk]), reverse("cases:victim_list")):
        page = client.get(url).content.decode()
        assert "<bdi>Synthetic eman Person</bdi>" in page, url
        assert not any(ch in page for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), url
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    admin_page = sign_in_verified(Client(), org_a.org_admin).get(reverse("admin:cases_victim_changelist"))
    assert admin_page.status_code == 200
    assert "Synthetic eman Person" in admin_page.content.decode()
    assert "\u202e" not in admin_page.content.decode()


def test_a_staff_display_name_is_saved_without_bidi_controls(org_a):
    user = org_a.caseworker
    user.display_name = "Case\u202eworker"
    user.full_clean()
    user.save()
    user.refresh_from_db()
    assert user.display_name == "Caseworker" and str(user) == "Caseworker"


def test_the_data_migration_cleans_display_names_saved_before(org_a):
    from importlib import import_module

    from django.apps import apps

    from accounts.models import User

    User.objects.filter(pk=org_a.caseworker.pk).update(display_name="Case\u2067worker\u2069")
    import_module("accounts.migrations.0006_strip_bidi_controls_from_display_names").strip_display_names(apps, None)
    assert User.objects.get(pk=org_a.caseworker.pk).display_name == "Caseworker"
    assert User.objects.get(pk=org_a.supervisor.pk).display_name == "Supervisor Alpha"


def test_bidirectional_controls_never_stay_in_a_stored_name(org_a):
    from cases import services
    from cases.models import Victim

    victim = services.victim_create(
        organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic \u202eAnna\u202c Lee",
        reporter={"name": "Synthetic \u2066Sister\u2069", "relationship": "sibling", "contact_channels": ""},
    )  # fmt: skip
    stored = Victim.objects.get(pk=victim.pk)
    assert stored.full_name == "Synthetic Anna Lee"
    assert stored.reporters.get().name == "Synthetic Sister"


def test_the_migration_strips_bidirectional_controls_from_names_already_stored(org_a):
    import importlib

    from django.apps import apps as django_apps
    from django.db import connection

    from cases import services
    from cases.models import Victim

    victim = services.victim_create(organization=org_a.organization, created_by=org_a.caseworker, full_name="Plain")
    Victim.objects.filter(pk=victim.pk).update(full_name="Synthetic \u202eBob\u202c Chan")  # as an old row holds it
    migration = importlib.import_module("cases.migrations.0012_strip_bidi_controls_from_names")
    migration.strip_names(django_apps, type("Editor", (), {"connection": connection})())
    assert Victim.objects.get(pk=victim.pk).full_name == "Synthetic Bob Chan"
