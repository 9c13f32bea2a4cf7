"""The supervisors' picture: people per stage per nationality as a server-drawn SVG, with median days per stage."""

from datetime import datetime, timedelta
from statistics import median

import pytest
from django.urls import reverse
from django.utils import timezone

from homecoming.chart import stage_chart_svg
from homecoming.selectors import overview
from tests.factories import sign_in_verified

from .builders import batch, ready_member, released_victim, screened

pytestmark = pytest.mark.django_db


def test_the_overview_counts_people_per_stage_and_nationality_with_the_median_days_in_each(org_a, org_b):
    now = timezone.now()
    waiting = [
        released_victim(org_a, now=now, days_ago=days_ago, citizenship=citizenship)
        for days_ago, citizenship in ((2, "MM"), (4, "MM"), (9, "CN"))
    ]
    in_batch = released_victim(org_a, now=now, days_ago=5, citizenship="CN")
    ready_member(org_a, in_batch, batch(org_a), now=now - timedelta(days=3))
    released_victim(org_b, now=now, days_ago=30, citizenship="VN")  # another organisation's person never counts

    data = overview(organization=org_a.organization, now=now)

    assert data.total == 4
    assert dict(data.counts["awaiting_screening"]) == {"MM": 2, "CN": 1}
    assert dict(data.counts["in_batch"]) == {"CN": 1}
    assert "VN" not in data.nationalities

    def days_waiting(victim):  # from the start of the release day, in the organisation's zone
        tz = org_a.organization.tzinfo
        return (now - timezone.make_aware(datetime.combine(victim.released_on, datetime.min.time()), tz)).days

    assert data.median_days["awaiting_screening"] == median(days_waiting(v) for v in waiting)
    assert data.median_days["in_batch"] == 3
    assert data.median_days["home"] is None


def test_the_supervisor_sees_the_chart_and_the_median_days_table_and_a_caseworker_does_not(org_a, client):
    now = timezone.now()
    released_victim(org_a, now=now, days_ago=6, citizenship="MM")
    screened(org_a, released_victim(org_a, now=now, days_ago=2, citizenship="CN"), now=now - timedelta(days=1))

    sign_in_verified(client, org_a.supervisor)
    response = client.get(reverse("homecoming:overview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "<script" not in response.context["chart"]
    assert "Median days in each stage" in page
    rows = {label: (people, median) for label, people, median in response.context["table"]}
    assert rows["Awaiting screening"][0] == 1 and rows["Awaiting screening"][1] in (6, 7)  # from midnight local
    assert rows["Screened, no batch yet"] == (1, 1)
    assert rows["Departed, not arrived"] == (0, None)

    client.force_login(org_a.caseworker)
    assert client.get(reverse("homecoming:overview")).status_code == 403


def test_the_chart_is_one_bar_per_stage_with_a_labelled_segment_per_nationality():
    from collections import Counter

    from homecoming.selectors import Overview

    data = Overview(
        stages=[("awaiting_screening", "Awaiting screening"), ("home", "Arrived home")],
        nationalities=["CN", "MM"],
        counts={"awaiting_screening": Counter({"CN": 3, "MM": 1}), "home": Counter()},
    )
    svg = stage_chart_svg(data)
    assert svg.count("<rect") == 2 + 2  # two segments, two legend keys
    assert "China: 3" in svg and ": 1</title>" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing external
