"""`manage.py seed_demo`: demo organisations, logins and synthetic case files, idempotent, never in production."""

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Membership, Organization, User
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim, VictimStatusChange
from core.names import THRESHOLD
from demo.organisations import DEMO_ORGANIZATIONS
from demo.people import NameMaker, nationality_weights, sex_weights
from demo.seeding import DEMO_PASSWORD
from homecoming.models import RepatriationBatch
from lists import reports
from lists.models import Match, ReleasedList
from lists.transit import missing_in_transit
from places.models import Agency

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEMO_SLUGS = [demo.slug for demo in DEMO_ORGANIZATIONS]
SEEDED_VICTIMS = 40


def _remove_demo_data() -> None:
    organizations = Organization.objects.filter(slug__in=DEMO_SLUGS)
    ReleasedList.objects.filter(organization__in=organizations).delete()  # entries, matches, chunks go with them
    Victim.objects.filter(organization__in=organizations).delete()  # notes, requests, referrals go with them
    RepatriationBatch.objects.filter(organization__in=organizations).delete()  # their members went with the cases
    emails = list(Membership.objects.filter(organization__in=organizations).values_list("user__email", flat=True))
    organizations.delete()  # memberships, private agencies and case-number counters go with them
    User.objects.filter(email__in=[*emails, "platform-admin@example.org"]).delete()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> str:
    """Seed once for the module (it takes seconds), committed; removed again when the module is done."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", victims=SEEDED_VICTIMS, stdout=out)
        yield out.getvalue()
        _remove_demo_data()


def table_counts() -> dict[str, int]:
    models = (
        Organization,
        User,
        Membership,
        Agency,
        Victim,
        Reporter,
        VictimStatusChange,
        CaseNote,
        RescueRequest,
        AgencyReferral,
    )
    return {model.__name__: model.objects.count() for model in models}


def demo_organizations() -> list[Organization]:
    return list(Organization.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"))


# --- organisations and logins ---------------------------------------------------------------------


def test_seed_demo_creates_two_organisations_each_with_a_user_per_role(seeded):
    organizations = {o.slug: o for o in demo_organizations()}
    assert set(organizations) == {"mekong", "bordercare"}
    assert organizations["mekong"].case_number_prefix == "MRN"
    assert organizations["mekong"].timezone == "Asia/Bangkok"
    assert organizations["bordercare"].timezone == "Asia/Yangon"
    for organization in organizations.values():
        roles = Counter(Membership.objects.filter(organization=organization).values_list("role", flat=True))
        assert roles == {Membership.Role.CASEWORKER: 3, Membership.Role.SUPERVISOR: 1, Membership.Role.ORG_ADMIN: 1}
    assert User.objects.get(email="platform-admin@example.org").is_superuser


def test_every_demo_login_works_with_the_printed_password(seeded):
    printed = re.findall(r"\S+@\S+\.example\.org|\S+@example\.org", seeded)
    assert len(printed) == 11  # the platform admin and five people in each organisation
    assert f"password for all: {DEMO_PASSWORD}" in seeded
    for email in printed:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_the_demo_password_passes_the_password_rules():
    validate_password(DEMO_PASSWORD)


def test_each_organisation_gets_its_share_of_the_victims(seeded):
    counts = {o.slug: Victim.objects.filter(organization=o).count() for o in demo_organizations()}
    assert counts == {"mekong": 24, "bordercare": 16}
    assert "Mekong Rescue Network: created 24 synthetic case files." in seeded


# --- the caseload ---------------------------------------------------------------------------------


def test_victims_are_spread_over_every_status_of_the_lifecycle(seeded):
    for organization in demo_organizations():
        statuses = set(Victim.objects.filter(organization=organization).values_list("status", flat=True))
        assert statuses == set(Victim.Status.values), organization.slug
    closed = Victim.objects.filter(organization__slug__in=DEMO_SLUGS, status=Victim.Status.CLOSED)
    assert all(v.closed_reason for v in closed)


def test_status_history_was_built_in_the_past(seeded):
    now = timezone.now()
    victims = Victim.objects.filter(organization__slug__in=DEMO_SLUGS)
    repatriated = victims.filter(status=Victim.Status.REPATRIATED).first()
    steps = list(repatriated.status_changes.order_by("changed_at").values_list("to_status", flat=True))
    assert steps[-1] == Victim.Status.REPATRIATED and Victim.Status.RESCUED in steps
    assert not VictimStatusChange.objects.filter(victim__in=victims, changed_at__gt=now).exists()
    assert victims.filter(created_at__lt=now - timedelta(days=30)).exists()
    assert not victims.filter(created_at__gt=now).exists()


def test_rescue_requests_appear_in_every_status_and_some_are_overdue(seeded):
    now = timezone.now()
    for organization in demo_organizations():
        requests = RescueRequest.objects.filter(organization=organization)
        assert set(requests.values_list("status", flat=True)) == set(RescueRequest.Status.values), organization.slug
        assert requests.overdue(now=now).exists(), organization.slug
        assert requests.open().filter(next_follow_up_at__gte=now).exists(), organization.slug
        assert not requests.open().filter(last_update_at__gt=now).exists()


def test_some_follow_ups_fall_due_later_today_in_the_organisations_time_zone(seeded):
    now = timezone.now()
    for organization in demo_organizations():
        today = timezone.localtime(now, organization.tzinfo).date()
        due = RescueRequest.objects.filter(organization=organization).open().filter(next_follow_up_at__gte=now)
        assert any(timezone.localtime(r.next_follow_up_at, organization.tzinfo).date() == today for r in due)


def test_referrals_appear_in_every_state_and_some_wait_past_their_response_date(seeded):
    now = timezone.now()
    for organization in demo_organizations():
        referrals = AgencyReferral.objects.filter(organization=organization)
        assert set(referrals.values_list("status", flat=True)) == set(AgencyReferral.Status.values), organization.slug
        assert referrals.filter(
            status=AgencyReferral.Status.SENT, response_due_at__lt=now, acknowledged_at=None
        ).exists(), organization.slug
    declined = AgencyReferral.objects.filter(organization__slug__in=DEMO_SLUGS, status=AgencyReferral.Status.DECLINED)
    assert declined.exists() and all(r.decline_reason for r in declined)


def test_referrals_that_share_identity_have_consent_or_a_recorded_override(seeded):
    sharing = AgencyReferral.objects.filter(organization__slug__in=DEMO_SLUGS, shares_identity=True)
    assert sharing.exists()
    for referral in sharing.select_related("victim"):
        if referral.consent_basis == AgencyReferral.ConsentBasis.CONSENT:
            assert referral.victim.consent != Victim.Consent.NONE
        else:
            assert referral.consent_basis == AgencyReferral.ConsentBasis.VITAL_INTEREST
            assert referral.override_reason


def test_case_notes_are_kept_and_contact_sets_the_last_contact_time(seeded):
    victims = Victim.objects.filter(organization__slug__in=DEMO_SLUGS)
    assert CaseNote.objects.filter(victim__in=victims).count() > SEEDED_VICTIMS
    in_contact = victims.filter(status=Victim.Status.IN_CONTACT).first()
    assert in_contact.last_contact_at is not None
    assert in_contact.notes.filter(kind=CaseNote.Kind.CONTACT_PERSON).exists()


def test_nationality_mix_is_dominated_by_china(seeded):
    mix = Counter(Victim.objects.filter(organization__slug__in=DEMO_SLUGS).values_list("citizenship", flat=True))
    assert mix.most_common(1)[0][0] == "CN"
    assert mix["CN"] > SEEDED_VICTIMS / 2
    assert len(mix) >= 3


def test_mostly_men_as_in_the_published_list(seeded):
    sexes = Counter(Victim.objects.filter(organization__slug__in=DEMO_SLUGS).values_list("sex", flat=True))
    assert sexes["Masculine"] > 0.8 * SEEDED_VICTIMS


def test_victim_details_are_filled_as_real_records_are_but_clearly_synthetic(seeded):
    victims = list(Victim.objects.filter(organization__slug__in=DEMO_SLUGS))
    passports = [v.passport_number for v in victims if v.passport_number]
    phones = [line for v in victims for line in v.phone_numbers.splitlines()]
    handles = [line for v in victims for line in v.messaging_handles.splitlines()]
    assert passports and all(p.startswith("DEMO-") for p in passports)
    assert phones and all(re.fullmatch(r"\+\d{1,3} 0\d\d \d{3} \d{4}", p) for p in phones)
    assert handles and all(
        re.fullmatch(r"(Telegram|WeChat|LINE): \S+|WhatsApp: \+\d{1,3} 0\d\d \d{3} \d{4}", h) for h in handles
    )
    assert any(h.startswith("Telegram: @demo_") for h in handles)
    # Some fields are unknown, as on real intake.
    assert any(not v.passport_number for v in victims)
    assert any(v.date_of_birth is None and v.estimated_age is None for v in victims)
    assert any(v.compound_id for v in victims)
    assert all(v.full_name and v.case_number for v in victims)
    assert any("ForcedCriminalityScamWork" in v.exploitation_types for v in victims)
    assert Reporter.objects.filter(victim__in=victims).count() == len(victims)


def test_demo_agencies_use_example_org_addresses_only(seeded):
    emails = list(Agency.objects.exclude(email="").values_list("email", flat=True))
    assert emails
    assert all(email.endswith(".example.org") or email.endswith("@example.org") for email in emails)
    for organization in demo_organizations():
        assert Agency.objects.filter(organization=organization).count() == 2


# --- idempotency and refusals ---------------------------------------------------------------------


def test_each_organisation_has_a_released_list_with_matches_to_confirm_strangers_and_one_missing_person(seeded):
    now = timezone.now()
    for organization in demo_organizations():
        released = ReleasedList.objects.get(organization=organization, kind="released")
        matches = Match.objects.filter(entry__released_list=released, rank=1)
        assert matches.filter(status="suggested", score__gte=THRESHOLD).count() >= 3
        assert reports.counts(released, organization)["unknown"] >= 3  # people on the list we do not know
        missing = list(missing_in_transit(Victim.objects.visible_to(organization), organization=organization, now=now))
        assert [v.pk for v in missing] == [matches.get(status="confirmed").victim_id]


def test_running_it_again_creates_nothing_and_prints_the_same_logins(seeded):
    before = table_counts()
    out = StringIO()
    call_command("seed_demo", victims=SEEDED_VICTIMS, stdout=out)
    assert table_counts() == before
    logins = [line for line in seeded.splitlines() if "example.org" in line]
    assert [line for line in out.getvalue().splitlines() if "example.org" in line] == logins
    assert "Mekong Rescue Network: already has 24 case files; left as they are." in out.getvalue()


def test_seed_demo_refuses_production_settings(settings):
    before = table_counts()
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("seed_demo", victims=2, stdout=StringIO())
    assert table_counts() == before


def test_a_negative_number_of_victims_is_refused():
    with pytest.raises(CommandError, match="--victims must be between 0 and"):
        call_command("seed_demo", victims=-5, stdout=StringIO())


def run_manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/homeward_nowhere",  # nothing listens on port 1
        "sqlite:////nonexistent-directory/homeward.sqlite3",
    ],
)
def test_an_unreachable_database_gives_one_readable_line_and_a_failing_exit(database_url):
    result = run_manage("seed_demo", "--victims", "2", database_url=database_url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "database" in result.stderr.lower()


def test_an_unmigrated_database_is_refused_with_a_hint(tmp_path):
    result = run_manage("seed_demo", "--victims", "2", database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "CommandError: The database is not fully migrated; run `python manage.py migrate` first."
    )


# --- the synthetic inputs -------------------------------------------------------------------------


def test_the_nationality_mix_follows_the_published_list_including_the_stateless():
    weights = dict(nationality_weights())
    assert sum(weights.values()) == 7141
    assert weights["CN"] == 4860 and weights["VN"] == 572
    assert weights["XX"] == 9  # stateless
    assert {"NP", "UG", "LK", "UZ", "NG", "GH", "BD", "CM", "RW"} <= set(weights)


def test_the_sex_split_comes_from_the_published_list():
    assert dict(sex_weights()) == {"Masculine": 6716, "Feminine": 425}


def test_names_are_the_same_for_the_same_seed_and_suit_the_nationality():
    import random

    def names(seed):
        maker, rng = NameMaker(seed), random.Random(seed)
        return [
            maker.full(country, maker.given(country, female=False, rng=rng), maker.family(country, rng=rng))
            for country in ("CN", "VN", "IN", "ET", "PH")
        ]

    first, again = names(7), names(7)
    assert first == again
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", first[0])  # Chinese characters, family name first, no space
    assert len(first[1].split()) >= 3  # Vietnamese: family, middle and given name


# --- production has no demo app -------------------------------------------------------------------


def production_env(tmp_path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "production-like-secret-for-a-test-only-0123456789abcdef",
        "ALLOWED_HOSTS": "homeward.example.org",
        "ALLOW_SQLITE": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": Fernet.generate_key().decode(),
    }


def test_production_settings_have_no_seed_demo_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--victims", "2"],
        cwd=PROJECT_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr
    assert not (tmp_path / "production.sqlite3").exists() or (tmp_path / "production.sqlite3").stat().st_size == 0


def test_production_loads_neither_the_demo_app_nor_faker(tmp_path):
    code = (
        "import sys, django; from django.conf import settings; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'demo', 'faker'}); "
        "print('demo' in settings.INSTALLED_APPS, loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[]"]
