"""My work (home) and the supervisors' team tab."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases import services
from tests.factories import (
    AgencyFactory,
    CompoundFactory,
    make_overdue_request,
    make_referral,
    make_request,
    make_victim,
)
from tests.web.conftest import bulk_cases, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(web_now):
    with time_machine.travel(web_now, tick=False):
        yield web_now


def section(body: str, heading_id: str) -> str:
    start = body.index(f'id="{heading_id}"')
    end = body.find("</section>", start)
    return body[start:end]


def test_my_overdue_follow_ups_come_first_with_case_number_name_compound_and_days_overdue(org_a, client_for, frozen):
    compound = CompoundFactory(name="Synthetic Compound One")
    late = make_victim(
        organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Late", compound=compound
    )
    make_overdue_request(victim=late, days_overdue=4, now=frozen)
    body = client_for(org_a.caseworker, org_a.organization).get(reverse("tracker:my_work")).content.decode()
    overdue = section(body, "overdue-heading")
    assert late.case_number in overdue
    assert "Synthetic Late" in overdue and "Synthetic Compound One" in overdue
    assert '<span class="pill pill--overdue">4</span>' in overdue
    assert body.index('id="overdue-heading"') < body.index('id="today-heading"') < body.index('id="open-heading"')


def test_due_today_referrals_awaiting_and_recent_cases_each_have_their_section(org_a, client_for, frozen):
    organization = org_a.organization
    today = make_victim(organization=organization, created_by=org_a.caseworker, full_name="Synthetic Today")
    rescue = make_request(victim=today, now=frozen - timedelta(days=7))  # normal cadence: due now + a little
    rescue.next_follow_up_at = frozen + timedelta(hours=3)  # 13:00 Bangkok, still today
    rescue.save()
    referred = make_victim(organization=organization, created_by=org_a.caseworker, full_name="Synthetic Referred")
    referral = make_referral(
        victim=referred, agency=AgencyFactory(name="Synthetic Agency"), created_by=org_a.caseworker
    )
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=frozen)
    body = client_for(org_a.caseworker, organization).get(reverse("tracker:my_work")).content.decode()
    assert "Synthetic Today" in section(body, "today-heading")
    assert "Synthetic Today" not in section(body, "overdue-heading")
    awaiting = section(body, "referrals-heading")
    assert "Synthetic Referred" in awaiting and "Synthetic Agency" in awaiting
    assert "Synthetic Referred" in section(body, "recent-heading")


def test_open_requests_are_listed_urgent_first(org_a, client_for, frozen):
    organization = org_a.organization
    normal = make_victim(organization=organization, created_by=org_a.caseworker, full_name="Synthetic Normal")
    make_request(victim=normal, priority="normal", now=frozen)
    urgent = make_victim(organization=organization, created_by=org_a.caseworker, full_name="Synthetic Urgent")
    make_request(victim=urgent, priority="urgent", now=frozen)
    body = section(
        client_for(org_a.caseworker, organization).get(reverse("tracker:my_work")).content.decode(), "open-heading"
    )
    assert body.index("Synthetic Urgent") < body.index("Synthetic Normal")


def test_someone_elses_follow_ups_are_not_on_my_work_but_counts_are_in_the_navigation(org_a, client_for, frozen):
    theirs = make_victim(organization=org_a.organization, created_by=org_a.caseworker2, full_name="Synthetic Theirs")
    make_overdue_request(victim=theirs, now=frozen)
    mine = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Mine")
    make_overdue_request(victim=mine, now=frozen)
    make_overdue_request(victim=mine, now=frozen)
    body = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_list")).content.decode()
    assert '<span class="badge badge--danger" title="Overdue follow-ups">2<' in body
    home = client_for(org_a.caseworker, org_a.organization).get(reverse("tracker:my_work")).content.decode()
    assert "Synthetic Theirs" not in home and "Synthetic Mine" in home


def test_a_caseworker_sees_no_team_tab_and_a_supervisor_does(org_a, client_for, frozen):
    caseworker = client_for(org_a.caseworker, org_a.organization).get(reverse("tracker:my_work")).content.decode()
    assert reverse("tracker:team") not in caseworker
    supervisor = client_for(org_a.supervisor, org_a.organization).get(reverse("tracker:my_work")).content.decode()
    assert f'href="{reverse("tracker:team")}"' in supervisor


def test_the_team_tab_shows_each_caseworkers_load_and_the_unassigned_cases(org_a, client_for, frozen):
    organization = org_a.organization
    for _ in range(2):
        victim = make_victim(organization=organization, created_by=org_a.caseworker)
        make_overdue_request(victim=victim, now=frozen)
    nobody = make_victim(
        organization=organization, created_by=org_a.supervisor, assigned_to=None, full_name="Synthetic Nobody"
    )
    make_overdue_request(victim=nobody, now=frozen)
    body = client_for(org_a.supervisor, organization).get(reverse("tracker:team")).content.decode()
    row = body[body.index(org_a.caseworker.display_name) :]
    row = row[: row.index("</tr>")]
    assert row.count('class="num"') == 3 and '<span class="pill pill--overdue">2</span>' in row
    assert org_a.caseworker2.display_name in body
    unassigned = section(body, "unassigned-cases-heading")
    assert "Synthetic Nobody" in unassigned
    assert reverse("cases:victim_detail", args=[nobody.pk]) in unassigned
    assert "Synthetic Nobody" in section(body, "unassigned-requests-heading")


def test_my_work_runs_the_same_number_of_queries_with_50_and_500_overdue_cases(org_a, client_for, frozen):
    client = client_for(org_a.caseworker, org_a.organization)
    compound = CompoundFactory()
    bulk_cases(
        organization=org_a.organization,
        count=50,
        assigned_to=org_a.caseworker,
        due_at=frozen - timedelta(days=2),
        compound=compound,
    )
    with_50 = count_queries(client, reverse("tracker:my_work"))
    bulk_cases(
        organization=org_a.organization,
        count=450,
        assigned_to=org_a.caseworker,
        due_at=frozen - timedelta(days=3),
        start=51,
        compound=compound,
    )
    with_500 = count_queries(client, reverse("tracker:my_work"))
    assert with_50 == with_500
    assert with_500 <= 15


def test_the_team_tab_runs_the_same_number_of_queries_with_50_and_500_cases(org_a, client_for, frozen):
    client = client_for(org_a.supervisor, org_a.organization)
    bulk_cases(organization=org_a.organization, count=25, assigned_to=org_a.caseworker, due_at=frozen)
    bulk_cases(organization=org_a.organization, count=25, due_at=frozen, start=26)
    with_50 = count_queries(client, reverse("tracker:team"))
    bulk_cases(organization=org_a.organization, count=450, assigned_to=org_a.caseworker2, due_at=frozen, start=51)
    with_500 = count_queries(client, reverse("tracker:team"))
    assert with_50 == with_500


def test_my_work_with_500_overdue_cases_stays_under_200_kb(org_a, client_for, frozen):
    bulk_cases(
        organization=org_a.organization, count=500, assigned_to=org_a.caseworker, due_at=frozen - timedelta(days=1)
    )
    response = client_for(org_a.caseworker, org_a.organization).get(reverse("tracker:my_work"))
    assert len(response.content) < 200_000
    assert "Showing the 50 oldest of 500." in response.content.decode()
