"""The demo's bulk path (CaseHistory) leaves the same rows and audit trail as the services it stands in for."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEntry
from cases import services
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim
from core import crypto
from demo.bulk import INSERT_ORDER
from demo.history import CaseHistory
from tests.factories import AgencyFactory, CompoundFactory

pytestmark = pytest.mark.django_db

VS, RS, FS = Victim.Status, RescueRequest.Status, AgencyReferral.Status
# Differ between two runs whatever the path: row ids, and the times the code ran (not the `now=` it was given).
RUN_SPECIFIC = {"id", "created_at", "updated_at", "victim", "rescue_request"}


class ThroughServices:
    """cases.services with CaseHistory's signature (`at=` on referral_create is when, in the past, it happened)."""

    def __getattr__(self, name):
        return getattr(services, name)

    def referral_create(self, *, at, **kwargs):
        return services.referral_create(**kwargs)

    def save(self):
        pass


def one_case_file(cases, *, organization, caseworker, agency, compound, t0):
    """A case file touching every call the demo makes: intake to rescue, notes, three referrals, closing."""
    day = timedelta(days=1)
    victim = cases.victim_create(
        organization=organization,
        created_by=caseworker,
        now=t0,
        reporter={
            "name": "Synthetic Parent",
            "relationship": Reporter.Relationship.PARENT,
            "contact_channels": "+84 012",
        },
        full_name="Synthetic Person",
        sex="Masculine",
        citizenship="VN",
        languages=["vi"],
        passport_number="DEMO-VN-1234567",
        phone_numbers="+84 012 345 6789",
        messaging_handles="Telegram: @demo_person",
        compound=compound,
        consent=Victim.Consent.LIMITED,
        consent_given_by=Victim.ConsentGivenBy.SELF,
        means_of_control=["DebtBondage", "WithholdsDocuments"],
        ransom_demanded=True,
        ransom_amount=Decimal(5000),
        ransom_currency="USD",
    )
    cases.victim_change_status(victim=victim, to_status=VS.VERIFIED, changed_by=caseworker, now=t0 + day)
    request = cases.rescue_request_open(victim=victim, opened_by=caseworker, priority="high", now=t0 + day * 1.1)
    cases.rescue_request_log_update(
        request=request, author=caseworker, note="Voice message.", now=t0 + day * 2, mark_in_progress=True
    )
    cases.victim_change_status(victim=victim, to_status=VS.IN_CONTACT, changed_by=caseworker, now=t0 + day * 2.1)
    cases.case_note_add(
        victim=victim, author=caseworker, body="Internal.", occurred_at=t0 + day * 3, is_restricted=True
    )
    shared = cases.referral_create(
        victim=victim,
        agency=agency,
        created_by=caseworker,
        at=t0 + day * 3,
        rescue_request=request,
        shares_identity=True,
        consent_basis=AgencyReferral.ConsentBasis.CONSENT,
        shared_information="Case number and name.",
    )
    cases.referral_send(referral=shared, sent_by=caseworker, now=t0 + day * 4)
    cases.referral_record_response(
        referral=shared, status=FS.ACKNOWLEDGED, recorded_by=caseworker, now=t0 + day * 5, agency_reference="DEMO-1"
    )
    declined = cases.referral_create(victim=victim, agency=agency, created_by=caseworker, at=t0 + day * 4)
    cases.referral_send(referral=declined, sent_by=caseworker, now=t0 + day * 4.5)
    cases.referral_record_response(
        referral=declined, status=FS.DECLINED, recorded_by=caseworker, now=t0 + day * 6, decline_reason="Outside."
    )
    withdrawn = cases.referral_create(victim=victim, agency=agency, created_by=caseworker, at=t0 + day * 5)
    cases.referral_withdraw(referral=withdrawn, withdrawn_by=caseworker, now=t0 + day * 5.5)
    cases.case_note_add(
        victim=victim, author=caseworker, body="Called.", kind=CaseNote.Kind.CONTACT_PERSON, occurred_at=t0 + day * 6
    )
    cases.rescue_request_log_update(request=request, author=caseworker, note="Moved.", now=t0 + day * 6.5)
    cases.rescue_request_close(
        request=request, status=RS.RESCUED, outcome="Handed over.", closed_by=caseworker, now=t0 + day * 7
    )
    cases.victim_change_status(victim=victim, to_status=VS.RESCUED, changed_by=caseworker, now=t0 + day * 7)
    cases.victim_change_status(
        victim=victim, to_status=VS.CLOSED, changed_by=caseworker, reason="Duplicate.", now=t0 + day * 8
    )
    cases.save()


