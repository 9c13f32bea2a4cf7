"""The day's work in a real browser: intake, My work, follow-up, referral, assignment, errors, a phone screen."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AgencyReferral, RescueRequest, Victim
from tests.factories import victim_named, victims_named

from .conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def labelled(scope, text: str):
    """The form control whose label is exactly `text` (Django adds a ":" after labels)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


NEW_PERSON = "Zephyrine Quillfeather"  # synthetic; unlike any demo name, so no duplicate warning


def fill_intake(page, *, name: str) -> None:
    labelled(page, "Full name").fill(name)
    labelled(page, "Citizenship").select_option("VN")
    labelled(page, "Estimated age").fill("24")
    page.get_by_label("Find a compound by name or alias").fill("Yatai")  # an alias of Shwe Kokko
    assert labelled(page, "Compound").input_value() != ""
    labelled(page, "Reporter's name").fill("Synthetic Sister")
    labelled(page, "Relationship").select_option("sibling")
    labelled(page, "Risk level").select_option("critical")
    page.get_by_label("Open a rescue request now").check()
    labelled(page, "Priority").select_option("urgent")


def test_a_caseworker_logs_a_person_follows_up_refers_and_signs_out(page, demo, live_server, screenshot):
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    assert page.get_by_test_id("current-organization").inner_text() == demo.organizations[0]

    page.get_by_role("link", name="New intake").click()
    fill_intake(page, name=NEW_PERSON)
    screenshot(page, "intake")
    page.get_by_role("button", name="Save the case").click()

    victim = victim_named(NEW_PERSON)
    assert victim.compound.name == "Shwe Kokko"
    request = victim.rescue_requests.get()
    assert request.priority == "urgent"
    expect(page.get_by_role("heading", name=re.compile(victim.case_number))).to_be_visible()
    assert "priority: urgent" in page.locator(".messages").inner_text()

    # Two days pass without contact: the follow-up is overdue and heads My work.
    RescueRequest.objects.filter(pk=request.pk).update(next_follow_up_at=timezone.now() - timedelta(days=2))
    page.get_by_role("link", name=re.compile("^My work")).first.click()
    overdue = page.locator("section", has=page.get_by_role("heading", name=re.compile("Overdue follow-ups")))
    assert victim.case_number in overdue.inner_text()
    screenshot(page, "my-work")

    overdue.get_by_role("link", name=victim.case_number).click()
    due_cell = page.get_by_test_id(f"request-{request.pk}-due")
    assert "overdue" in due_cell.inner_text()
    contact = page.locator("#contact")
    if contact.get_attribute("open") is None:
        contact.locator("summary").click()
    contact.get_by_label("What happened").fill("Synthetic call: the person is safe for now.")
    contact.locator("button[type=submit]").click()
    request.refresh_from_db()
    assert request.next_follow_up_at > timezone.now() + timedelta(hours=23)  # urgent: one day from the contact
    assert "overdue" not in page.get_by_test_id(f"request-{request.pk}-due").inner_text()
    assert "Synthetic call" in page.locator("#timeline").inner_text()

    page.locator("#more-actions > summary").click()  # referring is under "More actions"
    referral = page.locator("#referral")
    referral.locator("summary").click()
    agency = labelled(referral, "Agency")
    agency_name = agency.locator("option").nth(1).inner_text()
    agency.select_option(index=1)
    referral.locator("button[type=submit]").click()
    sent = AgencyReferral.objects.get(victim=victim)
    assert sent.status == AgencyReferral.Status.SENT
    assert agency_name.split(" (")[0] in page.locator("#referrals").inner_text()
    screenshot(page, "case-page")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"/cases/{victim.pk}/")
    assert "/accounts/sign-in/" in page.url  # signed out means signed out


