"""The sweeps' emails rendered once per shape read exactly as a full render of each one (tracker/email_shapes.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from tracker.email_shapes import ShapeRenderer
from tracker.links import case_link
from tracker.outbox import render_email

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 9, 7, 30, tzinfo=UTC)


def reminder(organization, n: int, *, zone: str) -> dict:
    return {
        "case_number": f"HWA-2026-{n:05d}" if n % 4 else f"HWA&<{n}>",  # one that HTML must escape
        "priority": ["Urgent", "High", "Normal"][n % 3],
        "due_at": NOW - timedelta(days=n % 3, minutes=n * 13),
        "days_overdue": n % 3,
        "case_url": case_link(1000 + n),
        "organization": organization,
        "timezone": zone,
        "assigned_to": None if n % 5 == 0 else "Synthetic Caseworker",
        "round": n % 3,
        "unassigned": n % 5 == 0,
        "reminders_sent": n % 4,
    }


@pytest.mark.parametrize("template", ["escalation"])  # reminders list items per recipient: tracker/reminder_email.py
@pytest.mark.parametrize(("zone", "language"), [("Asia/Bangkok", "th"), ("UTC", "en"), ("America/St_Johns", "my")])
def test_every_email_of_a_sweep_reads_as_its_own_full_render(org_a, template, zone, language):
    shapes = ShapeRenderer()
    with translation.override(language):
        for n in range(40):
            context = reminder(org_a.organization, n, zone=zone)
            assert shapes.render(template=template, context=context) == render_email(template=template, context=context)
    assert len(shapes.shapes) < 40 and shapes.full_renders == 0  # shapes were shared, none fell back


def test_a_referral_chase_with_two_times_reads_as_its_full_render(org_a):
    shapes = ShapeRenderer()
    with translation.override("en"):
        for n in range(10):
            context = {
                "case_number": f"HWA-2026-{n:05d}",
                "agency": "Synthetic Agency",
                "sent_at": NOW - timedelta(days=10 + n),
                "response_due_at": NOW - timedelta(days=n, hours=n),
                "days_late": n,
                "case_url": case_link(n),
                "organization": org_a.organization,
                "timezone": "Asia/Yangon",
            }
            both = ("sent_at", "response_due_at")
            assert shapes.render(template="referral_chase", context=context, times=both) == render_email(
                template="referral_chase", context=context
            )
    assert shapes.full_renders == 0


def test_a_time_shown_in_a_format_it_does_not_know_is_rendered_in_full(org_a, monkeypatch):
    monkeypatch.setattr("tracker.email_shapes.TIME_FORMATS", ("H:i:s",))  # as if the template used another format
    shapes = ShapeRenderer()
    with translation.override("en"):
        for n in (1, 4):
            context = reminder(org_a.organization, n, zone="UTC")
            assert shapes.render(template="escalation", context=context) == render_email(
                template="escalation", context=context
            )
    assert shapes.full_renders == 2 and "1901" not in str(shapes.shapes)
