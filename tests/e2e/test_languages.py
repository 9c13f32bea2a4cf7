"""My work and the case page in each of the six languages, switched with the switcher a caseworker uses.

Screenshots `lang-<code>-my-work` and `lang-<code>-case-page` go to the browser-test screenshot folder, for a
reader of the language to look at (Thai and Burmese line breaking, Chinese fonts, long Vietnamese words).
"""

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import User
from cases.models import Victim

from .conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def translated(code: str, message: str) -> str:
    with translation.override(code):
        return translation.gettext(message)


def scrolls_sideways(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_my_work_and_the_case_page_read_in_each_language(page, demo, screenshot, code):
    caseworker = User.objects.get(email=demo.email("Caseworker"))
    victim = Victim.objects.filter(assigned_to=caseworker).order_by("pk").first()
    assert victim is not None, "the demo gives the caseworker cases"
    sign_in(page, email=caseworker.email, password=demo.password)

    switcher = page.get_by_test_id("language-switcher")
    switcher.locator("select").select_option(code)
    switcher.locator("button[type=submit]").click()
    page.wait_for_load_state()

    my_work, requests = translated(code, "My work"), translated(code, "Rescue requests")
    if code != "en":  # the catalogue has the page's words, so the page does not stay English
        assert (my_work, requests) != ("My work", "Rescue requests"), code
    assert page.locator("html").get_attribute("lang") == code
    assert page.get_by_role("heading", level=1).inner_text().strip() == my_work
    assert not scrolls_sideways(page), f"My work in {code} scrolls sideways"
    screenshot(page, f"lang-{code}-my-work")
    caseworker.refresh_from_db()
    assert caseworker.language == code  # remembered on the user, for the next visit and the emails

    page.goto(f"/cases/{victim.pk}/")
    assert page.locator("html").get_attribute("lang") == code
    assert page.locator("#requests-heading").inner_text().strip() == requests
    assert not scrolls_sideways(page), f"the case page in {code} scrolls sideways"
    screenshot(page, f"lang-{code}-case-page")