def rows(organization) -> dict[str, list[dict]]:
    dump = {}
    for model in INSERT_ORDER:
        fields = [f for f in model._meta.concrete_fields if f.name not in RUN_SPECIFIC]
        dump[model.__name__] = [
            {f.attname: getattr(row, f.attname) for f in fields}
            for row in model.objects.filter(organization=organization).order_by("pk")
        ]
    return dump


def trail(organization) -> list[tuple]:
    names = [model._meta.model_name for model in INSERT_ORDER]
    entries = AuditEntry.objects.filter(organization=organization, content_type__model__in=names).order_by("pk")
    return [
        (
            entry.content_type.model,
            entry.action,
            entry.actor_id,
            {name: "…" if name in RUN_SPECIFIC else pair for name, pair in entry.changes.items()},
        )
        for entry in entries
    ]


@pytest.fixture
def story(org_a):
    return {
        "organization": org_a.organization,
        "caseworker": org_a.caseworker,
        "agency": AgencyFactory(),
        "compound": CompoundFactory(),
        "t0": timezone.now() - timedelta(days=20),
    }


def test_the_bulk_path_leaves_the_rows_and_trail_the_services_leave(story):
    organization = story["organization"]
    with transaction.atomic():
        one_case_file(ThroughServices(), **story)
        expected_rows, expected_trail = rows(organization), trail(organization)
        transaction.set_rollback(True)
    assert not Victim.objects.filter(organization=organization).exists()

    one_case_file(CaseHistory(organization=organization), **story)

    assert rows(organization) == expected_rows
    assert trail(organization) == expected_trail
    # A creation entry per row and an update entry per save: four status steps and three contacts on the victim.
    create, update = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE
    assert Counter((model, action) for model, action, _, _ in expected_trail) == {
        ("victim", create): 1,
        ("victim", update): 7,
        ("reporter", create): 1,
        ("victimstatuschange", create): 4,
        ("rescuerequest", create): 1,
        ("rescuerequest", update): 3,
        ("casenote", create): 4,
        ("agencyreferral", create): 3,
        ("agencyreferral", update): 5,
    }
    victim = Victim.objects.get(organization=organization)
    assert victim.case_number == f"HWA-{timezone.localtime(story['t0'], organization.tzinfo).year}-00001"
    assert victim.version == 5 and victim.last_contact_at == story["t0"] + timedelta(days=6.5)


def test_the_bulk_path_encrypts_secrets_indexes_them_and_backdates_creation(story):
    organization = story["organization"]
    one_case_file(CaseHistory(organization=organization), **story)
    victim = Victim.objects.get(organization=organization)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT passport_number, passport_index FROM {Victim._meta.db_table} WHERE id = %s", [victim.pk]
        )
        stored_passport, stored_index = cursor.fetchone()
    assert crypto.is_encrypted(stored_passport) and "DEMO" not in stored_passport
    assert stored_index == crypto.passport_index(organization_id=organization.pk, passport_number="DEMO-VN-1234567")
    assert victim.created_at == story["t0"]
    assert victim.reporters.get().created_at == story["t0"]
    first_referral = AgencyReferral.objects.filter(victim=victim).order_by("pk").first()
    assert first_referral.created_at == story["t0"] + timedelta(days=3)


def test_the_next_case_number_follows_the_bulk_written_ones(story):
    organization = story["organization"]
    one_case_file(CaseHistory(organization=organization), **story)
    year = timezone.localtime(story["t0"], organization.tzinfo).year
    assert services.allocate_case_number(organization=organization, year=year) == f"HWA-{year}-00002"
