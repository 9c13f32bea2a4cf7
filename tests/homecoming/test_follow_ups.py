from datetime import timedelta

import pytest
from django.utils import timezone

from homecoming import services
from homecoming.models import BatchMember, ReturnSettings
from tracker.models import OutboxMessage
from tracker.tasks import run_sweep

from .builders import batch, ready_member, released_victim

pytestmark = pytest.mark.django_db


def _stuck_member(org, *, days):
    victim = released_victim(org, assigned_to=org.caseworker)
    member = services.member_add(batch=batch(org), victim=victim, added_by=org.caseworker)
    BatchMember.objects.filter(pk=member.pk).update(last_step_at=timezone.now() - timedelta(days=days))
    return member


def test_a_stuck_member_reminds_the_caseworker_once_however_often_the_sweep_runs(org_a):
    _stuck_member(org_a, days=8)
    for _ in range(3):
        run_sweep("homecoming", queue_delivery=False)
    sent = OutboxMessage.objects.filter(kind="reminder")
    assert [m.recipient_id for m in sent] == [org_a.caseworker.pk]
    assert "no step on the way home" in sent[0].body_text
    assert "Synthetic" not in sent[0].body_text + sent[0].subject  # case numbers only, never names


def test_a_member_stuck_twice_as_long_goes_to_the_supervisors(org_a):
    _stuck_member(org_a, days=15)
    run_sweep("homecoming", queue_delivery=False)
    escalations = OutboxMessage.objects.filter(kind="escalation")
    assert {m.recipient_id for m in escalations} == {org_a.supervisor.pk}


def test_the_stuck_threshold_is_the_organisations_setting(org_a):
    ReturnSettings.objects.create(organization=org_a.organization, stuck_after_days=20)
    _stuck_member(org_a, days=8)
    run_sweep("homecoming", queue_delivery=False)
    assert not OutboxMessage.objects.exists()


def test_the_30_day_contact_after_return_reminds_when_due_and_stops_once_recorded(org_a):
    now = timezone.now()
    victim = released_victim(org_a, assigned_to=org_a.caseworker)
    member = ready_member(org_a, victim, batch(org_a))
    services.member_record_steps(
        member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=3), arrived_at=now
    )
    run_sweep("homecoming", now=now + timedelta(days=29), queue_delivery=False)
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="return:").exists()
    run_sweep("homecoming", now=now + timedelta(days=31), queue_delivery=False)
    run_sweep("homecoming", now=now + timedelta(days=32), queue_delivery=False)
    assert OutboxMessage.objects.filter(dedupe_key__startswith="return:").count() == 1
    first = victim.return_follow_ups.order_by("due_at").first()
    services.follow_up_done(follow_up=first, done_by=org_a.caseworker, outcome="reached")
    run_sweep("homecoming", now=now + timedelta(days=40), queue_delivery=False)
    assert OutboxMessage.objects.filter(dedupe_key__startswith="return:").count() == 1


def test_the_supervisors_digest_counts_people_per_stage_without_names(org_a):
    from accounts.models import Membership
    from tracker.digests import digest_context

    victim = released_victim(org_a, full_name="Synthetic Digest Person")
    ready_member(org_a, victim, batch(org_a))
    membership = Membership.objects.get(user=org_a.supervisor, organization=org_a.organization)
    context = digest_context(membership=membership, now=timezone.now())
    stages = dict(context["homecoming"]["stages"])
    assert stages["In a batch, not departed"] == 1
    assert context["homecoming"]["batches"][0]["members"] == 1
    assert "Synthetic Digest Person" not in str(context["homecoming"])


def test_the_weekly_digest_email_counts_people_per_stage_and_per_batch_and_names_nobody(org_a):
    from django.core import mail

    from tracker import outbox
    from tracker.digests import sweep_digests

    now = timezone.now()
    the_batch = batch(org_a)
    waiting = released_victim(org_a, full_name="Synthetic Digest Waiting", passport_number="SYNPASS1111111")
    ready_member(org_a, waiting, the_batch)
    gone = released_victim(org_a, full_name="Synthetic Digest Departed", passport_number="SYNPASS2222222")
    member = ready_member(org_a, gone, the_batch)
    services.member_record_steps(member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=1))
    released_victim(org_a, full_name="Synthetic Digest Unscreened")

    sweep_digests(now=now, organization=org_a.organization)
    outbox.deliver_due(now=now)

    [email] = [m for m in mail.outbox if m.to == [org_a.supervisor.email]]
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "In a batch, not departed" in body and "Departed, not arrived" in body
        assert "2 people, 1 departed, 0 arrived" in body
    assert "- Awaiting screening: 1" in email.body and "- In a batch, not departed: 1" in email.body
    assert "- Departed, not arrived: 1" in email.body
    everything = "\n".join([email.subject, email.body, html, email.message().as_string()])
    for secret in ("Synthetic Digest", "SYNPASS"):
        assert secret not in everything


def test_the_contacts_after_return_fall_on_the_days_the_organisation_set(org_a):
    ReturnSettings.objects.create(organization=org_a.organization, follow_up_days="14, 60,180")
    now = timezone.now()
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    services.member_record_steps(
        member=member, recorded_by=org_a.caseworker, departed_at=now - timedelta(hours=3), arrived_at=now
    )
    due = sorted(victim.return_follow_ups.values_list("days_after_return", "due_at"))
    assert due == [(14, now + timedelta(days=14)), (60, now + timedelta(days=60)), (180, now + timedelta(days=180))]
