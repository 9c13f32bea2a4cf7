"""A 360 × 740 phone: no page scrolls sideways, the header is one row, the key facts are on the first screen, and
a page (HTML, CSS, scripts, fonts, icons) weighs at most 200 KB when nothing is cached.

Screenshots of each page (whole page and first screen) go to the browser-test screenshot folder (tests/e2e/conftest).
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import RescueRequest, Victim
from tests.factories import make_overdue_request

from .conftest import PHONE, _new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAX_HEADER_PX = 64
MAX_PAGE_BYTES = 200 * 1024


def layout(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            header: document.querySelector('.site-header').getBoundingClientRect().height,
        })"""
    )


def wider_than_the_screen(page) -> list[str]:
    """The innermost elements whose right edge is beyond the screen, as tag.class "text" (to say what to fix)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
                + ` "${el.textContent.trim().slice(0, 40)}"`)"""
    )


def assert_fits_the_phone(page, url: str) -> None:
    box = layout(page)
    assert box["scrollWidth"] <= box["innerWidth"], f"{url} scrolls sideways: {box}, {wider_than_the_screen(page)}"
    assert box["header"] <= MAX_HEADER_PX, f"{url}: the header is {box['header']}px tall"


def on_first_screen(locator) -> bool:
    """Whether the element's top is visible without scrolling (within the 740 px screen)."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 20) <= PHONE["height"]


@pytest.fixture
def overdue_case(demo):
    """A case of the caseworker's with a follow-up three days late and a long flag ("Sold between compounds")."""
    caseworker = User.objects.get(email=demo.email("Caseworker"))
    victim = Victim.objects.filter(organization__name=demo.organizations[0], status="in_contact").first()
    Victim.objects.filter(pk=victim.pk).update(assigned_to=caseworker, sold_between_compounds=True)
    rescue = make_overdue_request(victim=victim, days_overdue=3, priority="urgent", now=timezone.now())
    RescueRequest.objects.filter(pk=rescue.pk).update(assigned_to=caseworker)
    victim.refresh_from_db()
    return victim


def test_my_work_shows_overdue_follow_ups_as_cards_with_the_days_late(phone_page, demo, overdue_case, screenshot):
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto("/")
    screenshot(page, "phone-layout-my-work")
    screenshot(page, "phone-layout-my-work-screen", full_page=False)
    assert_fits_the_phone(page, "/")
    overdue = page.locator("section[aria-labelledby=overdue-heading]")
    card = overdue.locator("tr", has_text=overdue_case.case_number)
    days = card.get_by_test_id("days-overdue")
    assert days.is_visible() and on_first_screen(days)
    assert days.inner_text() == "3"
    # The card says what the number is (the table's column heading is hidden on a phone).
    assert days.evaluate("el => getComputedStyle(el, '::before').content") == '"Days overdue: "'
    assert on_first_screen(card.get_by_role("link", name=overdue_case.case_number))
    # The card is not wider than the screen: nothing in it is cut off.
    row = card.bounding_box()
    assert row["x"] >= 0 and row["x"] + row["width"] <= PHONE["width"]


def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(phone_page, demo):
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto("/")
    cases_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True)
    menu = page.get_by_role("button", name=re.compile("^Menu"))
    assert menu.is_visible() and not cases_link.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and cases_link.is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_test_id("language-switcher").is_visible()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not cases_link.is_visible()
    menu.click()
    cases_link.click()
    page.wait_for_url(re.compile(r"/cases/$"))


def test_the_menu_shows_whole_when_scripts_do_not_run(browser, live_server, demo):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, email=demo.email("Caseworker"), password=demo.password)
        page.goto("/")
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).is_visible()
        assert not page.get_by_role("button", name=re.compile("^Menu")).is_visible()
    finally:
        context.close()


