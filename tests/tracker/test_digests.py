"""The weekly digest: content per role without personal data, one per member per ISO week, in local time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, User
from cases import services
from cases.models import Victim
from tests.catalogue import compile_catalogue
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    make_overdue_request,
    make_referral,
    make_request,
    make_victim,
)
from tracker import digests, outbox
from tracker.digests import render_digest, sweep_digests
from tracker.models import DigestCheckpoint, OutboxMessage
from tracker.sweeps import sweep_escalations

from .conftest import assert_no_personal_data, bulk_caseload

pytestmark = pytest.mark.django_db

# Alpha NGO: Asia/Bangkok, digest on Mondays at 08:00 local = Monday 01:00 UTC.
MONDAY_SLOT = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # ISO week 2026-W11


def digests_to(email: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.DIGEST, recipient_email=email))


def membership(user, organization) -> Membership:
    return Membership.objects.select_related("user", "organization").get(user=user, organization=organization)


def checkpoint(org_users, slot: datetime, week: str) -> None:
    for user in (org_users.caseworker, org_users.caseworker2, org_users.supervisor, org_users.org_admin):
        DigestCheckpoint.objects.create(
            user=user, organization=org_users.organization, last_slot_at=slot, last_week=week
        )


def test_a_member_without_a_checkpoint_gets_this_weeks_digest_at_once(org_a):
    result = sweep_digests(now=MONDAY_SLOT + timedelta(days=2))

    assert result.queued == 4  # every member of Alpha NGO
    assert [d.dedupe_key.rsplit(":", 1)[1] for d in digests_to(org_a.caseworker.email)] == ["2026-W11"]


def test_the_digest_goes_at_the_local_weekday_and_hour_once_per_week(org_a):
    checkpoint(org_a, MONDAY_SLOT - timedelta(days=7), "2026-W10")

    assert sweep_digests(now=MONDAY_SLOT - timedelta(minutes=1)).queued == 0
    assert sweep_digests(now=MONDAY_SLOT).queued == 4
    assert sweep_digests(now=MONDAY_SLOT + timedelta(hours=1)).queued == 0
    assert sweep_digests(now=MONDAY_SLOT + timedelta(days=6, hours=23)).queued == 0
    assert sweep_digests(now=MONDAY_SLOT + timedelta(days=7)).queued == 4


def test_a_scheduler_down_for_weeks_catches_up_once(org_a):
    checkpoint(org_a, MONDAY_SLOT - timedelta(days=21), "2026-W08")

    late = sweep_digests(now=MONDAY_SLOT + timedelta(days=2))
    later = sweep_digests(now=MONDAY_SLOT + timedelta(days=3))

    assert (late.queued, later.queued) == (4, 0)
    assert len(digests_to(org_a.caseworker.email)) == 1


def test_moving_the_digest_to_a_later_day_mid_week_does_not_send_a_second_one(org_a):
    org = org_a.organization
    checkpoint(org_a, MONDAY_SLOT - timedelta(days=7), "2026-W10")
    sweep_digests(now=MONDAY_SLOT)  # Monday W11 sent
    org.digest_weekday = org.Weekday.FRIDAY
    org.save()

    assert sweep_digests(now=datetime(2026, 3, 13, 2, 0, tzinfo=UTC)).queued == 0  # Friday 09:00 Bangkok, W11
    assert sweep_digests(now=datetime(2026, 3, 20, 1, 0, tzinfo=UTC)).queued == 4  # Friday 08:00, W12
    assert len(digests_to(org_a.caseworker.email)) == 2


def test_moving_the_digest_to_an_earlier_day_mid_week_sends_the_missed_week_once(org_a):
    org = org_a.organization
    org.digest_weekday = org.Weekday.FRIDAY
    org.save()
    checkpoint(org_a, datetime(2026, 3, 6, 1, 0, tzinfo=UTC), "2026-W10")  # Friday of W10 was sent
    wednesday = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    org.digest_weekday = org.Weekday.MONDAY
    org.save()

    assert sweep_digests(now=wednesday).queued == 4  # Monday of W11 has passed without a digest: catch up
    assert sweep_digests(now=datetime(2026, 3, 13, 2, 0, tzinfo=UTC)).queued == 0  # and no Friday one too


def test_moving_the_digest_to_a_day_in_the_past_week_sends_nothing_until_next_week(org_a):
    org = org_a.organization
    checkpoint(org_a, MONDAY_SLOT, "2026-W11")
    org.digest_weekday = org.Weekday.SUNDAY
    org.save()

    assert sweep_digests(now=datetime(2026, 3, 11, 3, 0, tzinfo=UTC)).queued == 0  # latest Sunday is in W10
    assert sweep_digests(now=datetime(2026, 3, 15, 1, 0, tzinfo=UTC)).queued == 0  # Sunday of W11: had W11's
    assert sweep_digests(now=datetime(2026, 3, 22, 1, 0, tzinfo=UTC)).queued == 4  # Sunday of W12


def test_a_member_who_opted_out_gets_no_digest_but_still_gets_escalations(org_a):
    org_a.supervisor.receives_digest = False
    org_a.supervisor.save()
    now = MONDAY_SLOT + timedelta(hours=1)
    make_overdue_request(victim=make_victim(organization=org_a.organization), days_overdue=9, now=now)

    sweep_digests(now=now)
    sweep_escalations(now=now)

    assert digests_to(org_a.supervisor.email) == []
    assert OutboxMessage.objects.filter(kind="escalation", recipient_email=org_a.supervisor.email).count() == 1


def test_a_caseworkers_digest_lists_their_own_work_by_case_number(org_a, org_b):
    org = org_a.organization
    now = MONDAY_SLOT
    mine = make_victim(organization=org, assigned_to=org_a.caseworker, now=now - timedelta(days=30))
    overdue = make_overdue_request(victim=mine, days_overdue=4, now=now)
    new_case = make_victim(organization=org, assigned_to=org_a.caseworker, now=now - timedelta(days=2))
    urgent_case = make_victim(organization=org, assigned_to=org_a.caseworker)
    make_request(victim=urgent_case, priority="urgent", now=now)
    services.victim_change_status(victim=new_case, to_status="rescued", changed_by=None, now=now - timedelta(days=1))
    Victim.objects.filter(pk=mine.pk).update(created_at=now - timedelta(days=30))
    Victim.objects.filter(pk=new_case.pk).update(created_at=now - timedelta(days=2))
    Victim.objects.filter(pk=urgent_case.pk).update(created_at=now - timedelta(hours=1))
    referral = make_referral(victim=mine, agency=AgencyFactory())
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=now - timedelta(days=1))
    theirs = make_victim(organization=org, assigned_to=org_a.caseworker2)
    make_overdue_request(victim=theirs, now=now)
    other_org = make_victim(organization=org_b.organization, assigned_to=org_b.caseworker)

    subject, text, html = render_digest(membership=membership(org_a.caseworker, org), now=now, week="2026-W11")

    assert subject == "Homeward weekly digest, 2026-W11 – Alpha NGO"
    assert "Overdue follow-ups (1)" in text
    assert f"- {overdue.victim.case_number}: 4 days overdue, Normal" in text
    assert f"http://localhost:8000/cases/{mine.pk}/" in text
    assert "Open rescue requests: 2 (urgent 1, high 0, normal 1); overdue: 1" in text
    assert "Referrals awaiting a response (1)" in text
    assert f"New cases this week (2)\n- {new_case.case_number}" in text  # not `mine`: it is 30 days old
    assert f"- {new_case.case_number}: Reported → Rescued" in text
    assert f"Not heard from in 14 days (1)\n- {mine.case_number}: no contact recorded" in text
    assert theirs.case_number not in text and other_org.case_number not in text
    assert "Team" not in text  # caseworkers get no team view
    assert f'href="http://localhost:8000/cases/{mine.pk}/"' in html


def test_a_supervisors_digest_adds_the_team_unassigned_cases_and_escalations(org_a):
    org = org_a.organization
    now = MONDAY_SLOT
    slipping = make_overdue_request(
        victim=make_victim(organization=org, assigned_to=org_a.caseworker), days_overdue=10, now=now
    )
    make_overdue_request(victim=make_victim(organization=org, assigned_to=None), days_overdue=1, now=now)
    sweep_escalations(now=now - timedelta(days=1))

    _subject, text, html = render_digest(membership=membership(org_a.supervisor, org), now=now, week="2026-W11")

    assert "- Caseworker Alpha: 1 open requests, 1 overdue, 1 open cases" in text
    assert "- Caseworker2 Alpha: 0 open requests, 0 overdue, 0 open cases" in text
    assert "- Unassigned: 1 open requests, 1 overdue, 1 open cases" in text
    assert f"Escalated this week (1)\n- {slipping.victim.case_number}: 10 days overdue" in text
    assert "Overdue follow-ups (2)" in text  # the whole organisation's
    assert "<th" in html and "Caseworker Alpha" in html


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_an_empty_week_says_so_in_one_line(org_a, role):
    user = org_a.by_role(role)

    _subject, text, html = render_digest(membership=membership(user, org_a.organization), now=MONDAY_SLOT, week="W")

    nothing = "Nothing to report this week: no open requests, no referrals awaiting a response, no new cases."
    assert nothing in text and nothing in html
    assert "Overdue follow-ups" not in text and "Team" not in text


def test_a_digest_arrives_by_smtp_with_both_parts_and_no_personal_data(org_a, smtp_server):
    now = MONDAY_SLOT
    victim = make_victim(
        organization=org_a.organization,
        assigned_to=org_a.caseworker,
        full_name="Synthetic Person Lwin",
        passport_number="SYNPASS7654321",
        phone_numbers="+000 555 0199",
        messaging_handles="LINE: @synthetic_handle",
        last_known_location="Mae Sot bus station",
        now=now - timedelta(days=1),
    )
    make_overdue_request(victim=victim, now=now)
    sweep_digests(now=now, organization=org_a.organization)

    outbox.deliver_due(now=now)

    [received] = smtp_server.to(org_a.caseworker.email)
    assert received.subject == "Homeward weekly digest, 2026-W11 – Alpha NGO"
    assert victim.case_number in received.text and victim.case_number in received.html
    assert received.html.lstrip().startswith("<!DOCTYPE html>")
    assert_no_personal_data(received)
    assert len(smtp_server.received) == 4  # every member, one each


@pytest.mark.parametrize("caseload", [5, 500])
def test_a_digest_for_a_caseworker_with_many_open_requests_runs_a_fixed_number_of_queries(org_a, caseload):
    bulk_caseload(
        organization=org_a.organization,
        assigned_to=org_a.caseworker,
        count=caseload,
        due_at=MONDAY_SLOT - timedelta(days=3),
        opened_at=MONDAY_SLOT - timedelta(days=40),
    )
    member = membership(org_a.caseworker, org_a.organization)

    with CaptureQueriesContext(connection) as queries:
        _subject, text, _html = render_digest(membership=member, now=MONDAY_SLOT, week="2026-W11")

    assert f"Overdue follow-ups ({caseload})" in text
    assert (f"…and {caseload - 50} more." in text) is (caseload > 50)
    assert len(queries) <= 12, [q["sql"][:60] for q in queries]


# --- A run of many members: facts read at once, each member's own digest ---------------------------------------


def caseworkers_with_work(org_users, count: int, *, now: datetime, start: int = 0) -> list:
    """`count` more caseworkers, each with an overdue request on a case reported this week and a referral."""
    users = []
    for i in range(start, start + count):
        user = UserFactory(email=f"extra{i}@alpha.example.org", display_name=f"Extra {i}")
        MembershipFactory(user=user, organization=org_users.organization, role=Membership.Role.CASEWORKER)
        victim = make_victim(organization=org_users.organization, assigned_to=user, now=now - timedelta(days=2))
        Victim.objects.filter(pk=victim.pk).update(created_at=now - timedelta(days=2))
        make_overdue_request(victim=victim, days_overdue=1 + i, now=now)
        services.referral_send(
            referral=make_referral(victim=victim, agency=AgencyFactory()), sent_by=user, now=now - timedelta(days=1)
        )
        users.append(user)
    return users


def digest_run_queries(organization) -> tuple[int, int]:
    """How many digests a run queues and how many queries it takes (rolled back: the next run finds them due)."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        result = sweep_digests(now=MONDAY_SLOT, organization=organization)
        transaction.set_rollback(True)
    return result.queued, len(queries)


