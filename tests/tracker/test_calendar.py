"""Digest slots and ISO weeks in an organisation's own time zone, including daylight-saving changes."""

from datetime import UTC, datetime

import pytest

from accounts.models import Organization
from tracker.calendar import iso_week_key, latest_digest_slot


def org(tz: str, weekday: int = 0, hour: int = 8) -> Organization:
    return Organization(name="x", slug="x", timezone=tz, digest_weekday=weekday, digest_hour=hour)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "now", "expected_slot"),
    [
        # Monday 08:00 in Bangkok (UTC+7) is Monday 01:00 UTC.
        ("Asia/Bangkok", utc(2026, 3, 11, 10, 0), utc(2026, 3, 9, 1, 0)),
        ("Asia/Bangkok", utc(2026, 3, 9, 1, 0), utc(2026, 3, 9, 1, 0)),  # exactly at the slot
        ("Asia/Bangkok", utc(2026, 3, 9, 0, 59), utc(2026, 3, 2, 1, 0)),  # a minute before: last week's
        ("UTC", utc(2026, 3, 11, 10, 0), utc(2026, 3, 9, 8, 0)),
        # New York moves to summer time on Sunday 8 March 2026: 08:00 local is 13:00 UTC before, 12:00 after.
        ("America/New_York", utc(2026, 3, 4, 0, 0), utc(2026, 3, 2, 13, 0)),
        ("America/New_York", utc(2026, 3, 11, 0, 0), utc(2026, 3, 9, 12, 0)),
        # Berlin moves back to winter time on Sunday 25 October 2026: 08:00 local is 06:00 UTC, then 07:00.
        ("Europe/Berlin", utc(2026, 10, 20, 0, 0), utc(2026, 10, 19, 6, 0)),
        ("Europe/Berlin", utc(2026, 10, 27, 0, 0), utc(2026, 10, 26, 7, 0)),
    ],
)
def test_the_latest_digest_slot_is_the_local_weekday_and_hour(tz, now, expected_slot):
    assert latest_digest_slot(organization=org(tz), now=now) == expected_slot


def test_a_digest_hour_skipped_by_the_spring_change_moves_to_the_next_real_hour():
    # Berlin skips 02:00-03:00 on Sunday 29 March 2026; a Sunday 02:00 digest goes at 03:00 CEST (01:00 UTC).
    berlin_sunday_two = org("Europe/Berlin", weekday=6, hour=2)

    slot = latest_digest_slot(organization=berlin_sunday_two, now=utc(2026, 3, 29, 12, 0))

    assert slot == utc(2026, 3, 29, 1, 0)


def test_the_iso_week_is_taken_on_the_organisations_calendar_not_utc():
    bangkok_midnight_monday = org("Asia/Bangkok", weekday=0, hour=0)
    now = utc(2026, 3, 15, 18, 0)  # Sunday in UTC (week 11), already Monday 01:00 in Bangkok (week 12)

    slot = latest_digest_slot(organization=bangkok_midnight_monday, now=now)

    assert slot == utc(2026, 3, 15, 17, 0)
    assert iso_week_key(moment=slot, organization=bangkok_midnight_monday) == "2026-W12"
    assert iso_week_key(moment=slot, organization=org("UTC")) == "2026-W11"


def test_the_first_days_of_january_can_belong_to_the_last_iso_week_of_the_year_before():
    assert iso_week_key(moment=utc(2027, 1, 1, 12, 0), organization=org("UTC")) == "2026-W53"
    assert iso_week_key(moment=utc(2027, 1, 4, 12, 0), organization=org("UTC")) == "2027-W01"
