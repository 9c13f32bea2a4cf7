"""Celery tasks: thin triggers. The database decides what is due; a lost message only delays work.

Sweeps take no arguments and run under a sweep lock; delivery takes ids at most. Each returns a small dict
of counts, which Celery logs and the sweep-lock row keeps for the admin.
"""

import logging
from datetime import timedelta
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.password_reset import prune_attempts

from . import outbox
from .digests import sweep_digests
from .homecoming_sweeps import sweep_homecoming
from .locks import SweepAlreadyRunning, sweep_lock
from .sweeps import sweep_escalations, sweep_referral_chases, sweep_reminders

logger = logging.getLogger(__name__)

SWEEPS = {
    "reminders": sweep_reminders,
    "escalations": sweep_escalations,
    "referral_chases": sweep_referral_chases,
    "digests": sweep_digests,
    "homecoming": sweep_homecoming,
}


def run_sweep(name: str, *, now=None, dry_run: bool = False, organization=None, queue_delivery: bool = True):
    """Run one sweep under its lock; queue a delivery run once the new outbox rows are committed.

    Returns the SweepResult, or None when another run of the same sweep holds the lock. If the broker is down,
    queueing the delivery raises after the rows are committed: the sweep fails loudly, nothing is lost, and the
    next sweep (or the periodic delivery) sends what is pending.
    """
    now = now or timezone.now()
    sweep = SWEEPS[name]
    try:
        with sweep_lock(f"sweep:{name}", ttl=timedelta(seconds=settings.TRACKER_SWEEP_LOCK_SECONDS)) as record:
            # Sweeps commit chunk by chunk (a digest per member), so a long sweep never holds one big write lock.
            result = sweep(now=now, dry_run=dry_run, organization=organization)
            record.update(result.as_dict())
            if queue_delivery and not dry_run:
                transaction.on_commit(lambda: deliver_outbox.delay())
    except SweepAlreadyRunning:
        logger.info("sweep %s skipped: another run holds the lock", name)
        return None
    logger.info("sweep %s: %s", name, result.as_dict())
    return result


def _sweep_task(name: str) -> dict[str, int]:
    result = run_sweep(name)
    return {"skipped": 1} if result is None else result.as_dict()


@shared_task(time_limit=600, soft_time_limit=540)
def sweep_reminders_task() -> dict[str, int]:
    return _sweep_task("reminders")


@shared_task(time_limit=600, soft_time_limit=540)
def sweep_escalations_task() -> dict[str, int]:
    return _sweep_task("escalations")


@shared_task(time_limit=600, soft_time_limit=540)
def sweep_referral_chases_task() -> dict[str, int]:
    return _sweep_task("referral_chases")


@shared_task(time_limit=600, soft_time_limit=540)
def sweep_homecoming_task() -> dict[str, int]:
    return _sweep_task("homecoming")


@shared_task(time_limit=1800, soft_time_limit=1740)
def sweep_digests_task() -> dict[str, int]:
    return _sweep_task("digests")


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def deliver_outbox(message_ids: list[int] | None = None) -> dict[str, int]:
    """Send due outbox messages in batches until none are left or the time budget is spent.

    acks_late: a worker killed mid-run leaves the message on the broker to be redelivered, and its claimed
    rows come back after their lease. Several workers may run this at once; row claims keep them apart.
    """
    started = timezone.now()
    totals = {"claimed": 0, "sent": 0, "retrying": 0, "failed": 0}
    while True:
        counts = outbox.deliver_due(now=timezone.now(), limit=settings.TRACKER_DELIVERY_BATCH, ids=message_ids)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if counts["claimed"] < settings.TRACKER_DELIVERY_BATCH or message_ids is not None:
            break
        if timezone.now() - started > timedelta(seconds=200):
            deliver_outbox.delay()  # more to do: hand over to a fresh task rather than hit the time limit
            break
    return totals


@shared_task(time_limit=600, soft_time_limit=540)
def clear_expired_sessions_task() -> dict[str, int]:
    """Delete expired sessions (Django's `clearsessions`) and password-reset counts older than the cool-off.

    Expired sessions still hold what was put in them (e.g. search terms) until deleted; nothing else removes them.
    """
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {"password_reset_attempts_pruned": prune_attempts(now=timezone.now())}
