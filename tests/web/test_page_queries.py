"""Every list page, the case page and the admin changelists make a fixed, small number of queries, whatever the
caseload: measured with 5 case files and again with 15 (each with an open request, a note and a sent referral)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from tests.factories import AgencyFactory, make_note, make_referral, make_request, make_victim, sign_in_verified

pytestmark = pytest.mark.django_db
MAX_QUERIES = 10
# The case page at 10: session, user, membership, the case (with its reporters and the evidence this user may see, as
# JSON columns), its notes, the read audit, one UNION ALL (status changes, homecoming's four tables and the referral
# form's agencies), requests, referrals and the navigation counts. The admin: session, user, second factor,
# membership, its Django permissions (one query), the list filters' choices (people, regions and compounds in one),
# the count, the rows and the read audit: 9; above the count cap also the planner's estimate (EXPLAIN): 10.
STILL_ABOVE: dict[str, int] = {}
PAGES = [
    ("case list", "caseworker", lambda victim: reverse("cases:victim_list")),
    (
        "case list, filtered",
        "caseworker",
        lambda victim: reverse("cases:victim_list") + "?status=reported&risk_level=high",
    ),
    ("case list, overdue", "caseworker", lambda victim: reverse("cases:victim_list") + "?overdue=on"),
    ("case list, sorted", "caseworker", lambda victim: reverse("cases:victim_list") + "?sort=-last_contact"),
    ("case list, by number", "caseworker", lambda v: reverse("cases:victim_list") + f"?case_number={v.case_number}"),
    ("case list, searched", "caseworker", "search:Synthetic Query 1"),
    ("My work", "caseworker", lambda victim: reverse("tracker:my_work")),
    ("Team", "supervisor", lambda victim: reverse("tracker:team")),
    ("requests list", "caseworker", lambda victim: reverse("cases:request_list")),
    ("referrals list", "caseworker", lambda victim: reverse("cases:referral_list")),
    ("case page", "caseworker", lambda victim: reverse("cases:victim_detail", args=[victim.pk])),
    ("admin: cases", "org_admin", lambda victim: reverse("admin:cases_victim_changelist")),
    ("admin: requests", "org_admin", lambda victim: reverse("admin:cases_rescuerequest_changelist")),
    ("admin: referrals", "org_admin", lambda victim: reverse("admin:cases_agencyreferral_changelist")),
]


def grow(org, agency, count: int, start: int) -> list:
    victims = []
    for n in range(start, start + count):
        victim = make_victim(
            organization=org.organization,
            created_by=org.caseworker,
            full_name=f"Synthetic Query {n}",
            assigned_to=org.caseworker if n % 3 else None,
            risk_level="high",
        )
        make_request(victim=victim, opened_by=org.caseworker, assigned_to=victim.assigned_to)
        make_note(victim=victim, author=org.caseworker, body=f"Synthetic note {n}")
        referral = make_referral(victim=victim, agency=agency, created_by=org.caseworker)
        services.referral_send(referral=referral, sent_by=org.caseworker, now=timezone.now() - timedelta(days=2))
        victims.append(victim)
    return victims


def queries_of(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, templates) and the session's last-seen stamp
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "role", "url_of"), PAGES, ids=[page[0] for page in PAGES])
def test_a_page_makes_a_fixed_number_of_queries_at_most_ten_for_a_few_cases_and_for_many(
    client_for, org_a, name, role, url_of
):
    user = getattr(org_a, role)
    if role == "org_admin":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client = client_for(user, org_a.organization)
    if role == "org_admin":
        sign_in_verified(client, user)
    agency = AgencyFactory(organization=org_a.organization)
    victims = grow(org_a, agency, 5, 0)
    url = search_url(client, url_of) if isinstance(url_of, str) else url_of(victims[0])
    few = queries_of(client, url)
    grow(org_a, agency, 10, 5)
    many = queries_of(client, url)
    assert few <= STILL_ABOVE.get(name, MAX_QUERIES), f"{name}: {few} queries"
    assert many == few, f"{name}: {few} queries for 5 cases, {many} for 15"


def search_url(client, page: str) -> str:
    """The list URL the search box redirects to (the name stays in the session, behind a token)."""
    response = client.post(reverse("cases:victim_search"), {"search": page.removeprefix("search:"), "filters": ""})
    return response["Location"]


def test_a_list_longer_than_the_count_cap_makes_no_more_queries_than_one_counted_exactly(
    client_for, org_a, monkeypatch
):
    """Above COUNT_CAP the list estimates its count instead of counting."""
    from cases.views import victim_list as victim_views

    client = client_for(org_a.caseworker, org_a.organization)
    agency = AgencyFactory(organization=org_a.organization)
    grow(org_a, agency, 5, 0)
    monkeypatch.setattr(victim_views, "COUNT_CAP", 3)
    # PostgreSQL asks its planner for the estimate (one EXPLAIN), other databases give none: within the ten either way
    assert queries_of(client, reverse("cases:victim_list")) <= MAX_QUERIES


ADMIN_CHANGELISTS = [
    ("cases_victim", "cases"),
    ("cases_rescuerequest", "requests"),
    ("cases_agencyreferral", "referrals"),
]


@pytest.mark.parametrize(("model", "plural"), ADMIN_CHANGELISTS, ids=[row[1] for row in ADMIN_CHANGELISTS])
def test_an_admin_changelist_above_the_count_cap_shows_an_estimate_without_counting_every_row(
    client_for, org_a, monkeypatch, model, plural
):
    """Above the cap the admin says "About N cases" from the planner's estimate: no COUNT(*) of every matching row
    (nor of the unfiltered table), only a count of at most cap + 1 rows and one EXPLAIN, within the ten queries."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's; other databases count exactly")
    from cases.views.paging import EstimatingPaginator

    user = org_a.org_admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = client_for(user, org_a.organization)
    sign_in_verified(client, user)
    grow(org_a, AgencyFactory(organization=org_a.organization), 5, 0)
    monkeypatch.setattr(EstimatingPaginator, "cap", 3)
    url = reverse(f"admin:{model}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    whole = [sql for sql in counts if f'FROM "{model}"' in sql and "LIMIT" not in sql]
    assert not whole, f"counted every row: {whole}"
    assert any(query["sql"].startswith("EXPLAIN") for query in captured)
    assert len(captured) <= MAX_QUERIES, f"{len(captured)} queries above the count cap"
    shown = response.content.decode()
    assert re.search(rf'data-testid="estimated-count">About [\d,]+ {plural}', shown), "no approximate count shown"
    assert re.search(r'data-testid="estimated-select-all">Select all \(about [\d,]+ ', shown), "select all: no 'about'"


def test_the_case_page_shows_every_reporter_file_and_status_change_and_still_makes_the_same_queries(
    client_for, org_a, settings, tmp_path
):
    """Reporters and evidence come on the case's own row, status changes in the timeline's one query: more of them
    cost no query, and each is on the page as before."""
    from cases.models import Reporter
    from tests.security.test_evidence import SYNTHETIC_PDF, synthetic_jpeg, upload_of

    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }
    client = client_for(org_a.caseworker, org_a.organization)
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    url = reverse("cases:victim_detail", args=[victim.pk])
    few = queries_of(client, url)
    for n in range(3):
        Reporter.objects.create(
            organization=org_a.organization,
            victim=victim,
            name=f"Synthetic Reporter {n}",
            relationship="sibling",
            contact_channels=f"Synthetic channel {n}",
            safe_to_contact=n != 1,
        )
    services.evidence_add(
        victim=victim, added_by=org_a.caseworker, files=[upload_of(synthetic_jpeg(), "a.jpg")], description="Photo A"
    )
    services.evidence_add(victim=victim, added_by=org_a.caseworker, files=[upload_of(SYNTHETIC_PDF, "b.pdf")])
    services.victim_change_status(
        victim=victim, to_status="verified", changed_by=org_a.caseworker, reason="Synthetic reason"
    )
    many = queries_of(client, url)
    page = client.get(url).content.decode()
    assert many == few <= MAX_QUERIES, f"{few} queries for an empty case, {many} with reporters, files and a status"
    for n in range(3):
        assert f"Synthetic Reporter {n}" in page and f"Synthetic channel {n}" in page
    assert page.count("not safe to contact") == 1
    assert page.count('data-testid="evidence-') == 2 and "Photo A" in page
    assert "Synthetic reason" in page