def test_a_digest_run_takes_as_many_queries_for_12_members_as_for_3(org_a):
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=None), now=MONDAY_SLOT)
    caseworkers_with_work(org_a, 3, now=MONDAY_SLOT)
    queued_few, few = digest_run_queries(org_a.organization)
    caseworkers_with_work(org_a, 9, now=MONDAY_SLOT, start=3)
    queued_many, many = digest_run_queries(org_a.organization)

    assert (queued_few, queued_many) == (3 + 4, 12 + 4)  # and the two caseworkers, supervisor and admin of org_a
    assert many == few  # it was 19 queries a member
    assert few <= 32


def test_in_a_run_each_member_gets_the_digest_they_would_get_alone_in_their_own_language(org_a, settings, tmp_path):
    settings.LOCALE_PATHS = [compile_catalogue(tmp_path, "th", {"Normal": "ปกติ", "Team": "ทีม"})]
    now = MONDAY_SLOT
    extra = caseworkers_with_work(org_a, 3, now=now)
    thai = [extra[1], org_a.supervisor]
    User.objects.filter(pk__in=[u.pk for u in thai]).update(language="th")
    services.victim_change_status(
        victim=Victim.objects.get(assigned_to=extra[2]),
        to_status="rescued",
        changed_by=None,
        now=now - timedelta(hours=2),
    )

    sweep_digests(now=now, organization=org_a.organization)

    members = Membership.objects.filter(organization=org_a.organization).select_related("user", "organization")
    for member in members:
        [digest] = digests_to(member.user.email)
        alone = render_digest(membership=member, now=now, week="2026-W11")
        assert (digest.subject, digest.body_text, digest.body_html) == alone, member.user.email
    texts = {u.email: digests_to(u.email)[0].body_text for u in extra}
    for user in extra:
        own = Victim.objects.get(assigned_to=user).case_number
        assert own in texts[user.email]
        assert all(own not in text for email, text in texts.items() if email != user.email)
    assert "ปกติ" in texts[extra[1].email] and "ปกติ" not in texts[extra[0].email]
    assert "Reported → Rescued" in texts[extra[2].email]
    assert "ทีม" in digests_to(org_a.supervisor.email)[0].body_text
    assert "\nTeam\n" in digests_to(org_a.org_admin.email)[0].body_text


def test_a_run_that_stops_half_way_loses_and_repeats_no_digest(org_a, monkeypatch):
    now = MONDAY_SLOT
    caseworkers_with_work(org_a, 3, now=now)
    monkeypatch.setattr(digests, "CHUNK", 2)
    real_enqueue, calls = digests.enqueue, []

    def enqueue_then_fail(drafts, *, now):
        calls.append(len(drafts))
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real_enqueue(drafts, now=now)

    monkeypatch.setattr(digests, "enqueue", enqueue_then_fail)
    with pytest.raises(ConnectionError):
        sweep_digests(now=now, organization=org_a.organization)
    assert OutboxMessage.objects.filter(kind="digest").count() == 2  # the first chunk, with its checkpoints
    assert DigestCheckpoint.objects.count() == 2

    again = sweep_digests(now=now + timedelta(minutes=10), organization=org_a.organization)

    assert again.found == again.queued == 5
    members = Membership.objects.filter(organization=org_a.organization)
    assert sorted(OutboxMessage.objects.filter(kind="digest").values_list("recipient_id", flat=True)) == sorted(
        members.values_list("user_id", flat=True)
    )
