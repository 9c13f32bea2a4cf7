"""Reviewing suggestions: confirm writes on the case and tells the apps above; reject; bulk after a second look."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseNote
from cases.signals import list_match_confirmed
from lists import services
from lists.models import ListEntry, Match, ReleasedList

pytestmark = pytest.mark.django_db


def _list_with_match(org, victim, *, kind="released", score=0.93, line=341, name="Synthetic Listed Person"):
    released = ReleasedList.objects.create(
        organization=org, kind=kind, source="Synthetic embassy", published=date(2025, 2, 20),
        file_name="l.csv", sha256=f"{line:064d}",
    )  # fmt: skip
    entry = ListEntry.objects.create(released_list=released, line=line, name=name, sex="M", nationality="VN")
    match = Match.objects.create(
        organization=org, entry=entry, victim=victim, score=score, reasons=json.dumps(["same name", "same sex (M)"])
    )
    return released, entry, match


@pytest.fixture
def victim(org_a):
    return case_services.victim_create(
        organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Listed Person"
    )


def test_confirming_writes_on_the_timeline_and_sends_the_signal(org_a, victim):
    _released, entry, match = _list_with_match(org_a.organization, victim)
    heard = []
    list_match_confirmed.connect(lambda **kw: heard.append(kw), weak=False, dispatch_uid="test-heard")
    try:
        services.match_confirm(match=match, confirmed_by=org_a.caseworker)
    finally:
        list_match_confirmed.disconnect(dispatch_uid="test-heard")
    note = CaseNote.objects.get(victim=victim)
    assert "released list" in note.body and "published 2025-02-20" in note.body and "row 341" in note.body
    assert heard and heard[0]["victim"] == victim and heard[0]["entry"] == entry
    match.refresh_from_db()
    assert match.status == "confirmed" and match.decided_by == org_a.caseworker


def test_confirming_a_released_match_turns_the_open_request_into_confirm_arrival(org_a, victim):
    request = case_services.rescue_request_open(
        victim=victim, opened_by=org_a.caseworker, now=timezone.now() - timedelta(days=10)
    )
    _released, _entry, match = _list_with_match(org_a.organization, victim)
    before = request.next_follow_up_at
    services.match_confirm(match=match, confirmed_by=org_a.caseworker)
    request.refresh_from_db()
    note = request.notes.get()
    assert "confirm arrival" in note.body and request.next_follow_up_at > before


def test_a_decided_suggestion_cannot_be_decided_again(org_a, victim):
    _released, _entry, match = _list_with_match(org_a.organization, victim)
    services.match_reject(match=match, rejected_by=org_a.caseworker)
    with pytest.raises(Exception, match="already decided"):
        services.match_confirm(match=match, confirmed_by=org_a.caseworker)
    assert not CaseNote.objects.filter(victim=victim).exists()


def test_another_organisation_cannot_confirm(org_a, org_b, victim):
    _released, _entry, match = _list_with_match(org_a.organization, victim)
    with pytest.raises(PermissionDenied):
        services.match_confirm(match=match, confirmed_by=org_b.supervisor)


def test_the_review_page_shows_the_queue_best_first_and_offers_the_next_status(org_a, victim, client_for):
    other = case_services.victim_create(organization=org_a.organization, created_by=None, full_name="Synthetic Other")
    released, _entry, weaker = _list_with_match(org_a.organization, other, score=0.7)
    entry2 = ListEntry.objects.create(released_list=released, line=342, name="Synthetic Listed Person")
    best = Match.objects.create(organization=org_a.organization, entry=entry2, victim=victim, score=0.97, reasons="[]")
    client = client_for(org_a.caseworker, org_a.organization)
    page = client.get(reverse("lists:review", kwargs={"list_pk": released.pk})).content.decode()
    assert page.index(victim.case_number) < page.index(other.case_number)
    response = client.post(reverse("lists:match_decide", kwargs={"match_pk": best.pk}), {"decision": "confirm"})
    page = client.get(response["Location"]).content.decode()
    assert 'name="to_status" value="released"' in page
    assert weaker.pk and Match.objects.get(pk=best.pk).status == "confirmed"


def test_bulk_confirm_confirms_only_the_ticked_suggestions_above_the_threshold(org_a, victim, client_for):
    low_victim = case_services.victim_create(
        organization=org_a.organization, created_by=None, full_name="Synthetic Low"
    )
    released, _e, high = _list_with_match(org_a.organization, victim, score=0.95)
    entry2 = ListEntry.objects.create(released_list=released, line=400, name="Synthetic Low")
    low = Match.objects.create(
        organization=org_a.organization, entry=entry2, victim=low_victim, score=0.5, reasons="[]"
    )
    client = client_for(org_a.supervisor, org_a.organization)
    second_look = client.get(reverse("lists:bulk_confirm", kwargs={"list_pk": released.pk})).content.decode()
    assert f'value="{high.pk}" checked' in second_look and f'value="{low.pk}"' not in second_look
    client.post(reverse("lists:bulk_confirm", kwargs={"list_pk": released.pk}), {"match": [high.pk, low.pk]})
    assert Match.objects.get(pk=high.pk).status == "confirmed" and Match.objects.get(pk=low.pk).status == "suggested"


def test_create_a_case_from_an_entry_opens_intake_prefilled(org_a, client_for):
    released = ReleasedList.objects.create(
        organization=org_a.organization, source="Synthetic embassy", published=date(2025, 2, 20),
        file_name="l.csv", sha256="1" * 64,
    )  # fmt: skip
    entry = ListEntry.objects.create(
        released_list=released, line=7, name="Synthetic Unknown Person", nationality="KH", sex="F", age=25,
        values=json.dumps({"passport_number": "N1234567"}),
    )  # fmt: skip
    client = client_for(org_a.caseworker, org_a.organization)
    page = client.get(reverse("lists:entry_create_case", kwargs={"entry_pk": entry.pk})).content.decode()
    assert 'value="Synthetic Unknown Person"' in page and 'value="N1234567"' in page
    assert 'action="/cases/intake/"' in page or reverse("cases:intake") in page


def test_the_unknown_count_is_the_people_listed_as_unknown_not_rows_without_a_name(org_a, victim):
    from lists import reports

    released, _entry, match = _list_with_match(org_a.organization, victim, line=2)
    ListEntry.objects.create(released_list=released, line=3, name="Synthetic Stranger Person", sex="F")
    ListEntry.objects.create(released_list=released, line=4, name="", has_errors=True)  # "the name is empty"
    ReleasedList.objects.filter(pk=released.pk).update(rows_total=3, rows_with_errors=1)
    released.refresh_from_db()
    counts = reports.counts(released, org_a.organization)
    assert counts["unknown"] == 1 == reports.unmatched_entries(released, org_a.organization).count()
    services.match_reject(match=match, rejected_by=org_a.caseworker)
    assert reports.counts(released, org_a.organization)["unknown"] == 2  # a rejected suggestion leaves them unknown


# Zaw Min Htet typed in Zawgyi, written out by code point (asat as U+1039, the e-vowel U+1031 before its letter).
ZAWGYI_NAME = "\u1031\u1007\u102c\u1039\u1019\u1004\u1039\u1038\u1011\u1000\u1039"
UNICODE_NAME = "ဇော်မင်းထက်"


def test_a_zawgyi_entry_is_shown_in_unicode_and_a_case_made_from_it_keeps_unicode(org_a, victim, client_for):
    released, entry, _match = _list_with_match(org_a.organization, victim, name=ZAWGYI_NAME)
    stranger = ListEntry.objects.create(released_list=released, line=342, name=ZAWGYI_NAME + " \u1026\u1038")
    client = client_for(org_a.supervisor, org_a.organization)
    for url in (reverse("lists:review", args=[released.pk]), reverse("lists:list_detail", args=[released.pk])):
        page = client.get(url).content.decode()
        assert UNICODE_NAME in page and ZAWGYI_NAME not in page and "typed in Zawgyi" in page
    intake = client.get(reverse("lists:entry_create_case", kwargs={"entry_pk": stranger.pk})).content.decode()
    assert f'value="{UNICODE_NAME} ဦး"' in intake
    assert entry.name == ZAWGYI_NAME  # the list keeps the name as written