def test_a_supervisor_assigns_an_unassigned_case_from_the_team_view(page, demo, screenshot):
    organization = demo.organizations[0]
    victim = (
        Victim.objects.filter(organization__name=organization, status__in=Victim.STILL_TRAPPED_STATUSES)
        .order_by("pk")
        .first()
    )
    Victim.objects.filter(pk=victim.pk).update(assigned_to=None)  # a case nobody has picked up yet
    sign_in(page, email=demo.email("Supervisor"), password=demo.password)
    page.get_by_role("link", name="Team", exact=True).first.click()
    unassigned = page.locator("section", has=page.get_by_role("heading", name="Unassigned cases"))
    assert victim.case_number in unassigned.inner_text()
    screenshot(page, "team")
    unassigned.get_by_role("link", name=victim.case_number).click()
    assign = page.locator("#assign")
    if assign.get_attribute("open") is None:
        assign.locator("summary").click()
    picker = labelled(assign, "Caseworker")
    chosen = picker.locator("option").nth(1).inner_text()
    picker.select_option(index=1)
    assign.locator("button[type=submit]").click()
    assert chosen in page.get_by_test_id("victim-assigned").inner_text()
    victim.refresh_from_db()
    assert victim.assigned_to.display_name == chosen


def test_intake_explains_a_future_birth_date_next_to_the_field_and_keeps_what_was_typed(page, demo, screenshot):
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto("/cases/new/")
    labelled(page, "Full name").fill(NEW_PERSON)
    labelled(page, "Phone numbers").fill("+84 90 000 0001")
    labelled(page, "Date of birth").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the case").click()
    error = page.locator("#id_date_of_birth_error")
    assert "cannot be in the future" in error.inner_text()
    assert labelled(page, "Full name").input_value() == NEW_PERSON
    assert labelled(page, "Phone numbers").input_value() == "+84 90 000 0001"
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    screenshot(page, "intake-error")
    assert not victims_named(NEW_PERSON)


def test_intake_works_from_the_keyboard_alone(page, demo):
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto("/cases/new/")
    page.keyboard.type("Keyboard Only Synthetic")  # the name field has the focus when the page opens
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert victims_named("Keyboard Only Synthetic")


def test_intake_shows_a_possible_duplicate_and_the_caseworker_saves_anyway(page, demo):
    existing = Victim.objects.filter(organization__name=demo.organizations[0]).exclude(citizenship="").first()
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto("/cases/new/")
    labelled(page, "Full name").fill(existing.full_name)
    labelled(page, "Citizenship").select_option(existing.citizenship)
    if existing.age is not None:
        labelled(page, "Estimated age").fill(str(existing.age))
    page.get_by_role("button", name="Save the case").click()
    panel = page.get_by_test_id("duplicates")
    assert existing.case_number in panel.inner_text()
    count = Victim.objects.count()
    panel.get_by_role("button", name="This is a new person: save anyway").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert Victim.objects.count() == count + 1


def test_the_main_pages_fit_a_phone_screen(phone_page, demo, screenshot):
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    victim = Victim.objects.filter(organization__name=demo.organizations[0]).first()
    pages = {
        "phone-my-work": "/",
        "phone-intake": "/cases/new/",
        "phone-victim-list": "/cases/",
        "phone-case-page": f"/cases/{victim.pk}/",
        "phone-requests": "/cases/requests/",
        "phone-compounds": "/cases/compounds/",
    }
    for name, url in pages.items():
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        screenshot(page, name)
        screenshot(page, f"{name}-screen", full_page=False)  # what the phone shows before any scrolling
        assert overflow <= 0, f"{url} is {overflow}px wider than a 360px phone"


def test_desktop_screenshots_of_the_lists_and_places(page, demo, screenshot):
    problems = []  # console errors, e.g. a Content-Security-Policy violation by an inline script or style
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, email=demo.email("Supervisor"), password=demo.password)
    for name, url in {
        "victim-list": "/cases/",
        "requests": "/cases/requests/",
        "referrals": "/cases/referrals/",
        "compounds": "/cases/compounds/",
        "regions": "/cases/regions/",
    }.items():
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, name)
    page.goto("/cases/compounds/")
    page.get_by_role("link", name="Shwe Kokko", exact=True).first.click()
    expect(page.locator("svg.map__svg")).to_be_visible()
    screenshot(page, "compound-detail")
    page.get_by_role("link", name="Myawaddy – Mae Sot").first.click()
    page.wait_for_url(re.compile(r"/cases/regions/\d+/$"))
    expect(page.locator("svg.map__svg [data-kind=crossing]").first).to_be_visible()
    screenshot(page, "region-detail")
    page.goto("/cases/new/")
    page.get_by_label("Find a compound by name or alias").fill("kk park")  # the script runs under the CSP
    assert labelled(page, "Compound").locator("option:checked").inner_text() == "KK Park"
    assert problems == []
