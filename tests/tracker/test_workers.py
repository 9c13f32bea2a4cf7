"""End to end with real parts: Celery worker processes, brokers (file system and Redis) and an SMTP server.

Faults: two sweeps at once, a worker killed mid-send, Redis stopped during a sweep. Each must end with every
due email delivered exactly once, for each kind of due work: overdue follow-ups (the reminders sweep) and the way
home (the homecoming sweep: members stuck on a step, contacts due 30 and 90 days after return).
"""

import os
import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from cases.models import Victim
from homecoming import services as homecoming_services
from homecoming.models import BatchMember, ReturnFollowUp
from tests.factories import make_overdue_request, make_victim
from tests.homecoming.builders import batch, ready_member, released_victim
from tracker import outbox
from tracker.models import OutboxMessage, ReminderItem, SweepLock
from tracker.schedules import install_schedules
from tracker.tasks import deliver_outbox, run_sweep

from .conftest import celery_publishing_to, filesystem_broker

pytestmark = pytest.mark.django_db(transaction=True)

S = OutboxMessage.Status


def queued_items(status: str | None = None) -> int:
    """Due items queued: each line of a reminder email (a ReminderItem) counts, every other email is one item."""
    lines = ReminderItem.objects.all()
    others = OutboxMessage.objects.filter(reminder_items__isnull=True)
    if status:
        lines, others = lines.filter(message__status=status), others.filter(status=status)
    return lines.count() + others.count()


def delivered_items(received) -> list[str]:
    """What the emails that arrived were about: each case a reminder lists, else the email's subject."""
    items = []
    for email in received:
        cases = re.findall(r"A follow-up is due on case (\S+)\.", email.text)
        items.extend(cases or [email.subject])
    return items


def due_requests(org_users, count: int, now=None):
    now = now or timezone.now()
    caseworkers = [org_users.caseworker, org_users.caseworker2]
    return [
        make_overdue_request(
            victim=make_victim(organization=org_users.organization, assigned_to=caseworkers[i % 2]),
            days_overdue=1,
            now=now,
        )
        for i in range(count)
    ]


def returnee(org_users, *, assigned_to):
    """A released person on their way home, assigned as a supervisor would (a caseworker keeps only their own)."""
    victim = released_victim(org_users)
    Victim.objects.filter(pk=victim.pk).update(assigned_to=assigned_to)
    victim.assigned_to = assigned_to
    return victim


def stuck_members(org_users, count: int, now=None) -> list:
    """Batch members with no step for eight days (past the default threshold, before the escalation)."""
    now = now or timezone.now()
    caseworkers = [org_users.caseworker, org_users.caseworker2]
    the_batch = batch(org_users)
    members = []
    for i in range(count):
        victim = returnee(org_users, assigned_to=caseworkers[i % 2])
        members.append(homecoming_services.member_add(batch=the_batch, victim=victim, added_by=org_users.caseworker))
    BatchMember.objects.filter(pk__in=[m.pk for m in members]).update(last_step_at=now - timedelta(days=8))
    return members


def contacts_after_return(org_users, count: int, now=None) -> list:
    """Returned people whose contact after return is due: the 30-day one for some, the 90-day one for others."""
    now = now or timezone.now()
    caseworkers = [org_users.caseworker, org_users.caseworker2]
    the_batch = batch(org_users)
    due = []
    for i in range(count):
        victim = returnee(org_users, assigned_to=caseworkers[i % 2])
        homecoming_services.member_record_steps(
            member=ready_member(org_users, victim, the_batch),
            recorded_by=org_users.caseworker,
            departed_at=timezone.now() - timedelta(hours=3),
            arrived_at=timezone.now(),
        )
        follow_up = ReturnFollowUp.objects.get(victim=victim, days_after_return=30 if i % 2 == 0 else 90)
        ReturnFollowUp.objects.filter(pk=follow_up.pk).update(due_at=now - timedelta(hours=1))
        due.append(follow_up)
    return due


# Each kind of due work: the sweep that finds it, and how to make `count` of it (caseworkers taking turns).
DUE_WORK = {
    "overdue_requests": ("reminders", due_requests),
    "stuck_members": ("homecoming", stuck_members),
    "contacts_after_return": ("homecoming", contacts_after_return),
}


@pytest.fixture(params=list(DUE_WORK))
def due_work(request):
    """(sweep name, maker) for one kind of due work; a test taking it runs once per kind."""
    return DUE_WORK[request.param]


def settle(
    smtp_server, expected: int, worker, broker_url, options=None, *, again=(), then=None, timeout: float = 45.0
) -> list:
    """Wait for `expected` emails, then until no work that could send a duplicate is left.

    A duplicate can only come from work still queued or running, so: wait until the worker has finished every task
    it received and nothing is left on the broker. With `again` (task names), each of those tasks must also have
    run, start to finish, after the emails arrived (e.g. beat's next sweep and delivery, which would find a row to
    send twice if there were one).
    """
    smtp_server.wait_for(expected, timeout=timeout)
    seen = {id for _, id, _ in worker.tasks()}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = {name for name, id, event in worker.tasks() if id not in seen and event == "succeeded"}
        if set(again) <= finished:
            break
        time.sleep(0.1)
    if then:
        then()  # e.g. pause beat, so that "idle" can be seen on a slow machine where beat's next tick comes first
    worker.wait_until_idle(broker_url, options, timeout=timeout)
    return list(smtp_server.received)


