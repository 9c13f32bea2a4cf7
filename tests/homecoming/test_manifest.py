import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import DataAccessLog
from homecoming import services

from .builders import batch, released_victim
from .conftest import consent as _consent

pytestmark = pytest.mark.django_db


def _sign_in(client, org):
    from tests.factories import sign_in_verified

    sign_in_verified(client, org.supervisor)
    return client


def test_the_manifest_carries_only_what_consent_allows_with_each_basis(org_a, manifest_batch, client):
    page = _sign_in(client, org_a).get(reverse("homecoming:manifest_page", args=[manifest_batch.pk])).content.decode()
    assert "Synthetic Full Consent" in page and "P1234567" in page
    assert "Synthetic No Consent" not in page and "P7654321" not in page
    assert "withheld: no consent" in page
    assert "Synthetic Limited" in page and "P5555555" not in page
    assert "No identity shared" in page and "Consent of the person" in page


def test_a_vital_interest_override_needs_its_reason_like_a_referral(org_a, manifest_batch):
    member = next(m for m in manifest_batch.members.select_related("victim") if m.victim.consent == "none")
    with pytest.raises(ValidationError) as error:
        services.member_set_manifest_basis(member=member, basis="vital_interest", override_reason=" ", recorded_by=None)
    assert "override_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.member_set_manifest_basis(member=member, basis="consent", override_reason="", recorded_by=None)
    services.member_set_manifest_basis(
        member=member, basis="vital_interest", override_reason="Synthetic: medical evacuation", recorded_by=None
    )
    from homecoming.manifest import manifest_rows

    row = next(r for r in manifest_rows(manifest_batch) if r.case_number == member.victim.case_number)
    assert row.full_name == "Synthetic No Consent" and row.basis == "vital_interest"


def test_every_download_is_in_the_export_log(org_a, manifest_batch, client):
    client = _sign_in(client, org_a)
    csv_response = client.get(reverse("homecoming:manifest_csv", args=[manifest_batch.pk]))
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 4 and "P7654321" not in text
    client.get(reverse("homecoming:manifest_page", args=[manifest_batch.pk]))
    logged = DataAccessLog.objects.filter(kind="manifest").order_by("created_at")
    assert [entry.detail["format"] for entry in logged] == ["csv", "html"]  # the PDF's: test_manifest_pdf.py
    assert {entry.object_count for entry in logged} == {3}
    assert logged[0].detail["consent_bases"] == {"consent": 2, "no_identity": 1}


def test_a_caseworker_cannot_download_the_manifest(org_a, manifest_batch, client):
    client.force_login(org_a.caseworker)
    assert client.get(reverse("homecoming:manifest_csv", args=[manifest_batch.pk])).status_code == 403
    assert not DataAccessLog.objects.filter(kind="manifest").exists()


def test_the_pdf_of_names_in_thai_burmese_and_chinese_is_made(org_a):
    from homecoming.manifest import manifest_pdf, manifest_rows

    the_batch = batch(org_a)
    for name in ("สมชาย ใจดี", "မောင်မောင်", "王小明"):
        victim = released_victim(org_a, full_name=name)
        _consent(victim, "full", org_a.caseworker)
        services.member_add(batch=the_batch, victim=victim, added_by=org_a.caseworker)
    pdf = manifest_pdf(
        batch=the_batch, rows=manifest_rows(the_batch), organization=org_a.organization, generated_at=timezone.now()
    )
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_the_manifest_page_prints_with_its_own_print_stylesheet(org_a, manifest_batch, client):
    from django.contrib.staticfiles import finders

    page = _sign_in(client, org_a).get(reverse("homecoming:manifest_page", args=[manifest_batch.pk])).content.decode()
    assert 'href="/static/homecoming/manifest.css"' in page
    with open(finders.find("homecoming/manifest.css"), encoding="utf-8") as stylesheet:
        assert "@media print" in stylesheet.read()
