"""The partner API as a partner system sees it: keys, scoping, field rules, writes through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from audit.models import AuditEntry
from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim
from tests.factories import AgencyFactory, make_request, make_victim

from .conftest import issue_key

pytestmark = pytest.mark.django_db

PASSPORT = "P9988776Z"


@pytest.fixture
def case_a(org_a):
    return make_victim(organization=org_a.organization, full_name="Synthetic Api Person", passport_number=PASSPORT)


def test_a_request_without_a_key_or_with_a_wrong_key_is_refused_with_401(api, keys, case_a):
    assert api(None).get("/api/cases/").status_code == 401
    assert api("hw_deadbeef_wrong").get("/api/cases/").status_code == 401
    assert api("Basic abc").get("/api/cases/").status_code == 401


def test_a_revoked_or_expired_key_is_refused(api, org_a, case_a):
    revoked = issue_key(org_a.organization)
    ApiKey.objects.update(revoked_at=timezone.now())
    expired = issue_key(org_a.organization, expires_at=timezone.now() - timedelta(minutes=1))
    for secret in (revoked, expired):
        response = api(secret).get("/api/cases/")
        assert response.status_code == 401


def test_the_key_is_stored_only_as_a_digest(org_a):
    key, secret = ApiKey.issue(organization=org_a.organization, name="x", expires_at=timezone.now() + timedelta(1))
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert secret not in str(stored)
    assert secret.startswith(f"hw_{key.prefix}_")


def test_a_key_lists_only_its_organisations_cases(api, keys, case_a, org_b):
    make_victim(organization=org_b.organization, full_name="Synthetic Other Person")
    numbers = [row["case_number"] for row in api(keys["read"]).get("/api/cases/").json()["results"]]
    assert numbers == [case_a.case_number]


def test_another_organisations_ids_give_404_for_read_and_write(api, keys, case_a, org_a):
    rescue = make_request(victim=case_a)
    agency = AgencyFactory()
    referral = AgencyReferral.objects.create(organization=org_a.organization, victim=case_a, agency=agency)
    other = api(keys["other"])
    assert other.get(f"/api/cases/{case_a.pk}/").status_code == 404
    assert (
        other.patch(f"/api/cases/{case_a.pk}/", {"risk_level": "low", "version": 1}, format="json").status_code == 404
    )
    assert other.get(f"/api/requests/{rescue.pk}/").status_code == 404
    assert other.post(f"/api/requests/{rescue.pk}/contact/", {"note": "x"}, format="json").status_code == 404
    assert other.post(f"/api/referrals/{referral.pk}/response/", {"status": "acting"}, format="json").status_code == 404
    response = other.post("/api/requests/", {"case": case_a.pk, "priority": "high"}, format="json")
    assert response.status_code == 400  # the case is not among the choices
    assert RescueRequest.objects.filter(victim=case_a).count() == 1


def test_a_read_key_cannot_write(api, keys, case_a):
    read = api(keys["read"])
    assert read.post("/api/cases/", {"full_name": "Synthetic New"}, format="json").status_code == 403
    assert read.patch(f"/api/cases/{case_a.pk}/", {"risk_level": "low", "version": 1}, format="json").status_code == 403
    assert read.post("/api/requests/", {"case": case_a.pk}, format="json").status_code == 403
    assert Victim.objects.count() == 1


def test_identity_documents_and_contacts_only_with_the_identity_key(api, keys, case_a):
    plain = api(keys["write"]).get(f"/api/cases/{case_a.pk}/").json()
    assert "passport_number" not in plain and PASSPORT not in str(plain)
    full = api(keys["identity"]).get(f"/api/cases/{case_a.pk}/").json()
    assert full["passport_number"] == PASSPORT


def test_a_key_without_identity_cannot_write_identity_fields(api, keys, case_a):
    response = api(keys["write"]).patch(
        f"/api/cases/{case_a.pk}/", {"passport_number": "X1", "version": case_a.version}, format="json"
    )
    assert response.status_code == 200
    case_a.refresh_from_db()
    assert case_a.passport_number == PASSPORT


def test_create_and_update_a_case_through_the_services(api, keys):
    client = api(keys["write"])
    created = client.post("/api/cases/", {"full_name": "Synthetic Created", "citizenship": "VN"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["case_number"].startswith("HWA")
    updated = client.patch(
        f"/api/cases/{body['id']}/", {"risk_level": "low", "version": body["version"]}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["risk_level"] == "low"
    stale = client.patch(f"/api/cases/{body['id']}/", {"risk_level": "high", "version": body["version"]}, format="json")
    assert stale.status_code == 409
    bad = client.patch(
        f"/api/cases/{body['id']}/", {"ransom_amount": "10", "version": updated.json()["version"]}, format="json"
    )
    assert bad.status_code == 400 and "ransom_amount" in bad.json()


def test_cases_can_be_filtered(api, keys, org_a, case_a):
    make_victim(organization=org_a.organization, full_name="Synthetic Low", risk_level="low")
    rows = api(keys["read"]).get("/api/cases/", {"risk_level": "low"}).json()["results"]
    assert [row["full_name"] for row in rows] == ["Synthetic Low"]


def test_a_hotline_report_creates_a_case_in_triage_with_its_reporter_and_names_duplicates(api, keys, case_a):
    payload = {
        "person": {"full_name": "Synthetic Api Person", "passport_number": PASSPORT},
        "reporter": {"name": "Synthetic Hotline", "contact_channels": "+66 2 000 0000"},
        "hotline_reference": "HL-123",
    }
    response = api(keys["identity"]).post("/api/reports/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    victim = Victim.objects.get(pk=body["case"]["id"])
    assert victim.status == "reported" and victim.assigned_to is None
    assert victim.reporters.get().relationship == "hotline"
    assert [d["case_number"] for d in body["possible_duplicates"]] == [case_a.case_number]
    assert "same passport number" in body["possible_duplicates"][0]["reasons"]


def test_rescue_request_open_log_contact_close(api, keys, case_a):
    client = api(keys["write"])
    opened = client.post("/api/requests/", {"case": case_a.pk, "priority": "urgent"}, format="json")
    assert opened.status_code == 201, opened.json()
    pk = opened.json()["id"]
    contact = client.post(f"/api/requests/{pk}/contact/", {"note": "Synthetic call"}, format="json")
    assert contact.status_code == 200
    assert CaseNote.objects.filter(rescue_request_id=pk).count() == 1
    closed = client.post(f"/api/requests/{pk}/close/", {"status": "rescued", "outcome": "Synthetic"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "rescued"
    again = client.post(f"/api/requests/{pk}/close/", {"status": "rescued", "outcome": "Synthetic"}, format="json")
    assert again.status_code == 400


def test_referral_create_and_record_a_response(api, keys, case_a):
    agency = AgencyFactory()
    client = api(keys["write"])
    created = client.post("/api/referrals/", {"case": case_a.pk, "agency": agency.pk}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "sent"
    pk = created.json()["id"]
    declined = client.post(f"/api/referrals/{pk}/response/", {"status": "declined"}, format="json")
    assert declined.status_code == 400 and "decline_reason" in declined.json()
    acting = client.post(
        f"/api/referrals/{pk}/response/", {"status": "acting", "agency_reference": "R-1"}, format="json"
    )
    assert acting.status_code == 200 and acting.json()["agency_reference"] == "R-1"


def test_every_use_of_a_key_is_audited(api, keys, case_a):
    key = ApiKey.objects.get(prefix=keys["read"].split("_")[1])
    api(keys["read"]).get(f"/api/cases/{case_a.pk}/")
    api(keys["read"]).post("/api/cases/", {}, format="json")
    entries = AuditEntry.objects.filter(actor_email=f"api-key:{key.prefix}").order_by("pk")
    assert [(e.additional_data["method"], e.additional_data["status"]) for e in entries] == [
        ("GET", 200),
        ("POST", 403),
    ]
    assert AuditEntry.objects.filter(object_id=case_a.pk, additional_data__view="api_case").exists()


def test_a_key_over_its_rate_gets_429(api, org_a):
    secret = issue_key(org_a.organization, rate_per_minute=2)
    client = api(secret)
    assert [client.get("/api/cases/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_docs_are_served_from_our_static_files(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html and "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200