def test_the_case_page_has_its_key_facts_and_actions_at_the_top(phone_page, demo, overdue_case, screenshot):
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    url = reverse("cases:victim_detail", args=[overdue_case.pk])
    page.goto(url)
    screenshot(page, "phone-layout-case-page")
    screenshot(page, "phone-layout-case-page-screen", full_page=False)
    assert_fits_the_phone(page, url)
    assert on_first_screen(page.locator("h1", has_text=overdue_case.case_number))
    assert on_first_screen(page.get_by_test_id("key-status"))
    assert page.get_by_test_id("key-status").inner_text() == overdue_case.get_status_display()
    assert on_first_screen(page.get_by_test_id("key-overdue"))
    assert page.get_by_test_id("key-overdue").inner_text() == "Follow-up 3 days overdue"
    bar = page.locator("#actions")
    for name in ("Edit details", "Log contact", "Add a note", "More actions"):
        assert on_first_screen(bar.get_by_text(name, exact=True).first), f"{name} is not on the first screen"
    # The other actions are one tap away, under "More actions" (a <details>: no script needed).
    bar.locator("details#more-actions > summary").click()
    assert on_first_screen(bar.get_by_text("Refer to an agency", exact=True).first)
    bar.locator("details#more-actions > summary").click()
    # A button of the bar opens its form in place, under the bar.
    note = bar.locator("details#note")
    note.locator("summary").click()
    assert note.get_attribute("open") is not None
    assert note.get_by_role("button", name="Add note").is_visible()
    # The long flag stays inside its card.
    flag = page.locator(".flags li", has_text="Sold between compounds")
    card = page.locator("#summary")
    flag_box, card_box = flag.bounding_box(), card.bounding_box()
    assert card_box["x"] <= flag_box["x"] and flag_box["x"] + flag_box["width"] <= card_box["x"] + card_box["width"]


MAX_ACTION_BAR_ROWS = 2


def action_bar_rows(page) -> int:
    """How many rows the case page's action buttons take (an open action's form below them is not counted)."""
    return page.evaluate(
        """() => {
            const buttons = '#actions > a.button, #actions > details:not([open]) > summary';
            const boxes = [...document.querySelectorAll(buttons)]
                .map(el => el.getBoundingClientRect()).sort((a, b) => a.top - b.top);
            let rows = 0, bottom = -Infinity;
            for (const box of boxes) {  // a box starting below the row's lowest edge starts a new row
                if (box.top >= bottom - 2) { rows += 1; bottom = box.bottom; }
                else { bottom = Math.max(bottom, box.bottom); }
            }
            return rows;
        }"""
    )


@pytest.mark.parametrize("language", ["en", "my"])
def test_the_case_pages_action_bar_is_at_most_two_rows_on_a_phone(phone_page, demo, overdue_case, screenshot, language):
    User.objects.filter(email=demo.email("Caseworker")).update(language=language)
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    url = reverse("cases:victim_detail", args=[overdue_case.pk])
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"phone-layout-case-actions-{language}-screen", full_page=False)
    assert_fits_the_phone(page, url)
    rows = action_bar_rows(page)
    assert 1 <= rows <= MAX_ACTION_BAR_ROWS, f"the action bar takes {rows} rows in {language}"
    assert on_first_screen(page.locator("#actions details[open] > summary").first)  # the open form starts on screen


@pytest.mark.parametrize(
    "name,url", [("case-list", "/cases/"), ("intake", "/cases/new/"), ("requests", "/cases/requests/")]
)
def test_the_lists_and_intake_fit_the_phone(phone_page, demo, screenshot, name, url):
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    page.goto(url)
    screenshot(page, f"phone-layout-{name}-screen", full_page=False)
    assert_fits_the_phone(page, url)
    assert on_first_screen(page.locator("main h1"))


def test_sign_in_fits_the_phone_with_the_language_switcher_in_the_header(phone_page, demo, screenshot):
    page = phone_page
    page.goto(reverse("accounts:login"))
    screenshot(page, "phone-layout-sign-in-screen", full_page=False)
    assert_fits_the_phone(page, "sign-in")
    assert on_first_screen(page.get_by_test_id("language-switcher"))
    assert on_first_screen(page.get_by_role("button", name="Sign in"))


