"""The operator commands run the same code as the tasks; --dry-run prints case numbers and sends nothing."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_overdue_request, make_victim
from tracker.locks import acquire, release, sweep_lock
from tracker.models import DigestCheckpoint, OutboxMessage, SweepLock
from tracker.schedules import install_schedules

from .conftest import BASE_DIR

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_send_due_reminders_dry_run_prints_case_numbers_only_and_sends_nothing(org_a, now, smtp_server):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker, full_name="Synthetic Person")
    make_overdue_request(victim=victim, days_overdue=9, now=now)

    output = run("send_due_reminders", "--dry-run", "--now", now.isoformat())

    assert f"would send reminder {victim.case_number} to user #{org_a.caseworker.pk}" in output
    assert f"would send escalation {victim.case_number} to user #{org_a.supervisor.pk}" in output
    assert "Synthetic Person" not in output
    assert not OutboxMessage.objects.exists() and smtp_server.received == []


def test_send_due_reminders_queues_and_delivers_at_the_given_time(org_a, now, smtp_server):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_overdue_request(victim=victim, days_overdue=1, now=now)

    before = run("send_due_reminders", "--now", (now - timedelta(days=2)).isoformat())
    output = run("send_due_reminders", "--now", "2026-03-11T17:00:00+07:00")

    assert "reminders: 0 due, 0 queued" in before
    assert "reminders: 1 due, 1 queued" in output and "'sent': 1" in output
    assert [r.rcpt_tos for r in smtp_server.received] == [[org_a.caseworker.email]]


def test_send_digests_for_one_organisation(org_a, org_b, now, smtp_server):
    output = run("send_digests", "--org", "alpha", "--now", now.isoformat())

    assert "digests: 4 due, 4 queued" in output
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        [org_a.caseworker.email, org_a.caseworker2.email, org_a.supervisor.email, org_a.org_admin.email]
    )
    assert not DigestCheckpoint.objects.filter(organization=org_b.organization).exists()


def test_send_digests_dry_run_writes_no_checkpoint(org_a, now):
    output = run("send_digests", "--dry-run", "--now", now.isoformat())

    assert f"would send digest 2026-W11 to user #{org_a.caseworker.pk}" in output
    assert not DigestCheckpoint.objects.exists() and not OutboxMessage.objects.exists()


def test_an_unknown_organisation_is_a_readable_error(org_a):
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        call_command("send_digests", "--org", "nope")


@pytest.mark.parametrize("command", ["send_due_reminders", "send_digests"])
def test_a_bad_now_gives_one_readable_line_and_a_non_zero_exit(command):
    finished = subprocess.run(
        [sys.executable, "manage.py", command, "--skip-checks", "--now", "next tuesday"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode != 0
    assert (
        finished.stderr.strip()
        .splitlines()[-1]
        .endswith("--now must be an ISO 8601 date and time such as 2026-03-11T09:00:00+07:00, not 'next tuesday'.")
    )
    assert "Traceback" not in finished.stderr


def test_outbox_retry_failed_requeues_and_delivers(org_a, now, smtp_server, settings):
    settings.TRACKER_OUTBOX_MAX_ATTEMPTS = 1
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), now=now)
    smtp_server.refuse_data = "554 5.7.1 Rejected"
    run("send_due_reminders", "--now", now.isoformat())
    assert OutboxMessage.objects.filter(kind="reminder", status="failed").count() == 1
    smtp_server.refuse_data = None

    output = run("outbox", "--retry-failed")

    assert "re-queued 2 failed messages" in output  # the reminder, and the notice the refusing server also refused
    assert "outbox: pending 0, sending 0, sent 2, failed 0" in output
    assert smtp_server.to(org_a.caseworker.email)


def test_install_schedules_is_idempotent_and_keeps_an_admins_pause():
    from django_celery_beat.models import PeriodicTask

    assert install_schedules() == {"created": 9, "updated": 0}  # 6 tracker sweeps, retention, sessions, manifests
    PeriodicTask.objects.filter(task="tracker.tasks.sweep_digests_task").update(enabled=False)

    assert install_schedules() == {"created": 0, "updated": 0}
    assert "schedules: 0 created, 0 updated" in run("install_schedules")
    assert PeriodicTask.objects.get(task="tracker.tasks.sweep_digests_task").enabled is False
    assert PeriodicTask.objects.get(task="tracker.tasks.deliver_outbox").queue == "email"


def test_a_sweep_lock_is_held_once_and_frees_itself_after_its_time_to_live():
    token = acquire(name="sweep:test", ttl=timedelta(minutes=5))

    assert token and acquire(name="sweep:test", ttl=timedelta(minutes=5)) is None
    release(name="sweep:test", token=token, result={"queued": 2})
    assert SweepLock.objects.get(name="sweep:test").last_result == {"queued": 2}
    stale = acquire(name="sweep:test", ttl=timedelta(seconds=-1))  # a holder that died long ago
    assert stale and acquire(name="sweep:test", ttl=timedelta(minutes=5)) is not None


def test_a_sweep_lock_is_released_when_the_sweep_fails():
    with pytest.raises(RuntimeError), sweep_lock("sweep:test", ttl=timedelta(minutes=5)):
        raise RuntimeError("boom")

    lock = SweepLock.objects.get(name="sweep:test")
    assert lock.locked_until is None and lock.last_result == {"error": "RuntimeError"}
