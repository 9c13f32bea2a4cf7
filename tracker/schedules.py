"""The periodic schedules, defined in code and installed into django-celery-beat (`manage.py install_schedules`).

Admins see them under "Periodic tasks" and may pause one; re-installing updates the interval and task but
keeps an admin's pause.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_seconds: int
    queue: str
    description: str


def schedules() -> list[Schedule]:
    sweep_every = settings.TRACKER_SWEEP_EVERY_SECONDS
    return [
        Schedule(
            "Homeward: follow-up reminders",
            "tracker.tasks.sweep_reminders_task",
            sweep_every,
            "sweeps",
            "Reminds caseworkers (or supervisors) of rescue requests whose follow-up is due.",
        ),
        Schedule(
            "Homeward: escalations",
            "tracker.tasks.sweep_escalations_task",
            sweep_every,
            "sweeps",
            "Tells supervisors about requests overdue past the organisation's escalation threshold.",
        ),
        Schedule(
            "Homeward: referral chases",
            "tracker.tasks.sweep_referral_chases_task",
            sweep_every,
            "sweeps",
            "Reminds senders of referrals past their response date without acknowledgement.",
        ),
        Schedule(
            "Homeward: homecoming follow-ups",
            "tracker.tasks.sweep_homecoming_task",
            sweep_every,
            "sweeps",
            "Reminds about batch members stuck on a step (then escalates) and contacts due after return.",
        ),
        Schedule(
            "Homeward: weekly digests",
            "tracker.tasks.sweep_digests_task",
            sweep_every,
            "sweeps",
            "Queues each member's weekly digest once their organisation's digest time has come.",
        ),
        Schedule(
            "Homeward: deliver outbox",
            "tracker.tasks.deliver_outbox",
            settings.TRACKER_DELIVERY_EVERY_SECONDS,
            "email",
            "Sends pending emails, retries failed sends with backoff, and re-picks sends whose worker died.",
        ),
        Schedule(
            "Homeward: retention redaction",
            "cases.tasks.redact_closed_cases_task",
            24 * 60 * 60,
            "sweeps",
            "Daily: redacts the identity of cases closed longer than their organisation's retention setting.",
        ),
        Schedule(
            "Homeward: delete expired manifest PDFs",
            "homecoming.tasks.delete_expired_manifests_task",
            5 * 60,
            "sweeps",
            "Every five minutes: deletes manifest PDFs nobody downloaded before they expired.",
        ),
        Schedule(
            "Homeward: clear expired sessions",
            "tracker.tasks.clear_expired_sessions_task",
            60 * 60,
            "sweeps",
            "Hourly: deletes expired sessions (and what they hold) and old password-reset counts.",
        ),
    ]


@transaction.atomic
def install_schedules() -> dict[str, int]:
    """Create or update the periodic tasks; an admin's `enabled` choice on an existing task is kept."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

    counts = {"created": 0, "updated": 0}
    for schedule in schedules():
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=schedule.every_seconds, period=IntervalSchedule.SECONDS
        )
        task, created = PeriodicTask.objects.get_or_create(
            name=schedule.name,
            defaults={
                "task": schedule.task,
                "interval": interval,
                "queue": schedule.queue,
                "description": schedule.description,
                "enabled": True,
                # As if it last ran one interval ago: beat runs it right after start-up, not an interval later.
                "last_run_at": timezone.now() - timedelta(seconds=schedule.every_seconds),
            },
        )
        if created:
            counts["created"] += 1
            continue
        changed = (task.task, task.interval_id, task.queue, task.description) != (
            schedule.task,
            interval.pk,
            schedule.queue,
            schedule.description,
        )
        if changed:
            task.task, task.interval, task.queue, task.description = (
                schedule.task,
                interval,
                schedule.queue,
                schedule.description,
            )
            task.save()
            counts["updated"] += 1
    PeriodicTasks.update_changed()
    return counts
