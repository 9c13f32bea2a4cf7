"""An agency answers a referral through the signed link in its email, without an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from api.agency_links import make_token
from audit.models import AuditEntry
from cases import services
from cases.models import AgencyReferral, CaseNote
from tests.factories import AgencyFactory, make_victim
from tracker import outbox
from tracker.sweeps import sweep_referral_chases

pytestmark = pytest.mark.django_db

SHARED = "Synthetic: needs a safe pick-up near the crossing."


@pytest.fixture
def sent(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Referred Person")
    referral = services.referral_create(
        victim=victim, agency=AgencyFactory(email="desk@agency.example.org"), created_by=None, shared_information=SHARED
    )
    return services.referral_send(referral=referral, sent_by=org_a.caseworker)


def _link_from_the_email() -> str:
    outbox.deliver_due(now=timezone.now() + timedelta(seconds=1))
    (email,) = [m for m in mail.outbox if m.to == ["desk@agency.example.org"]]
    return re.search(r"https?://\S+/api/agency/\S+/", email.body).group(0).split("localhost:8000")[-1]


def test_the_referral_email_carries_a_link_that_shows_only_what_was_shared(client, sent):
    path = _link_from_the_email()
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert SHARED in text and sent.victim.case_number in text
    assert "Synthetic Referred Person" not in text  # the name was not shared


def test_the_agency_records_its_answer_which_lands_on_the_timeline_and_stops_the_chase(client, sent):
    path = _link_from_the_email()
    assert client.get(path).status_code == 200
    response = client.post(path, {"status": "acting", "note": "Team on the way", "agency_reference": "AG-77"})
    assert response.status_code == 200 and b"answer-recorded" in response.content
    sent.refresh_from_db()
    assert (sent.status, sent.agency_reference) == ("acting", "AG-77")
    (note,) = CaseNote.objects.filter(victim=sent.victim, kind="agency_update")
    assert "Team on the way" in note.body and note.author is None
    result = sweep_referral_chases(now=timezone.now() + timedelta(days=30))
    assert result.found == 0
    views = AuditEntry.objects.filter(object_id=sent.pk, additional_data__view="agency_link")
    assert sorted(e.additional_data["action"] for e in views) == ["answer", "get"]


def test_a_decline_needs_its_reason_and_changes_nothing_without(client, sent):
    response = client.post(f"/api/agency/{make_token(sent)}/", {"status": "declined"})
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_tampered_link_gets_a_clear_page_and_nothing_changes(client, sent):
    token = make_token(sent)
    response = client.post(f"/api/agency/{token[:-2]}xx/", {"status": "acting"})
    assert response.status_code == 400 and b'data-problem="tampered"' in response.content
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_an_expired_link_gets_a_clear_page(client, sent):
    token = make_token(sent)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(f"/api/agency/{token}/", {"status": "acting"})
    assert response.status_code == 410 and b'data-problem="expired"' in response.content
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_the_link_dies_when_the_referral_closes(client, sent):
    token = make_token(sent)
    services.referral_withdraw(referral=sent, withdrawn_by=None)
    response = client.post(f"/api/agency/{token}/", {"status": "acting"})
    assert response.status_code == 410 and b'data-problem="closed"' in response.content
    sent.refresh_from_db()
    assert sent.status == AgencyReferral.Status.WITHDRAWN


def test_a_link_issued_for_another_agency_is_refused(client, sent):
    token = make_token(sent)
    AgencyReferral.objects.filter(pk=sent.pk).update(agency=AgencyFactory())
    response = client.get(f"/api/agency/{token}/")
    assert response.status_code == 403 and b'data-problem="forwarded"' in response.content


def test_the_referral_email_itself_carries_no_shared_details_only_the_case_number_and_the_link(sent):
    _link_from_the_email()  # delivers the outbox
    (email,) = [m for m in mail.outbox if m.to == ["desk@agency.example.org"]]
    assert sent.victim.case_number in email.body and "/api/agency/" in email.body
    assert SHARED not in email.body and "Synthetic Referred Person" not in email.body
