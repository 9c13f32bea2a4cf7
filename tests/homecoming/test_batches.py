from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import VictimStatusChange
from cases.signals import list_match_confirmed
from homecoming import services
from homecoming.models import BatchMember, ReturnFollowUp, StepRecord
from homecoming.selectors import batch_rows

from .builders import batch, ready_member, released_victim, screened

pytestmark = pytest.mark.django_db


def test_the_batch_page_shows_each_members_blockers(org_a, client):
    the_batch = batch(org_a)
    blocked = released_victim(org_a, full_name="Synthetic Blocked")
    services.member_add(batch=the_batch, victim=blocked, added_by=org_a.caseworker)
    ready = released_victim(org_a, full_name="Synthetic Ready")
    ready_member(org_a, ready, the_batch)
    rows = {row.member.victim_id: row.blockers for row in batch_rows(batch=the_batch, now=timezone.now())}
    assert rows[ready.pk] == []
    assert {"No consent to travel", "No travel document", "Not screened"} <= set(rows[blocked.pk])
    client.force_login(org_a.caseworker)
    page = client.get(reverse("homecoming:batch_detail", args=[the_batch.pk])).content.decode()
    assert "No travel document" in page and "Synthetic Ready" in page


def test_departure_before_clearance_is_refused_next_to_the_field_and_nothing_is_saved(org_a):
    victim = released_victim(org_a)
    screened(org_a, victim)
    member = services.member_add(batch=batch(org_a), victim=victim, added_by=org_a.caseworker)
    with pytest.raises(ValidationError) as error:
        services.member_record_steps(
            member=member, recorded_by=org_a.caseworker, consent_to_travel="given", departed_at=timezone.now()
        )
    assert "immigration clearance" in error.value.message_dict["departed_at"][0]
    member.refresh_from_db()
    assert member.consent_to_travel == "pending" and member.departed_at is None


