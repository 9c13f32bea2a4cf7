"""A released list in a real browser: a supervisor uploads an XLSX with Burmese in Zawgyi, confirms the guessed
columns, a real Celery worker matches it, and the page shows which of our cases are on it and who is unknown.

The Zawgyi strings are made from Unicode by the app's own converter (core.names.zawgyi.unicode_to_zawgyi,
Rabbit's uni2zg rules), and checked to be Zawgyi by Google's detector (myanmartools) before the test uses them.
"""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Organization
from cases import services
from core.names.zawgyi import is_zawgyi, unicode_to_zawgyi
from tests.tracker.conftest import celery_publishing_to, filesystem_broker, smtp_server, start_worker  # noqa: F401

from .conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def zawgyi(unicode_text: str) -> str:
    text = unicode_to_zawgyi(unicode_text)
    assert text != unicode_text and is_zawgyi(text) and not is_zawgyi(unicode_text), unicode_text
    return text


# Synthetic people. A case is on file in one script; the list writes the same person in another.
KYAW = "ကျော်ဇေယျာထွန်း"  # Kyaw Ze Ya Htun, in Unicode Burmese on the case; Zawgyi on the list
KHIN = "ခင်မြင့်မြတ်"  # Khin Myint Myat: Latin letters on the case, Zawgyi on the list
ZAW = "ဇော်မင်းထက်"  # Zaw Min Htet: Latin on the case, Unicode Burmese on the list
AUNG = "အောင်ကျော်မိုး"  # Aung Kyaw Mo: on the list only (Zawgyi), known to nobody

# Headings in Burmese, Chinese and Thai: row number, name, nationality, age, sex.
HEADINGS = ["စဉ်", "အမည်", "国籍", "อายุ", "เพศ"]


def released_list_xlsx() -> bytes:
    """Published 2025-02-20. Burmese cells in the Zawgyi rows are Zawgyi throughout, as a Zawgyi keyboard types them."""
    rows = [
        HEADINGS,
        [1, zawgyi(KYAW), zawgyi("မြန်မာ"), 29, zawgyi("ကျား")],
        [2, zawgyi(KHIN), "Myanmar", 26, "မ"],
        [3, ZAW, "မြန်မာ", 32, "ကျား"],
        [4, "劉強", "中国", 40, "男"],  # traditional characters; the case is in pinyin
        [5, "สมพงษ์ รักดี", "ไทย", 37, "ชาย"],
        [6, zawgyi(AUNG), zawgyi("မြန်မာ"), 30, zawgyi("ကျား")],
        [7, "", "Myanmar", 41, "M"],  # a row without a name: a message, and never matched
    ]
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def our_cases(organization) -> dict[int, str]:
    """The cases on file, created as intake does; the list row each one is, -> its case number."""
    people = {
        1: (KYAW, "Masculine", 1996, "MM"),
        2: ("Khin Myint Myat", "Feminine", 1999, "MM"),
        3: ("Zaw Min Htet", "Masculine", 1993, "MM"),
        4: ("Liu Qiang", "Masculine", 1985, "CN"),
        5: ("Sompong Rakdee", "Masculine", 1988, "TH"),
    }
    return {
        row: services.victim_create(
            organization=organization, created_by=None, full_name=name, sex=sex,
            date_of_birth=date(year, 6, 1), citizenship=citizenship,
        ).case_number
        for row, (name, sex, year, citizenship) in people.items()
    }  # fmt: skip


def test_a_supervisor_imports_a_zawgyi_list_and_sees_our_cases_on_it_and_who_is_unknown(
    page,
    demo,
    tmp_path,
    start_worker,  # noqa: F811
    screenshot,
):
    organization = Organization.objects.get(name=demo.organizations[0])
    case_numbers = our_cases(organization)
    broker_url, options = filesystem_broker(tmp_path / "celery-broker")
    worker = start_worker(broker_url=broker_url)

    with celery_publishing_to(broker_url, options):  # the live server queues the chunks on this broker
        sign_in(page, email=demo.email("Supervisor"), password=demo.password)
        page.goto(reverse("lists:upload"))
        page.get_by_label("List file (CSV or XLSX)").set_input_files(
            {"name": "released-myawaddy.xlsx", "mimeType": "application/octet-stream", "buffer": released_list_xlsx()}
        )
        page.get_by_label("Published by").fill("Synthetic border committee")
        page.get_by_label("Published on").fill("2025-02-20")
        page.get_by_label("Kind of list").select_option("released")
        page.get_by_role("button", name="Read the file").click()

        # The guess, shown for the user to confirm: every heading read in its own language.
        expect(page.get_by_role("heading", name="Confirm the columns")).to_be_visible()
        guessed = {heading: page.get_by_label(heading, exact=True).input_value() for heading in HEADINGS}
        assert guessed == {"စဉ်": "number", "အမည်": "full_name", "国籍": "nationality", "อายุ": "birth", "เพศ": "sex"}
        assert "released-myawaddy.xlsx: 7 rows." in page.locator("form.card").inner_text()
        screenshot(page, "list-mapping")
        page.get_by_role("button", name="Import the list and match it").click()

        # The worker matches the list while the page polls; it says so without a reload.
        expect(page.get_by_role("heading", name="Released list")).to_be_visible()
        page.get_by_text("finished; reload for the results").wait_for(timeout=60_000)
        assert "6 / 6 rows matched" in page.get_by_role("status").inner_text()
    assert [event for name, _id, event in worker.tasks() if name == "lists.tasks.match_chunk_task"] == [
        "received",
        "succeeded",
    ]

    page.reload()
    summary = page.locator("section", has=page.get_by_role("heading", name="Matching")).inner_text()
    assert "7 rows, 1 with errors" in summary
    assert "1 people on the list match none of our cases" in summary
    unknown = page.locator("section", has=page.get_by_role("heading", name="People on the list we do not know"))
    unknown_rows = unknown.locator("tbody tr")
    assert unknown_rows.count() == 1
    assert unknown_rows.first.locator("td").first.inner_text() == "7"  # spreadsheet line 7: list row 6, Aung Kyaw Mo
    assert unknown_rows.first.locator("td").nth(1).inner_text() == f"{AUNG} (typed in Zawgyi)"  # shown in Unicode
    errors = page.locator("section", has=page.get_by_role("heading", name="Rows with errors")).inner_text()
    assert "row 8: the name is empty" in errors
    assert "is not one of" not in errors and "is not a country" not in errors  # Zawgyi sex and nationality read
    screenshot(page, "list-detail")

    page.get_by_role("link", name="Review the suggestions").click()
    expect(page.get_by_role("heading", name="Review suggestions")).to_be_visible()
    queue = page.locator("table tbody tr")
    best = {}  # spreadsheet line -> the case numbers suggested for it, best first
    for index in range(queue.count()):
        cells = queue.nth(index).locator("td")
        best.setdefault(int(cells.nth(0).inner_text()), []).append(cells.nth(2).inner_text().strip())
    # Spreadsheet line = list row + 1 (the headings are line 1); each row's first suggestion is its case.
    assert {line: numbers[0] for line, numbers in best.items()} == {
        row + 1: number for row, number in case_numbers.items()
    }
    kyaw = queue.filter(has_text=case_numbers[1]).first
    assert "Zawgyi text converted to Unicode" in kyaw.inner_text()
    on_the_list = kyaw.locator("td").nth(1).inner_text()
    assert on_the_list.startswith(f"{KYAW} (typed in Zawgyi)") and "Kyaw" in on_the_list  # Unicode, Latin beside
    screenshot(page, "list-review")
