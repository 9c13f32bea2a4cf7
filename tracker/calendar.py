"""Time arithmetic in an organisation's own time zone: digest slots and ISO weeks."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Organization


def latest_digest_slot(*, organization: Organization, now: datetime) -> datetime:
    """The most recent moment at or before `now` that was the organisation's digest weekday and hour, locally.

    Computed on local wall-clock dates, so a slot stays at the same local hour across daylight-saving changes.
    """
    tz = organization.tzinfo
    local_now = timezone.localtime(now, tz)
    days_back = (local_now.weekday() - organization.digest_weekday) % 7
    for back in (days_back, days_back + 7):
        day = local_now.date() - timedelta(days=back)
        # In UTC: a local hour skipped by the spring change lands on the next real instant, and comparing two
        # datetimes that share a tzinfo would compare wall clocks, not instants.
        slot = datetime.combine(day, time(hour=organization.digest_hour), tzinfo=tz).astimezone(UTC)
        if slot <= now:
            return slot
    raise AssertionError("unreachable: a slot within the last 14 days always exists")


def iso_week_key(*, moment: datetime, organization: Organization) -> str:
    """The ISO week (e.g. "2026-W11") a moment falls in, on the organisation's local calendar."""
    year, week, _ = timezone.localtime(moment, organization.tzinfo).isocalendar()
    return f"{year}-W{week:02d}"
