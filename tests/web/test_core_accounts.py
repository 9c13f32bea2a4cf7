"""Signing in and out, passwords, choosing the organisation, and what every signed-in response carries."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_KEY
from accounts.models import Membership
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, make_note, make_victim, totp_code_for
from tracker import outbox

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password, **extra})


def test_a_member_of_one_organisation_signs_in_and_lands_on_my_work_in_it(org_a, client):
    response = sign_in(client, org_a.caseworker.email)
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == reverse("tracker:my_work")
    body = page.content.decode()
    assert "My work" in body and org_a.organization.name in body


def test_a_wrong_password_is_refused_with_a_message_and_the_email_kept(org_a, client):
    response = sign_in(client, org_a.caseworker.email, password="not-the-password")
    body = response.content.decode()
    assert response.status_code == 200
    assert "do not match an account" in body
    assert f'value="{org_a.caseworker.email}"' in body
    assert "_auth_user_id" not in client.session


def test_a_member_of_several_organisations_is_asked_to_choose_one_and_then_works_in_it(org_a, org_b, client):
    # A caseworker (no second factor needed) who works for both organisations.
    MembershipFactory(user=org_a.caseworker, organization=org_b.organization, role=Membership.Role.CASEWORKER)
    sign_in(client, org_a.caseworker.email)
    client.post(reverse("accounts:two_factor_verify"), {"otp_token": totp_code_for(org_a.supervisor)})  # 2FA step
    response = client.get(reverse("tracker:my_work"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:choose_organization"))
    picker = client.get(response["Location"]).content.decode()
    assert org_a.organization.name in picker and org_b.organization.name in picker
    chosen = client.post(
        reverse("accounts:choose_organization"), {"organization": org_b.organization.pk, "next": "/cases/"}
    )
    assert chosen.status_code == 302 and chosen["Location"] == "/cases/"
    page = client.get("/cases/").content.decode()
    assert f'data-testid="current-organization">{org_b.organization.name}<' in page


def test_the_picker_refuses_an_organisation_the_user_is_not_a_member_of(org_a, org_b, client_for):
    MembershipFactory(user=org_a.supervisor, organization=org_b.organization)
    third = MembershipFactory(user=org_b.org_admin).organization  # another org this user has nothing to do with
    client = client_for(org_a.supervisor)
    response = client.post(reverse("accounts:choose_organization"), {"organization": third.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_the_picker_ignores_an_offsite_next_address(org_a, org_b, client_for):
    MembershipFactory(user=org_a.supervisor, organization=org_b.organization)
    client = client_for(org_a.supervisor)
    response = client.post(
        reverse("accounts:choose_organization"),
        {"organization": org_b.organization.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("tracker:my_work")


def test_a_deactivated_membership_loses_the_organisation_at_the_next_request(org_a, org_b, client_for):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("cases:victim_detail", args=[victim.pk])).status_code == 200
    Membership.objects.filter(user=org_a.caseworker).update(is_active=False)
    response = client.get(reverse("cases:victim_detail", args=[victim.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:choose_organization"))
    picker = client.get(response["Location"]).content.decode()
    assert "not an active member of any organisation" in picker


def test_a_user_without_any_organisation_sees_why_instead_of_cases(platform_admin, client_for):
    client = client_for(platform_admin)
    response = client.get(reverse("cases:victim_list"), follow=True)
    assert "not an active member of any organisation" in response.content.decode()


def test_signing_out_needs_a_post_and_ends_the_session(org_a, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    home = client.get(reverse("tracker:my_work")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in home
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("tracker:my_work")).status_code == 302
    assert SESSION_KEY not in client.session


def test_a_password_can_be_changed_and_a_weak_one_is_refused_next_to_the_field(org_a, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    url = reverse("accounts:password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    assert "This password is too short" in weak.content.decode()
    strong = "a-much-longer-synthetic-passphrase-42"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_change_done")
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.check_password(strong)


def test_a_password_reset_emails_a_working_link_and_nothing_about_any_case(org_a, client):
    make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Secretname")
    response = client.post(reverse("accounts:password_reset"), {"email": org_a.caseworker.email})
    assert response.status_code == 302
    assert mail.outbox == []  # queued in the outbox, sent by the delivery task
    outbox.deliver_due(now=timezone.now())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org_a.caseworker.email]
    assert "Synthetic Secretname" not in message.body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", message.body)[1]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another-synthetic-passphrase-77"
    saved = client.post(form.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert saved.status_code == 302
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.check_password(new)


def test_a_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db, client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    outbox.deliver_due(now=timezone.now())
    assert mail.outbox == []


@pytest.mark.parametrize("url_name", ["tracker:my_work", "cases:victim_list"])
def test_signed_in_pages_are_never_stored_by_a_browser_or_proxy(url_name, org_a, client_for):
    response = client_for(org_a.caseworker, org_a.organization).get(reverse(url_name))
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_the_case_page_is_never_stored_either(org_a, client_for):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    response = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[victim.pk]))
    assert "no-store" in response["Cache-Control"]


def test_times_are_shown_in_the_organisations_time_zone(org_a, client_for, web_now):
    organization = org_a.organization
    organization.timezone = "Asia/Bangkok"
    organization.save()
    victim = make_victim(organization=organization, created_by=org_a.caseworker)
    make_note(victim=victim, author=org_a.caseworker, occurred_at=web_now - timedelta(hours=1))  # 02:00 UTC
    body = client_for(org_a.caseworker, organization).get(reverse("cases:victim_detail", args=[victim.pk]))
    text = body.content.decode()
    assert "11 Mar 2026 09:00" in text  # 02:00 UTC is 09:00 in Bangkok
    assert "Asia/Bangkok" in text
    organization.timezone = "Europe/London"
    organization.save()
    text = client_for(org_a.caseworker, organization).get(reverse("cases:victim_detail", args=[victim.pk]))
    assert "11 Mar 2026 02:00" in text.content.decode()


def test_the_sign_in_page_is_labelled_and_offers_a_password_reset(db, client):
    from tests.web.conftest import unlabelled_fields

    body = client.get(reverse("accounts:login")).content.decode()
    assert unlabelled_fields(body) == []
    assert reverse("accounts:password_reset") in body
