"""Retention: identity of cases closed longer than the organisation's setting is redacted, statistics are kept."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import DataAccessLog
from cases import retention, services, statistics
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim
from cases.tasks import redact_closed_cases_task
from tests.factories import AgencyFactory, make_note, make_referral, make_request, make_victim

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
IDENTITY = {
    "full_name": "Synthetic Closed Person",
    "names_in_compound": "Alias In Compound",
    "passport_number": "SYN1234567",
    "phone_numbers": "+66 800 000 123",
    "messaging_handles": "LINE: synthetic_line",
    "last_known_location": "Synthetic dormitory B",
    "date_of_birth": date(2000, 6, 15),
    "sex": "Feminine",
    "citizenship": "LA",
    "exploitation_types": ["ForcedCriminalityScamWork"],
    "means_of_control": ["PhysicalThreats", "DebtBondage"],
    "recruitment_method": "AtWork",
    "recruited_on": date(2025, 3, 17),
    "arrived_on": date(2025, 4, 2),
}


def closed_case(org, *, closed_days_ago: int, to_status: str = "closed", **fields):
    """A case with a reporter, a note, a request and a referral, closed `closed_days_ago` days before NOW."""
    victim = make_victim(
        organization=org.organization,
        created_by=org.caseworker,
        reporter={"name": "Synthetic Mother", "relationship": "parent", "contact_channels": "WhatsApp: +66 811 111"},
        **{**IDENTITY, **fields},
    )
    make_note(victim=victim, author=org.caseworker, body="Spoke with her at the synthetic market")
    request = make_request(victim=victim, opened_by=org.caseworker, now=NOW - timedelta(days=closed_days_ago + 10))
    services.rescue_request_close(
        request=request,
        closed_by=org.supervisor,
        status="rescued",
        outcome="Collected by Synthetic Uncle",
        now=NOW - timedelta(days=closed_days_ago + 1),
    )
    make_referral(
        victim=victim,
        agency=AgencyFactory(),
        created_by=org.caseworker,
        shares_identity=True,
        consent_basis="vital_interest",
        override_reason="Synthetic Person at risk of resale",
        shared_information="Passport SYN1234567, phone +66 800 000 123",
    )
    services.victim_change_status(
        victim=victim,
        to_status=to_status,
        changed_by=org.supervisor,
        reason="Family says she went home" if to_status == "closed" else "",
        now=NOW - timedelta(days=closed_days_ago),
    )
    victim.refresh_from_db()
    return victim


def set_retention(org, days):
    org.organization.identity_retention_days = days
    org.organization.save()


def test_only_cases_closed_longer_than_the_setting_are_redacted(org_a):
    set_retention(org_a, 30)
    old = closed_case(org_a, closed_days_ago=31)
    recent = closed_case(org_a, closed_days_ago=29)
    still_open = make_victim(organization=org_a.organization, created_by=org_a.caseworker, **IDENTITY)

    counts = retention.redact_closed_cases(now=NOW)

    assert counts == {"organizations": 1, "due": 1, "redacted": 1}
    for victim in (old, recent, still_open):
        victim.refresh_from_db()
    assert old.redacted_at == NOW and old.full_name == "Redacted"
    assert recent.redacted_at is None and recent.full_name == IDENTITY["full_name"]
    assert still_open.redacted_at is None and still_open.passport_number == IDENTITY["passport_number"]


def test_redaction_removes_identity_and_secrets_everywhere_on_the_case(org_a):
    set_retention(org_a, 30)
    victim = closed_case(org_a, closed_days_ago=60)

    retention.redact_closed_cases(now=NOW)
    victim.refresh_from_db()

    assert victim.full_name == "Redacted"
    for name in ("names_in_compound", "passport_number", "phone_numbers", "messaging_handles", "last_known_location"):
        assert getattr(victim, name) == "", name
    assert victim.passport_index == "" and victim.phone_index == ""  # a redacted passport no longer matches anyone
    assert victim.date_of_birth is None
    assert victim.closed_reason == "[redacted]"
    reporter = Reporter.objects.get(victim=victim)
    assert (reporter.name, reporter.contact_channels) == ("Redacted", "")
    assert CaseNote.objects.get(victim=victim).body == "[redacted]"
    referral = AgencyReferral.objects.get(victim=victim)
    assert referral.shared_information == "" and referral.override_reason == "[redacted]"
    assert RescueRequest.objects.get(victim=victim).outcome == "[redacted]"
    assert victim.status_changes.get(to_status="closed").reason == "[redacted]"


def test_redaction_keeps_the_statistics_fields_and_the_statistics(org_a):
    set_retention(org_a, 30)
    victims = [closed_case(org_a, closed_days_ago=60, to_status="deceased") for _ in range(11)]
    registered_on = timezone.localtime(victims[0].created_at, org_a.organization.tzinfo).date()
    expected_age = statistics.age_at(IDENTITY["date_of_birth"], registered_on)
    before, people_before = statistics.statistics(organization=org_a.organization)

    assert retention.redact_closed_cases(now=NOW)["redacted"] == 11
    after, people_after = statistics.statistics(organization=org_a.organization)

    assert (after, people_after) == (before, people_before) == (after, 11)
    assert any(row[0] == "demographics" and row[-1] == 11 for row in after)  # the group is big enough to show
    victim = Victim.objects.get(pk=victims[0].pk)
    assert victim.estimated_age == expected_age
    assert (victim.sex, victim.citizenship, victim.recruitment_method) == ("Feminine", "LA", "AtWork")
    assert list(victim.exploitation_types) == ["ForcedCriminalityScamWork"]
    assert sorted(victim.means_of_control) == ["DebtBondage", "PhysicalThreats"]
    assert (victim.recruited_on, victim.arrived_on) == (date(2025, 3, 1), date(2025, 4, 1))  # month resolution
    assert victim.status == "deceased"


def test_redaction_is_idempotent(org_a):
    set_retention(org_a, 30)
    victim = closed_case(org_a, closed_days_ago=60)

    first = retention.redact_closed_cases(now=NOW)
    version = Victim.objects.get(pk=victim.pk).version
    second = retention.redact_closed_cases(now=NOW + timedelta(days=1))

    assert (first["redacted"], second["redacted"], second["due"]) == (1, 0, 0)
    assert Victim.objects.get(pk=victim.pk).version == version
    assert Victim.objects.get(pk=victim.pk).redacted_at == NOW
    assert DataAccessLog.objects.filter(kind="redaction").count() == 1
    assert retention.victim_redact_identity(victim=victim, now=NOW) is False


def test_a_dry_run_counts_but_changes_nothing(org_a):
    set_retention(org_a, 30)
    victim = closed_case(org_a, closed_days_ago=60)

    counts = retention.redact_closed_cases(now=NOW, dry_run=True)

    assert counts == {"organizations": 1, "due": 1, "redacted": 0}
    victim_after = Victim.objects.get(pk=victim.pk)
    assert (victim_after.full_name, victim_after.passport_number) == (
        IDENTITY["full_name"],
        IDENTITY["passport_number"],
    )
    assert victim_after.redacted_at is None and victim_after.version == victim.version
    assert CaseNote.objects.get(victim=victim).body != "[redacted]"
    assert not DataAccessLog.objects.exists()


def test_each_redaction_run_is_audited_with_case_numbers_only(org_a):
    set_retention(org_a, 30)
    victims = [closed_case(org_a, closed_days_ago=40 + i) for i in range(2)]

    retention.redact_closed_cases(now=NOW)

    entry = DataAccessLog.objects.get()
    assert (entry.kind, entry.user, entry.organization, entry.object_count) == (
        "redaction",
        None,
        org_a.organization,
        2,
    )
    assert sorted(entry.detail["case_numbers"]) == sorted(v.case_number for v in victims)
    assert entry.detail["retention_days"] == 30
    assert "Synthetic" not in str(entry.detail) and "SYN1234567" not in str(entry.detail)


def test_another_organisation_keeps_its_own_setting(org_a, org_b):
    set_retention(org_a, 30)
    set_retention(org_b, 90)
    ours = closed_case(org_a, closed_days_ago=60)
    theirs = closed_case(org_b, closed_days_ago=60)

    counts = retention.redact_closed_cases(now=NOW)

    assert counts == {"organizations": 2, "due": 1, "redacted": 1}
    assert Victim.objects.get(pk=ours.pk).full_name == "Redacted"
    theirs_after = Victim.objects.get(pk=theirs.pk)
    assert theirs_after.full_name == IDENTITY["full_name"] and theirs_after.redacted_at is None
    assert CaseNote.objects.get(victim=theirs).body == "Spoke with her at the synthetic market"
    assert not DataAccessLog.objects.filter(organization=org_b.organization).exists()


def test_an_organisation_without_a_setting_keeps_identity_forever(org_a, org_b):
    set_retention(org_a, None)
    victim = closed_case(org_a, closed_days_ago=3650)

    assert retention.redact_closed_cases(now=NOW) == {"organizations": 0, "due": 0, "redacted": 0}
    assert Victim.objects.get(pk=victim.pk).full_name == IDENTITY["full_name"]


def test_the_closing_time_comes_from_the_status_history(org_a):
    set_retention(org_a, 30)
    victim = closed_case(org_a, closed_days_ago=60)
    # status_changed_at moved by some later edit; the recorded step into "closed" still says when it closed.
    Victim.objects.filter(pk=victim.pk).update(status_changed_at=NOW - timedelta(days=1))

    assert retention.redact_closed_cases(now=NOW)["redacted"] == 1


def test_redacting_an_open_case_is_refused(org_a):
    from django.core.exceptions import ValidationError

    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, **IDENTITY)

    with pytest.raises(ValidationError):
        retention.victim_redact_identity(victim=victim, now=NOW)
    assert Victim.objects.get(pk=victim.pk).full_name == IDENTITY["full_name"]


def test_the_command_supports_dry_run_and_a_given_moment(org_a, capsys):
    set_retention(org_a, 30)
    victim = closed_case(org_a, closed_days_ago=20)  # 20 days before NOW: not yet due at NOW

    call_command("redact_closed_cases", "--now", NOW.isoformat())
    assert "0 cases due, 0 redacted" in capsys.readouterr().out
    call_command("redact_closed_cases", "--dry-run", "--now", "2026-11-20T03:00:00")
    assert "1 cases due, 0 redacted (dry run: nothing changed)" in capsys.readouterr().out
    assert Victim.objects.get(pk=victim.pk).redacted_at is None
    call_command("redact_closed_cases", "--now", "2026-11-20T03:00:00")
    assert "1 cases due, 1 redacted" in capsys.readouterr().out
    assert Victim.objects.get(pk=victim.pk).full_name == "Redacted"


def test_the_command_explains_a_bad_moment(org_a):
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("redact_closed_cases", "--now", "next tuesday")


def test_the_daily_task_redacts_and_returns_counts_only(org_a):
    set_retention(org_a, 1)
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, **IDENTITY)
    services.victim_change_status(
        victim=victim, to_status="deceased", changed_by=org_a.supervisor, now=timezone.now() - timedelta(days=2)
    )

    assert redact_closed_cases_task() == {"organizations": 1, "due": 1, "redacted": 1}
    assert Victim.objects.get(pk=victim.pk).full_name == "Redacted"


def test_the_task_is_installed_as_a_daily_schedule():
    from django_celery_beat.models import PeriodicTask

    from tracker.schedules import install_schedules

    install_schedules()

    task = PeriodicTask.objects.get(task="cases.tasks.redact_closed_cases_task")
    assert task.enabled and task.interval.every == 24 * 60 * 60 and task.interval.period == "seconds"
    assert task.args in ("[]", "") and task.kwargs in ("{}", "")  # no personal data in task arguments


def test_an_org_admin_finds_the_retention_setting_on_their_organisation_in_the_admin(org_a):
    from django.test import Client
    from django.urls import reverse

    from tests.factories import sign_in_verified

    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    client = sign_in_verified(Client(), org_a.org_admin)

    page = client.get(reverse("admin:accounts_organization_change", args=[org_a.organization.pk]))

    assert page.status_code == 200
    assert 'name="identity_retention_days"' in page.content.decode()
