"""Reminders and digests are written in each recipient's own language (User.language), else the site's."""

import re

import pytest
from babel import Locale

from tests.catalogue import compile_catalogue
from tests.factories import make_overdue_request, make_victim
from tracker.digests import render_digest
from tracker.models import OutboxMessage
from tracker.sweeps import sweep_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def thai(settings, tmp_path):
    settings.LOCALE_PATHS = [
        compile_catalogue(
            tmp_path,
            "th",
            {
                "Follow-up due: %(case)s": "ถึงกำหนดติดตาม: %(case)s",
                "Normal": "ปกติ",
                "Homeward weekly digest, %(week)s – %(organization)s": "สรุปประจำสัปดาห์ %(week)s – %(organization)s",
            },
        )
    ]


def test_each_caseworker_gets_the_reminder_in_their_own_language(org_a, now, thai):
    org_a.caseworker.language = "th"
    org_a.caseworker.save()
    for caseworker in (org_a.caseworker, org_a.caseworker2):
        victim = make_victim(organization=org_a.organization, assigned_to=caseworker)
        make_overdue_request(victim=victim, now=now)

    sweep_reminders(now=now)

    subjects = dict(OutboxMessage.objects.values_list("recipient_email", "subject"))
    assert subjects[org_a.caseworker.email].startswith("ถึงกำหนดติดตาม: ")
    assert subjects[org_a.caseworker2.email].startswith("Follow-up due: ")
    thai_body = OutboxMessage.objects.get(recipient_email=org_a.caseworker.email).body_text
    assert "ปกติ" in thai_body  # the priority, a choice label, follows the recipient's language too


def test_the_digest_is_written_in_the_members_language(org_a, now, thai):
    org_a.caseworker.language = "th"
    org_a.caseworker.save()
    membership = org_a.caseworker.memberships.get(organization=org_a.organization)
    subject, _text, _html = render_digest(membership=membership, now=now, week="2026-W11")
    assert subject.startswith("สรุปประจำสัปดาห์ 2026-W11")


def test_a_burmese_caseworkers_reminder_gives_the_due_date_with_the_burmese_month(org_a, now, settings, tmp_path):
    from tests.config.test_formats import burmese_month_names

    settings.LOCALE_PATHS = [compile_catalogue(tmp_path, "my", burmese_month_names())]
    org_a.caseworker.language = "my"
    org_a.caseworker.save()
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    request = make_overdue_request(victim=victim, now=now)

    sweep_reminders(now=now)

    body = OutboxMessage.objects.get(recipient_email=org_a.caseworker.email).body_text
    due = request.next_follow_up_at.astimezone(org_a.organization.tzinfo)
    month = Locale.parse("my").months["format"]["wide"][due.month]
    assert f"{due.day} {month} {due.year}, {due:%H:%M}" in body


def test_a_burmese_members_digest_gives_dates_with_the_burmese_month(org_a, now, settings, tmp_path):
    from tests.config.test_formats import burmese_month_names

    settings.LOCALE_PATHS = [compile_catalogue(tmp_path, "my", burmese_month_names())]
    org_a.caseworker.language = "my"
    org_a.caseworker.save()
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_overdue_request(victim=victim, now=now)
    membership = org_a.caseworker.memberships.get(organization=org_a.organization)

    _subject, text, _html = render_digest(membership=membership, now=now, week="2026-W11")

    assert re.search(r"\(\d{1,2} [\u1000-\u109f]+ \d{4}\)", text), "a date in the digest is not Burmese"
