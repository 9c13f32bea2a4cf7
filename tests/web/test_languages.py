"""The user's language: chosen in the profile or the switcher, it wins over the browser's Accept-Language."""

import pytest
from django.urls import reverse

from tests.catalogue import compile_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def thai(settings, tmp_path):
    settings.LOCALE_PATHS = [compile_catalogue(tmp_path, "th", {"My work": "งานของฉัน", "Sign in": "เข้าสู่ระบบ"})]


def test_the_users_own_language_wins_over_the_browsers(org_a, client_for, thai):
    org_a.caseworker.language = "th"
    org_a.caseworker.save()
    response = client_for(org_a.caseworker, org_a.organization).get(
        reverse("tracker:my_work"), HTTP_ACCEPT_LANGUAGE="vi"
    )
    body = response.content.decode()
    assert '<html lang="th">' in body and "งานของฉัน" in body
    assert response["Content-Language"] == "th"


def test_without_a_chosen_language_the_browsers_language_is_used(org_a, client_for, thai):
    response = client_for(org_a.caseworker, org_a.organization).get(
        reverse("tracker:my_work"), HTTP_ACCEPT_LANGUAGE="th"
    )
    assert "งานของฉัน" in response.content.decode()


def test_the_sign_in_page_has_the_switcher_and_switching_keeps_the_page(client, thai):
    login = reverse("accounts:login")
    page = client.get(login).content.decode()
    assert 'data-testid="language-switcher"' in page and "ไทย" in page  # each language named in its own script
    switched = client.post(
        reverse("accounts:set_language"), {"language": "th"}, HTTP_REFERER=f"http://testserver{login}"
    )
    assert switched.status_code == 302 and switched["Location"] == f"http://testserver{login}"  # back to the page
    assert "เข้าสู่ระบบ" in client.get(login).content.decode()


def test_switching_while_signed_in_is_remembered_on_the_user(org_a, client_for, thai):
    client = client_for(org_a.caseworker, org_a.organization)
    client.post(reverse("accounts:set_language"), {"language": "th", "next": reverse("tracker:my_work")})
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.language == "th"


def test_an_unknown_language_or_a_foreign_next_page_changes_nothing(org_a, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(reverse("accounts:set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == reverse("tracker:my_work")
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.language == ""


def test_the_profile_saves_the_language_and_the_digest_choice(org_a, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:profile"), {"language": "id"})
    assert response.status_code == 302
    org_a.caseworker.refresh_from_db()
    assert (org_a.caseworker.language, org_a.caseworker.receives_digest) == ("id", False)


def test_indonesian_is_one_of_the_languages(settings):
    assert [code for code, _name in settings.LANGUAGES] == ["en", "th", "zh-hans", "my", "vi", "id"]


def test_the_shipped_thai_catalogue_tells_the_reported_date_from_the_reported_status(org_a, client_for):
    """'Reported' is a status (ได้รับแจ้ง) and the date a case came in (วันที่รับแจ้ง): two words in Thai."""
    from tests.factories import make_victim

    org_a.caseworker.language = "th"
    org_a.caseworker.save()
    victim = make_victim(organization=org_a.organization, status="reported", assigned_to=org_a.caseworker)
    body = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[victim.pk]))
    text = body.content.decode()
    assert "<dt>วันที่รับแจ้ง</dt>" in text  # the date's label
    assert 'data-testid="key-status">ได้รับแจ้ง<' in text  # the status


def test_chinese_pages_write_full_width_brackets_and_colons(org_a, client_for):
    """Chinese punctuation is full width: an estimated age reads 26（估计）, a form label ends in "："."""
    from tests.factories import make_victim

    org_a.caseworker.language = "zh-hans"
    org_a.caseworker.save()
    victim = make_victim(organization=org_a.organization, estimated_age=26, assigned_to=org_a.caseworker)
    client = client_for(org_a.caseworker, org_a.organization)
    text = client.get(reverse("cases:victim_detail", args=[victim.pk])).content.decode()
    assert "（估计）" in text and "(估计)" not in text
    org_a.caseworker.language = "en"
    org_a.caseworker.save()
    assert "(estimated)" in client.get(reverse("cases:victim_detail", args=[victim.pk])).content.decode()
    org_a.caseworker.language = "zh-hans"
    org_a.caseworker.save()
    form = client.get(reverse("accounts:profile")).content.decode()
    assert "：</label>" in form and ":</label>" not in form
