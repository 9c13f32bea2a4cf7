"""Case numbers (never reused) and the follow-up cadence."""

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization

from ..models import CaseNumberSequence

# --- Case numbers and cadence ---------------------------------------------------------------------


def allocate_case_number(*, organization: Organization, year: int) -> str:
    """Hand out the next case number of an organisation for a year, e.g. HW-2025-00042.

    Safe under concurrency: the counter row is bumped with an atomic UPDATE, which takes a row lock
    on PostgreSQL and the database write lock on SQLite, so two intakes can never get the same number.
    Numbers are never handed out twice, even when a victim is deleted.
    """
    with transaction.atomic():
        CaseNumberSequence.objects.get_or_create(organization=organization, year=year)
        CaseNumberSequence.objects.filter(organization=organization, year=year).update(last_value=F("last_value") + 1)
        value = CaseNumberSequence.objects.get(organization=organization, year=year).last_value
    return f"{organization.case_number_prefix}-{year}-{value:05d}"


def next_follow_up(*, organization: Organization, priority: str, after: datetime) -> datetime:
    """When a request of this priority is next due: `after` plus the cadence, in the organisation's calendar.

    Days are calendar days in the organisation's time zone, so a follow-up logged at 09:00 local time is
    due at 09:00 local time N days later, across daylight-saving changes and month ends.
    """
    local = timezone.localtime(after, organization.tzinfo)
    due_local = (local.replace(tzinfo=None) + organization.cadence_for(priority)).replace(tzinfo=organization.tzinfo)
    return due_local.astimezone(UTC)