def test_two_factor_set_up_shows_no_navigation_that_leads_back_to_it(phone_page, demo, screenshot):
    from django_otp import devices_for_user

    page = phone_page
    email = demo.email("Supervisor")
    for device in devices_for_user(User.objects.get(email=email), confirmed=None):
        device.delete()  # a supervisor who has no authenticator yet
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    screenshot(page, "phone-layout-two-factor-setup")
    screenshot(page, "phone-layout-two-factor-setup-screen", full_page=False)
    assert reverse("accounts:two_factor_setup") in page.url
    assert_fits_the_phone(page, "two-factor set-up")
    assert page.get_by_role("navigation", name="Main").count() == 0
    assert page.get_by_role("link", name="Settings").count() == 0
    assert page.get_by_role("button", name=re.compile("^Menu")).count() == 0
    assert page.get_by_role("button", name="Sign out").first.is_visible()
    # The key and its type: each term with its value, the key whole on screen.
    key = page.get_by_test_id("totp-secret")
    key_box = key.bounding_box()
    assert key_box["x"] >= 0 and key_box["x"] + key_box["width"] <= PHONE["width"]
    # The help text is not covered by the focused code field's ring (5 px beyond its border).
    help_box = page.locator("#id_otp_token_helptext").bounding_box()
    field_box = page.get_by_label(re.compile("^Code")).bounding_box()
    assert help_box["y"] + help_box["height"] + 5 <= field_box["y"]


def test_my_work_and_the_case_page_weigh_at_most_200_kb_without_cache(browser, live_server, demo, overdue_case):
    from playwright.sync_api import Error

    context, page = _new_page(browser, live_server, PHONE)
    try:
        sign_in(page, email=demo.email("Caseworker"), password=demo.password)
        cookies = context.cookies()
    finally:
        context.close()
    case_url = reverse("cases:victim_detail", args=[overdue_case.pk])
    report = {}
    for language in ("en", "th", "my"):
        for url in ("/", case_url):
            # A fresh context per page: an empty cache, so every file the page needs is fetched.
            context, page = _new_page(browser, live_server, PHONE)
            context.add_cookies([*cookies, {"name": "django_language", "value": language, "url": live_server.url}])
            loaded = []

            def count(response, loaded=loaded):
                try:
                    loaded.append((response.request.resource_type, response.url, len(response.body())))
                except Error:  # a redirect has no body
                    pass

            page.on("response", count)
            try:
                page.goto(url)
                page.wait_for_load_state("networkidle")
                assert page.locator("html").get_attribute("lang") == language
            finally:
                context.close()
            total = sum(size for _kind, _url, size in loaded)
            report[(language, url)] = (total, loaded)
            assert total <= MAX_PAGE_BYTES, f"{language} {url} weighs {total} bytes: {loaded}"
    print("\npage weights (bytes, uncompressed, no cache):")
    for (language, url), (total, loaded) in report.items():
        kinds: dict[str, int] = {}
        for kind, _url, size in loaded:
            kinds[kind] = kinds.get(kind, 0) + size
        fonts = [u.rsplit("/", 1)[-1] for k, u, _ in loaded if k == "font"]
        print(f"  {language} {url}: {total} {kinds} fonts={fonts}")


def test_every_case_page_of_the_demo_fits_the_phone(phone_page, demo, screenshot):
    """Every status, referral response form and request table of the demo's cases: none makes the page scroll sideways
    (a long agency name in "Record the response of …" and a request's due date and days late once did)."""
    page = phone_page
    sign_in(page, email=demo.email("Caseworker"), password=demo.password)
    victims = Victim.objects.filter(organization__name=demo.organizations[0]).order_by("pk")
    assert victims.values("status").distinct().count() >= 5  # the demo covers the case's life, not one state
    response_forms = 0
    for victim in victims:
        url = reverse("cases:victim_detail", args=[victim.pk])
        page.goto(url)
        assert_fits_the_phone(page, url)
        if page.locator("summary", has_text="Record the response of").count() and not response_forms:
            screenshot(page, "phone-layout-case-page-with-a-referral-response")
        response_forms += page.locator("summary", has_text="Record the response of").count()
    assert response_forms >= 1  # the long-summary case was among them
