"""Celery tasks of the case file: thin triggers that take no personal data and return counts."""

from celery import shared_task
from django.utils import timezone

from . import retention


@shared_task(time_limit=1800, soft_time_limit=1740)
def redact_closed_cases_task() -> dict[str, int]:
    """Daily: redact the identity of cases closed longer than their organisation's retention setting."""
    return retention.redact_closed_cases(now=timezone.now())
