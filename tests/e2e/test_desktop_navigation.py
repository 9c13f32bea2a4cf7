"""A 1280 px desktop screen: the navigation stays on one row in every language, with no label cut short.

Screenshots `desktop-nav-<code>` (the first screen) go to the browser-test screenshot folder.
"""

import pytest
from django.conf import settings

from .conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 800}
MAX_ROWS = 1


def navigation_rows(page) -> dict:
    """How many rows the main navigation's links take, and any link whose text does not fit its box."""
    return page.evaluate(
        """() => {
            const links = [...document.querySelectorAll('.main-nav li')];
            const rows = new Set(links.map(li => Math.round(li.getBoundingClientRect().top)));
            const cut = links.filter(li => li.scrollWidth > li.clientWidth + 1).map(li => li.textContent.trim());
            return {rows: rows.size, links: links.length, cut,
                    header: document.querySelector('.site-header').getBoundingClientRect().height};
        }"""
    )


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_the_navigation_is_one_row_at_1280_px_in_each_language(browser, live_server, demo, screenshot, code):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    page = context.new_page()
    try:
        sign_in(page, email=demo.email("Supervisor"), password=demo.password)  # the most links: Team, Exports
        switcher = page.get_by_test_id("language-switcher")
        switcher.locator("select").select_option(code)
        switcher.locator("button[type=submit]").click()
        page.wait_for_load_state()
        screenshot(page, f"desktop-nav-{code}", full_page=False)
        measured = navigation_rows(page)
        assert measured["links"] >= 10, measured  # the supervisor's whole navigation was measured
        assert measured["rows"] <= MAX_ROWS, f"{code}: {measured}"
        assert not measured["cut"], f"{code}: {measured}"
    finally:
        context.close()
