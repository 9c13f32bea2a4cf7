"""Attack suite: brute-forcing passwords, two-factor sign-in (who needs it, reuse, recovery codes), password rules."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import two_factor_required
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, current_totp_code, make_totp_device, sign_in_verified

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 11, 3, 0, 7, tzinfo=UTC)  # 7 s into a 30-second TOTP step
IP_A = "198.51.100.7"
IP_B = "203.0.113.9"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client: Client, email: str, password: str = PASSWORD, *, ip: str = IP_A):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def enter_code(client: Client, code: str, *, next_url: str = "/"):
    return client.post(reverse("accounts:two_factor_verify"), {"otp_token": code, "next": next_url})


# --- Brute force ------------------------------------------------------------------------------------


def test_after_five_wrong_passwords_the_next_try_is_refused_even_with_the_right_password(org_a, clock):
    email = org_a.caseworker.email
    for _ in range(4):
        assert sign_in(Client(), email, "wrong-password-guess").status_code == 200
    fifth = sign_in(Client(), email, "wrong-password-guess")
    assert fifth.status_code == 429
    body = fifth.content.decode()
    assert "Signing in is paused" in body and "Try again in 15 minutes" in body
    client = Client()
    sixth = sign_in(client, email)  # the right password: not even checked during the pause
    assert sixth.status_code == 429
    assert not signed_in(client)


def test_the_right_password_from_another_address_still_works_during_a_pause(org_a, clock):
    email = org_a.caseworker.email
    for _ in range(6):
        sign_in(Client(), email, "wrong-password-guess", ip=IP_A)
    assert sign_in(Client(), email, ip=IP_A).status_code == 429
    client = Client()
    response = sign_in(client, email, ip=IP_B)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_pause_ends_after_the_cool_off(org_a, clock):
    email = org_a.caseworker.email
    for _ in range(6):
        sign_in(Client(), email, "wrong-password-guess")
    clock.shift(timedelta(minutes=14))
    assert sign_in(Client(), email).status_code == 429
    clock.shift(timedelta(minutes=2))
    client = Client()
    assert sign_in(client, email).status_code == 302
    assert signed_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_pause(org_a, clock):
    email = org_a.caseworker.email
    for n in range(5):
        Client().post(
            reverse("accounts:login"),
            {"username": email, "password": "wrong-password-guess"},
            REMOTE_ADDR=IP_A,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert sign_in(Client(), email).status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(org_a, clock):
    email = org_a.caseworker.email
    for n in range(5):  # the client forges the left entry; the proxy appends the real address
        Client().post(
            reverse("accounts:login"),
            {"username": email, "password": "wrong-password-guess"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {IP_A}",
        )
    paused = Client().post(
        reverse("accounts:login"), {"username": email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=IP_A
    )
    assert paused.status_code == 429
    other = Client().post(
        reverse("accounts:login"), {"username": email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=IP_B
    )
    assert other.status_code == 302


def test_case_and_spaces_in_the_email_do_not_buy_extra_guesses(org_a, clock):
    for variant in ("caseworker@alpha.example.org", "CASEWORKER@alpha.example.org", " Caseworker@Alpha.example.org "):
        sign_in(Client(), variant, "wrong-password-guess")
        sign_in(Client(), variant, "wrong-password-guess")
    assert sign_in(Client(), org_a.caseworker.email).status_code == 429


def test_one_address_guessing_many_accounts_is_paused_but_others_are_not(org_a, org_b, clock):
    targets = [org_a.caseworker, org_a.caseworker2, org_b.caseworker, org_b.caseworker2, org_b.supervisor]
    for user in targets:  # 4 guesses each: never the per-account limit, 20 from one address
        for _ in range(4):
            sign_in(Client(), user.email, "wrong-password-guess", ip=IP_A)
    assert sign_in(Client(), org_a.supervisor.email, ip=IP_A).status_code == 429
    client = Client()
    assert sign_in(client, org_a.supervisor.email, ip=IP_B).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_guesses_at_a_colleagues(org_a, clock):
    target = org_a.supervisor.email
    for _ in range(4):
        sign_in(Client(), target, "wrong-password-guess")
    assert sign_in(Client(), org_a.caseworker.email).status_code == 302  # the attacker's own account
    assert sign_in(Client(), target, "wrong-password-guess").status_code == 429


def test_a_successful_sign_in_clears_the_owners_own_mistakes(org_a, clock):
    email = org_a.caseworker.email
    for _ in range(4):
        sign_in(Client(), email, "wrong-password-guess")
    assert sign_in(Client(), email).status_code == 302
    for _ in range(4):
        sign_in(Client(), email, "wrong-password-guess")
    assert sign_in(Client(), email).status_code == 302


# --- Who needs two-factor ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "org_admin"])
def test_supervisors_and_org_admins_must_set_up_two_factor_before_any_page(org_a, role):
    client = Client()
    assert sign_in(client, org_a.by_role(role).email).status_code == 302
    for url in ("/", reverse("cases:victim_list"), reverse("accounts:password_change")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_platform_admin_must_pass_two_factor_before_the_admin_site(platform_admin):
    client = Client()
    sign_in(client, platform_admin.email)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_admin_site_itself_refuses_a_session_without_a_second_factor(platform_admin):
    request = RequestFactory().get("/")
    request.user = platform_admin
    platform_admin.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    platform_admin.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_a_caseworker_signs_in_with_a_password_alone_by_default(org_a):
    client = Client()
    sign_in(client, org_a.caseworker.email)
    assert client.get("/").status_code == 200


def test_an_organisation_can_require_two_factor_for_everyone(org_a):
    org_a.organization.require_two_factor_for_everyone = True
    org_a.organization.save()
    client = Client()
    sign_in(client, org_a.caseworker.email)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_caseworker_who_set_up_an_authenticator_is_asked_for_a_code(org_a):
    make_totp_device(org_a.caseworker)
    client = Client()
    sign_in(client, org_a.caseworker.email)
    response = client.get("/")
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_an_inactive_membership_does_not_make_two_factor_required(org_a, org_b):
    MembershipFactory(user=org_a.caseworker, organization=org_b.organization, role="supervisor", is_active=False)
    assert not two_factor_required(org_a.caseworker)
    assert two_factor_required(org_a.supervisor)


# --- Setting up and using the second factor ----------------------------------------------------------


def test_setting_up_an_authenticator_turns_on_two_factor_and_shows_ten_recovery_codes_once(org_a, clock):
    user = org_a.supervisor
    client = Client()
    sign_in(client, user.email)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    assert 'data-testid="totp-secret"' in page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()  # the QR code is drawn here, not fetched
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"otp_token": "000000"})
    assert "That code did not match" in wrong.content.decode()
    assert client.get("/").status_code == 302  # still not through

    too_soon = client.post(reverse("accounts:two_factor_setup"), {"otp_token": current_totp_code(device)})
    assert "Too many wrong codes" in too_soon.content.decode()  # wrong codes slow down
    clock.shift(timedelta(seconds=2))
    done = client.post(reverse("accounts:two_factor_setup"), {"otp_token": current_totp_code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert done["Cache-Control"].startswith("no-store") or "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200
    overview = client.get(reverse("accounts:two_factor_recovery_codes")).content.decode()
    assert "10 unused recovery codes" in overview
    assert not any(code in overview for code in codes)  # never shown again


def test_signing_in_with_a_code_lets_the_user_through_to_the_page_they_asked_for(org_a, clock):
    user = org_a.supervisor
    device = make_totp_device(user)
    client = Client()
    sign_in(client, user.email)
    before = client.session.session_key
    response = enter_code(client, current_totp_code(device), next_url="/cases/")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.session.session_key != before  # the session gains privileges: new key


def test_a_totp_code_cannot_be_used_twice(org_a, clock):
    user = org_a.supervisor
    device = make_totp_device(user)
    code = current_totp_code(device)
    first = Client()
    sign_in(first, user.email)
    assert enter_code(first, code).status_code == 302
    # An onlooker who saw the code types it within the same 30 seconds.
    second = Client()
    sign_in(second, user.email, ip=IP_B)
    refused = enter_code(second, code)
    assert refused.status_code == 200
    assert "That code did not work" in refused.content.decode()
    assert second.get("/").status_code == 302


def test_wrong_codes_slow_down_further_tries(org_a, clock):
    user = org_a.supervisor
    device = make_totp_device(user)
    client = Client()
    sign_in(client, user.email)
    enter_code(client, "123456" if current_totp_code(device) != "123456" else "654321")
    too_soon = enter_code(client, current_totp_code(device))
    assert "Too many wrong codes" in too_soon.content.decode()
    clock.shift(timedelta(seconds=2))
    assert enter_code(client, current_totp_code(device)).status_code == 302


def test_a_recovery_code_works_once(org_a, clock):
    user = org_a.supervisor
    device = make_totp_device(user)
    client = sign_in_verified(Client(), user)
    codes = client.post(reverse("accounts:two_factor_recovery_codes")).context["codes"]
    assert StaticToken.objects.filter(device__user=user).count() == 10
    del device

    lost_phone = Client()
    sign_in(lost_phone, user.email)
    used = enter_code(lost_phone, codes[0].upper())
    assert used.status_code == 302
    assert lost_phone.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9

    again = Client()
    sign_in(again, user.email, ip=IP_B)
    assert "That code did not work" in enter_code(again, codes[0]).content.decode()
    clock.shift(timedelta(seconds=2))
    assert enter_code(again, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(org_a, clock):
    user = org_a.supervisor
    client = sign_in_verified(Client(), user)
    old = client.post(reverse("accounts:two_factor_recovery_codes")).context["codes"]
    new = client.post(reverse("accounts:two_factor_recovery_codes")).context["codes"]
    assert not set(old) & set(new)
    other = Client()
    sign_in(other, user.email)
    assert "That code did not work" in enter_code(other, old[0]).content.decode()


def test_a_stolen_password_alone_cannot_replace_the_second_factor(org_a, clock):
    user = org_a.supervisor
    make_totp_device(user)
    attacker = Client()
    sign_in(attacker, user.email, ip=IP_B)
    response = attacker.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    attacker.post(reverse("accounts:two_factor_setup"), {"otp_token": "123456"})
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert attacker.get(reverse("accounts:two_factor_recovery_codes")).status_code == 302


def test_two_org_admins_together_reset_a_colleagues_lost_second_factor(org_a):
    supervisor = org_a.supervisor
    make_totp_device(supervisor)
    second_admin = MembershipFactory(organization=org_a.organization, role="org_admin").user
    for admin_user in (org_a.org_admin, second_admin):
        admin_user.is_staff = True
        admin_user.save()
        response = sign_in_verified(Client(), admin_user).post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [supervisor.pk]},
        )
        assert response.status_code == 302
        # The first admin only asks; the device goes when the second one approves.
        assert TOTPDevice.objects.filter(user=supervisor).exists() == (admin_user == org_a.org_admin)
    client = Client()
    sign_in(client, supervisor.email)
    assert client.get("/")["Location"].startswith(reverse("accounts:two_factor_setup"))


# --- Passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Short-pass1", "at least 12 characters"),
        ("1qaz2wsx3edc", "too common"),
        ("493027561834", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(org_a, password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=org_a.caseworker)
    assert any(reason in message for message in refused.value.messages)
    client = Client()
    client.force_login(org_a.caseworker)
    page = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert page.status_code == 200
    assert reason in page.content.decode()
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.check_password(PASSWORD)


def test_a_long_uncommon_password_is_accepted(org_a):
    validate_password("lantern-harbour-monsoon-42", user=org_a.caseworker)