def pause_every_schedule() -> None:
    """What an admin's pause does: beat sees the change on its next tick and sends nothing more."""
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    PeriodicTask.objects.update(enabled=False)
    PeriodicTasks.update_changed()


BROKERS = ["filesystem"] + (["redis"] if os.environ.get("REDIS_URL") else [])


@pytest.mark.parametrize("broker", BROKERS)
def test_beat_and_a_worker_turn_due_work_into_exactly_one_email(
    org_a, tmp_path, smtp_server, start_worker, settings, broker, due_work
):
    sweep, make_due = due_work
    settings.TRACKER_SWEEP_EVERY_SECONDS = 1
    settings.TRACKER_DELIVERY_EVERY_SECONDS = 1
    install_schedules()
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(task="tracker.tasks.sweep_digests_task").update(enabled=False)  # paused in admin
    [item] = make_due(org_a, 1)
    broker_url = os.environ["REDIS_URL"] if broker == "redis" else "filesystem://"
    options = None if broker == "redis" else filesystem_broker(tmp_path / "celery-broker")[1]  # the worker's var dir

    worker = start_worker(broker_url=broker_url, beat=True)
    # Beat keeps sweeping every second meanwhile: one more sweep and delivery must have run, sending nothing twice.
    again = (f"tracker.tasks.sweep_{sweep}_task", "tracker.tasks.deliver_outbox")
    received = settle(smtp_server, 1, worker, broker_url, options, again=again, then=pause_every_schedule)

    assert [r.rcpt_tos for r in received] == [[org_a.caseworker.email]]
    assert item.victim.case_number in received[0].subject
    assert OutboxMessage.objects.get().status == S.SENT


def test_a_worker_killed_mid_send_delivers_once_after_the_lease_expires(
    org_a, tmp_path, smtp_server, start_worker, due_work
):
    sweep, make_due = due_work
    make_due(org_a, 1)
    run_sweep(sweep, queue_delivery=False)
    smtp_server.stall_next_data.set()  # the first send hangs in DATA, like a slow mail server
    broker_url, options = filesystem_broker(tmp_path / "celery-broker")
    worker = start_worker(broker_url=broker_url)

    with celery_publishing_to(broker_url, options):
        deliver_outbox.delay()
    assert smtp_server.data_stalled.wait(timeout=45), worker.output()[-2000:]
    worker.kill()

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, smtp_server.received) == (S.SENDING, 1, [])
    assert outbox.deliver_due(now=timezone.now())["claimed"] == 0  # the lease still holds
    assert outbox.deliver_due(now=message.claimed_until + timedelta(seconds=1))["sent"] == 1

    assert [r.rcpt_tos for r in smtp_server.received] == [[org_a.caseworker.email]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (S.SENT, 2)


def test_redis_stopped_during_a_sweep_fails_loudly_and_the_next_sweep_sends_everything_once(
    org_a, own_redis, smtp_server, start_worker, due_work
):
    sweep, make_due = due_work
    make_due(org_a, 3)

    with celery_publishing_to(own_redis.url):
        own_redis.stop()
        with pytest.raises(BrokerUnavailable):
            run_sweep(sweep)
        assert queued_items(S.PENDING) == 3  # committed: nothing lost
        assert SweepLock.objects.get(name=f"sweep:{sweep}").last_result["error"] == "OperationalError"

        own_redis.start()
        worker = start_worker(broker_url=own_redis.url)
        again = run_sweep(sweep)
        emails = OutboxMessage.objects.count()  # reminders: one per caseworker, listing their cases
        received = settle(smtp_server, emails, worker, own_redis.url)

    assert again.queued == 0  # the rows were already there; this sweep only had to trigger delivery
    assert len(received) == emails and len(delivered_items(received)) == 3
    assert {r.rcpt_tos[0] for r in received} == {org_a.caseworker.email, org_a.caseworker2.email}
    assert queued_items(S.SENT) == 3


def in_threads(count: int, work) -> list:
    """Run `work()` in `count` threads released at the same moment; return results (or raised errors)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_sweeps_at_once_queue_and_send_one_email_per_key(org_a, smtp_server, due_work):
    from tracker.tasks import SWEEPS

    sweep, make_due = due_work
    make_due(org_a, 20)
    now = timezone.now()

    # Without the lock, two sweeps race to insert the same 20 keys: the unique constraint keeps one row each.
    unlocked_runs = in_threads(2, lambda: SWEEPS[sweep](now=now))
    assert queued_items() == 20
    # With the lock (as the tasks run), a second concurrent run is skipped or finds nothing new.
    make_due(org_a, 10)
    locked_runs = in_threads(2, lambda: run_sweep(sweep, now=timezone.now(), queue_delivery=False))
    assert queued_items() == 30
    emails = OutboxMessage.objects.count()
    # Three workers deliver at once: row claims keep them apart.
    deliveries = in_threads(3, lambda: outbox.deliver_due(now=timezone.now(), limit=7))
    outbox.deliver_due(now=timezone.now(), limit=100)

    assert not [r for r in unlocked_runs + locked_runs + deliveries if isinstance(r, Exception)]
    assert sum(r["sent"] for r in deliveries) == min(emails, 21)
    items = delivered_items(smtp_server.received)
    assert len(smtp_server.received) == emails
    assert len(items) == 30 and len(set(items)) == 30  # every due item in exactly one email
    assert OutboxMessage.objects.filter(status=S.SENT).count() == emails