def test_arrival_before_departure_is_refused(org_a):
    now = timezone.now()
    member = ready_member(org_a, released_victim(org_a), batch(org_a))
    services.member_record_steps(member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        services.member_record_steps(member=member, recorded_by=org_a.caseworker, arrived_at=now - timedelta(hours=5))
    assert "before the departure" in error.value.message_dict["arrived_at"][0]
    member.refresh_from_db()
    assert member.arrived_at is None


def test_a_person_cannot_be_in_two_batches_departing_the_same_day(org_a):
    day = timezone.localdate()
    victim = released_victim(org_a)
    services.member_add(batch=batch(org_a, departs_on=day), victim=victim, added_by=org_a.caseworker)
    with pytest.raises(ValidationError) as error:
        services.member_add(batch=batch(org_a, departs_on=day), victim=victim, added_by=org_a.caseworker)
    assert "departing the same day" in error.value.message_dict["victim"][0]
    assert BatchMember.objects.filter(victim=victim).count() == 1


def test_the_steps_form_keeps_the_message_next_to_the_field(org_a, client):
    member = services.member_add(batch=batch(org_a), victim=released_victim(org_a), added_by=org_a.caseworker)
    client.force_login(org_a.caseworker)
    response = client.post(
        reverse("homecoming:member_detail", args=[member.pk]),
        {
            "action": "steps",
            "travel_document": "unknown",
            "clearance": "pending",
            "consent_to_travel": "pending",
            "medical_fitness": "pending",
            "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "Record the departure before the arrival." in response.content.decode()


def test_a_member_moves_to_another_batch_with_the_steps_already_done(org_a):
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    later = batch(org_a, departs_on=timezone.localdate() + timedelta(days=3))
    moved = services.member_move(member=member, to_batch=later, moved_by=org_a.supervisor)
    member.refresh_from_db()
    assert member.status == "moved" and member.moved_to == moved
    assert moved.batch == later and moved.clearance == "waived" and moved.status == "active"


def test_the_case_timeline_shows_every_step_with_who_recorded_it(org_a, client):
    victim = released_victim(org_a)
    ready_member(org_a, victim, batch(org_a))
    assert StepRecord.objects.filter(victim=victim).count() == 5  # added + four steps
    client.force_login(org_a.caseworker)
    page = client.get(reverse("cases:victim_detail", args=[victim.pk])).content.decode()
    assert "Repatriation: Immigration clearance" in page
    assert "Overstay fine waived" in page
    assert org_a.caseworker.display_name in page


def test_arrival_schedules_the_30_and_90_day_follow_ups_and_marks_the_case_repatriated(org_a):
    now = timezone.now()
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    services.member_record_steps(
        member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=6), arrived_at=now
    )
    due = sorted(ReturnFollowUp.objects.filter(victim=victim).values_list("days_after_return", "due_at"))
    assert [d for d, _at in due] == [30, 90]
    assert due[0][1] == now + timedelta(days=30)
    victim.refresh_from_db()
    assert victim.status == "repatriated"


class _List:
    def __init__(self, kind):
        self.kind = kind
        self.published = timezone.localdate()


class _Entry:
    def __init__(self, pk, kind):
        self.pk = pk
        self.released_list = _List(kind)


def test_a_confirmed_match_on_an_arrived_list_completes_the_departure_and_arrival(org_a):
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    list_match_confirmed.send(sender=None, victim=victim, entry=_Entry(77, "arrived"), confirmed_by=org_a.caseworker)
    member.refresh_from_db()
    assert member.departed_at is not None and member.arrived_at is not None


def test_a_released_person_on_no_arrival_list_and_silent_shows_as_missing_in_transit(org_a):
    from homecoming.models import ListSighting
    from homecoming.selectors import screening_queue

    victim = released_victim(org_a)
    screened(org_a, victim)  # screened, so only the missing flag brings them back to the queue
    list_match_confirmed.send(sender=None, victim=victim, entry=_Entry(5, "released"), confirmed_by=org_a.caseworker)
    ListSighting.objects.update(confirmed_at=timezone.now() - timedelta(days=10))
    rows = screening_queue(organization=org_a.organization, now=timezone.now())
    assert [(r.victim.pk, r.missing) for r in rows] == [(victim.pk, True)]


def test_a_risk_flag_raises_the_risk_level_and_puts_a_contact_due_now(org_a):
    victim = released_victim(org_a, risk_level="low")
    services.flag_raise(victim=victim, raised_by=org_a.caseworker, signs=["recruited_again", "debts"])
    victim.refresh_from_db()
    assert victim.risk_level == "high"
    assert ReturnFollowUp.objects.filter(victim=victim, reason="risk", done_at__isnull=True).count() == 1


def test_the_demo_has_two_batches_in_progress_with_every_step_and_one_blocked_member():
    from demo.seeding import seed_demo

    seed_demo(victims=120)
    from homecoming.models import RepatriationBatch

    batches = list(RepatriationBatch.objects.all())
    assert len(batches) >= 2
    members = BatchMember.objects.filter(status="active")
    assert members.filter(handed_to__isnull=False).exists()
    assert members.filter(arrived_at__isnull=False, handed_to__isnull=True).exists()
    assert members.filter(departed_at__isnull=False, arrived_at__isnull=True).exists()
    assert members.filter(travel_document="held", consent_to_travel="pending").exists()
    # Both in progress (someone in each not home yet), and someone at each step before departure too.
    in_progress = {m.batch_id for m in members.filter(arrived_at__isnull=True)}
    assert len(in_progress) >= 2
    assert members.filter(consent_to_travel="given", medical_fitness="fit", departed_at__isnull=True).exists()
    assert members.filter(clearance__in=["waived", "paid"], consent_to_travel="pending").exists()
    # One blocked member per organisation (passport with the traffickers), and the batch page says why.
    blocked = list(members.filter(travel_document="held"))
    assert len({m.organization_id for m in blocked}) == len(blocked)
    for member in blocked:
        [row] = [r for r in batch_rows(batch=member.batch, now=timezone.now()) if r.member.pk == member.pk]
        assert {"No consent to travel", "No travel document"} <= set(row.blockers)


def test_a_risk_flag_on_a_reintegrated_case_reopens_it_with_who_and_why_on_record(org_a):
    victim = released_victim(org_a, risk_level="low")
    for status in ("repatriated", "reintegrated"):
        case_services.victim_change_status(victim=victim, to_status=status, changed_by=org_a.caseworker)
    victim.refresh_from_db()
    assert victim.is_closed
    services.flag_raise(victim=victim, raised_by=org_a.supervisor, signs=["recruited_again", "threats"])
    victim.refresh_from_db()
    assert victim.status == "repatriated" and not victim.is_closed and victim.risk_level == "high"
    step = VictimStatusChange.objects.filter(victim=victim).latest("changed_at", "pk")
    assert (step.from_status, step.to_status, step.changed_by) == ("reintegrated", "repatriated", org_a.supervisor)
    assert step.reason == "Re-trafficking risk flag: Recruited again, Threats"
    assert ReturnFollowUp.objects.filter(victim=victim, reason="risk", done_at__isnull=True).count() == 1


def test_adding_a_person_already_in_a_batch_departing_the_same_day_shows_why_next_to_the_case_number(org_a, client):
    day = timezone.localdate()
    victim = released_victim(org_a)
    first = batch(org_a, departs_on=day)
    services.member_add(batch=first, victim=victim, added_by=org_a.caseworker)
    second = batch(org_a, departs_on=day)
    client.force_login(org_a.caseworker)
    response = client.post(
        reverse("homecoming:batch_add_member", args=[second.pk]), {"case_number": victim.case_number}
    )
    assert response.status_code == 200
    assert response.context["add_form"].errors["case_number"] == [
        f"{victim.case_number} is already in {first}, departing the same day. Move them instead."
    ]
    assert "departing the same day" in response.content.decode()
    assert list(BatchMember.objects.filter(victim=victim).values_list("batch_id", flat=True)) == [first.pk]
    assert StepRecord.objects.filter(victim=victim).count() == 1  # only the first add


def test_the_hand_over_at_home_is_refused_before_the_arrival_and_recorded_after_it(org_a):
    from .builders import embassy

    now = timezone.now()
    member = ready_member(org_a, released_victim(org_a), batch(org_a))
    home_agency = embassy()
    with pytest.raises(ValidationError) as error:
        services.member_record_steps(
            member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=2), handed_to=home_agency
        )
    assert error.value.message_dict["handed_to"] == ["Record the arrival before the hand-over at home."]
    member.refresh_from_db()
    assert member.departed_at is None and member.handed_to is None  # nothing saved half
    services.member_record_steps(
        member=member,
        recorded_by=org_a.supervisor,
        departed_at=now - timedelta(hours=2),
        arrived_at=now,
        handed_to=home_agency,
    )
    member.refresh_from_db()
    assert member.handed_to == home_agency
    step = StepRecord.objects.get(member=member, step="handed_to")
    assert step.recorded_by == org_a.supervisor and home_agency.name in step.value
