"""Reminders and digests are written in each recipient's own language (User.language), else the site's."""

import pytest

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
