"""The rescue-request and referral lists: defaults, every filter, sorting, pagination and a constant query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AgencyReferral, RescueRequest, Victim
from tests.factories import AgencyFactory, make_overdue_request, make_referral, make_request, make_victim

from .conftest import page_text

pytestmark = pytest.mark.django_db

REQUESTS = reverse("cases:requests")
REFERRALS = reverse("cases:referrals")


def case(org, name, **fields):
    # Only a supervisor gives a new case to someone other than themselves (Action.ASSIGN).
    by = org.caseworker if fields.get("assigned_to", org.caseworker) in (None, org.caseworker) else org.supervisor
    return make_victim(organization=org.organization, created_by=by, full_name=name, **fields)


def shown(response, *victims) -> list[bool]:
    text = page_text(response)
    return [v.case_number in text for v in victims]


@pytest.fixture
def caseload(org_a):
    """Four requests: overdue urgent (mine), open normal (caseworker2), unassigned high, and a closed one."""
    overdue = case(org_a, "Synthetic Overdue")
    make_overdue_request(victim=overdue, priority="urgent", days_overdue=3)
    other = case(org_a, "Synthetic Other", assigned_to=org_a.caseworker2)
    make_request(victim=other, priority="normal")
    nobody = case(org_a, "Synthetic Nobody", assigned_to=None)
    make_request(victim=nobody, priority="high")
    closed = case(org_a, "Synthetic Closed")
    request = make_request(victim=closed, priority="normal")
    services.rescue_request_close(request=request, status="rescued", outcome="Synthetic outcome", closed_by=None)
    return {"overdue": overdue, "other": other, "nobody": nobody, "closed": closed}


def test_the_request_list_starts_with_open_requests_only(client_for, org_a, caseload):
    response = client_for(org_a.caseworker, org_a.organization).get(REQUESTS)
    c = caseload
    assert shown(response, c["overdue"], c["other"], c["nobody"], c["closed"]) == [True, True, True, False]
    assert "3 requests" in page_text(response)


def test_an_explicitly_empty_status_choice_shows_every_request(client_for, org_a, caseload):
    response = client_for(org_a.caseworker, org_a.organization).get(REQUESTS, {"f": "1"})
    assert all(shown(response, *caseload.values()))


def test_requests_filter_by_status_priority_overdue_and_assignment(client_for, org_a, caseload):
    client = client_for(org_a.caseworker, org_a.organization)
    c = caseload
    order = (c["overdue"], c["other"], c["nobody"], c["closed"])
    assert shown(client.get(REQUESTS, {"f": "1", "status": "rescued"}), *order) == [False, False, False, True]
    assert shown(client.get(REQUESTS, {"priority": ["urgent", "high"]}), *order) == [True, False, True, False]
    assert shown(client.get(REQUESTS, {"overdue": "on"}), *order) == [True, False, False, False]
    assert shown(client.get(REQUESTS, {"assigned": "me"}), *order) == [True, False, False, False]
    assert shown(client.get(REQUESTS, {"assigned": "none"}), *order) == [False, False, True, False]
    by_member = client.get(REQUESTS, {"assigned": str(org_a.caseworker2.pk)})
    assert shown(by_member, *order) == [False, True, False, False]


def test_requests_filter_by_case_number_agency_and_due_dates(client_for, org_a, caseload):
    agency = AgencyFactory(name="Synthetic Police")
    make_referral(victim=caseload["other"], agency=agency)
    client = client_for(org_a.caseworker, org_a.organization)
    c = caseload
    order = (c["overdue"], c["other"], c["nobody"])
    assert shown(client.get(REQUESTS, {"agency": str(agency.pk)}), *order) == [False, True, False]
    number = c["nobody"].case_number
    assert shown(client.get(REQUESTS, {"case": number[-5:]}), *order) == [False, False, True]
    today = timezone.localdate()
    past = client.get(REQUESTS, {"due_to": (today - timedelta(days=1)).isoformat()})
    assert shown(past, *order) == [True, False, False]
    later = client.get(REQUESTS, {"due_from": today.isoformat()})
    assert shown(later, *order) == [False, True, True]


def test_a_filter_value_that_makes_no_sense_is_explained_not_a_crash(client_for, org_a, caseload):
    response = client_for(org_a.caseworker, org_a.organization).get(
        REQUESTS, {"assigned": "99999", "due_from": "not-a-date", "priority": "enormous"}
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "Select a valid choice" in text
    assert "Enter a valid date" in text


def test_requests_sort_by_priority_urgent_first_and_reverse(client_for, org_a, caseload):
    client = client_for(org_a.caseworker, org_a.organization)
    c = caseload
    text = page_text(client.get(REQUESTS, {"o": "priority"}))
    positions = [text.index(c[k].case_number) for k in ("overdue", "nobody", "other")]
    assert positions == sorted(positions)
    text = page_text(client.get(REQUESTS, {"o": "-priority"}))
    positions = [text.index(c[k].case_number) for k in ("other", "nobody", "overdue")]
    assert positions == sorted(positions)
    assert 'aria-sort="descending"' in text


def test_pagination_keeps_the_filters(client_for, org_a):
    bulk_requests(org_a, 60)
    client = client_for(org_a.caseworker, org_a.organization)
    first = page_text(client.get(REQUESTS, {"assigned": "", "o": "case"}))
    assert "Page 1 of 2" in first
    assert "?assigned=&amp;o=case&amp;page=2" in first
    second = page_text(client.get(REQUESTS, {"assigned": "", "o": "case", "page": "2"}))
    assert "HWA-2026-00060" in second
    assert "HWA-2026-00001" not in second


def test_no_name_or_other_personal_data_ever_appears_in_a_link(client_for, org_a, caseload):
    import re

    text = page_text(client_for(org_a.caseworker, org_a.organization).get(REQUESTS, {"o": "case"}))
    for href in re.findall(r'href="([^"]*)"', text):
        assert "Synthetic" not in href


def test_the_referral_list_starts_with_unfinished_referrals_and_filters(client_for, org_a):
    police, embassy = AgencyFactory(name="Synthetic Police"), AgencyFactory(name="Synthetic Embassy", kind="embassy")
    now = timezone.now()
    waiting = case(org_a, "Synthetic Waiting")
    late = make_referral(victim=waiting, agency=police)
    services.referral_send(referral=late, sent_by=org_a.caseworker, now=now - timedelta(days=5))
    fresh_case = case(org_a, "Synthetic Fresh", assigned_to=org_a.caseworker2)
    fresh = make_referral(victim=fresh_case, agency=embassy)
    services.referral_send(referral=fresh, sent_by=org_a.caseworker2, now=now)
    done_case = case(org_a, "Synthetic Done")
    done = make_referral(victim=done_case, agency=police)
    services.referral_send(referral=done, sent_by=org_a.caseworker, now=now - timedelta(days=1))
    services.referral_record_response(referral=done, status="completed", recorded_by=org_a.caseworker)
    client = client_for(org_a.caseworker, org_a.organization)
    order = (waiting, fresh_case, done_case)
    assert shown(client.get(REFERRALS), *order) == [True, True, False]
    assert shown(client.get(REFERRALS, {"f": "1"}), *order) == [True, True, True]
    assert shown(client.get(REFERRALS, {"overdue": "on"}), *order) == [True, False, False]
    assert shown(client.get(REFERRALS, {"agency": str(embassy.pk)}), *order) == [False, True, False]
    assert shown(client.get(REFERRALS, {"assigned": str(org_a.caseworker2.pk)}), *order) == [False, True, False]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert shown(client.get(REFERRALS, {"f": "1", "sent_from": yesterday}), *order) == [False, True, True]
    text = page_text(client.get(REFERRALS, {"o": "-due"}))
    assert text.index(fresh_case.case_number) < text.index(waiting.case_number)
    assert "overdue" in page_text(client.get(REFERRALS, {"overdue": "on"}))


def test_the_agency_filter_offers_no_other_organisations_private_agency(client_for, org_a, org_b):
    AgencyFactory(name="Bravo Private Shelter", organization=org_b.organization)
    AgencyFactory(name="Alpha Private Shelter", organization=org_a.organization)
    for url in (REQUESTS, REFERRALS):
        text = page_text(client_for(org_a.caseworker, org_a.organization).get(url))
        assert "Alpha Private Shelter" in text
        assert "Bravo Private Shelter" not in text


# --- Query counts ----------------------------------------------------------------------------------------------


def bulk_requests(org, count: int) -> None:
    """`count` cases with one open request and one sent referral each, inserted in bulk."""
    now = timezone.now()
    agency = AgencyFactory()
    victims = Victim.objects.bulk_create(
        [
            Victim(
                organization=org.organization,
                case_number=f"HWA-2026-{i:05d}",
                full_name=f"Synthetic Bulk {i}",
                assigned_to=org.caseworker if i % 2 else None,
            )
            for i in range(1, count + 1)
        ]
    )
    requests = RescueRequest.objects.bulk_create(
        [
            RescueRequest(
                organization=org.organization,
                victim=v,
                priority=("urgent", "high", "normal")[i % 3],
                assigned_to=v.assigned_to,
                opened_at=now - timedelta(days=10),
                last_update_at=now - timedelta(days=2),
                next_follow_up_at=now + timedelta(hours=i - count // 2),
            )
            for i, v in enumerate(victims)
        ]
    )
    AgencyReferral.objects.bulk_create(
        [
            AgencyReferral(
                organization=org.organization,
                victim=v,
                rescue_request=r,
                agency=agency,
                status="sent",
                sent_at=now - timedelta(days=4),
                response_due_at=now + timedelta(hours=i - count // 2),
            )
            for i, (v, r) in enumerate(zip(victims, requests, strict=True))
        ]
    )


def queries_for(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [REQUESTS, REFERRALS])
@pytest.mark.parametrize("params", [{}, {"overdue": "on", "o": "-due"}, {"f": "1", "assigned": "none", "page": "2"}])
def test_the_lists_run_the_same_number_of_queries_with_50_and_500_rows(client_for, org_a, url, params):
    client = client_for(org_a.supervisor, org_a.organization)
    bulk_requests(org_a, 50)
    with_50 = queries_for(client, url, params)
    Victim.objects.all().delete()
    bulk_requests(org_a, 500)
    with_500 = queries_for(client, url, params)
    assert with_50 == with_500
    assert with_500 <= 14
