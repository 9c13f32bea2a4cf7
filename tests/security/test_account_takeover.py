"""Attack suite: an organisation admin (or anyone else) trying to take over a colleague's account.

The walk is generated from the user admin's own URL patterns: every URL of the user model, for every role, by GET
and by a hostile POST (a chosen password, the attacker's email, superuser, the two-factor reset action). After each
one the target's password, email, flags and second factor are as they were, unless a platform admin reset it.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorResetRequest, User
from accounts.two_factor_reset import APPROVAL_WINDOW, request_two_factor_reset
from audit.models import AuditEntry
from tests.factories import MembershipFactory, make_totp_device, sign_in_verified
from tracker import outbox
from tracker.models import OutboxMessage

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "caseworker", "supervisor", "org_admin_a", "org_admin_b", "platform_admin")
ATTACKER_PASSWORD = "the-attackers-chosen-synthetic-passphrase"


def _user_admin_urls(target_pk: int) -> list[str]:
    """Every URL the user admin serves, from its URL patterns, with the target's id in each placeholder."""
    base = reverse("admin:accounts_user_changelist")
    urls = []
    for pattern in admin.site._registry[User].urls:
        route = getattr(pattern.pattern, "_route", None)
        if route is None:  # a regex pattern (the admin's catch-all)
            route = str(pattern.pattern).lstrip("^").rstrip("$")
        urls.append(base + re.sub(r"<(?:\w+:)?\w+>", str(target_pk), route))
    return sorted(set(urls))


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def takeover(org_a, org_b, platform_admin):
    target = org_a.supervisor
    make_totp_device(target)
    _staff(org_a.org_admin)
    _staff(org_b.org_admin)
    people = {
        "anonymous": None,
        "caseworker": org_a.caseworker,
        "supervisor": org_a.caseworker2,
        "org_admin_a": org_a.org_admin,
        "org_admin_b": org_b.org_admin,
        "platform_admin": platform_admin,
    }
    return target, people


def _client(user) -> Client:
    return sign_in_verified(Client(), user) if user is not None else Client()


def test_the_walk_covers_the_password_change_and_history_pages(org_a):
    urls = _user_admin_urls(org_a.supervisor.pk)
    assert any(url.endswith(f"/{org_a.supervisor.pk}/password/") for url in urls)
    assert any(url.endswith("/history/") for url in urls)
    assert len(urls) >= 6


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_url_of_the_user_model_lets_anyone_set_a_colleagues_password_or_email(takeover, role):
    target, people = takeover
    who = people[role]
    before = User.objects.values("password", "email", "is_superuser", "is_active").get(pk=target.pk)
    hostile = {
        "email": "attacker@example.org",
        "display_name": target.display_name,
        "password1": ATTACKER_PASSWORD,
        "password2": ATTACKER_PASSWORD,
        "usable_password": "true",
        "is_superuser": "on",
        "is_active": "on",
        "action": "delete_selected",
        "_selected_action": [target.pk],
        "post": "yes",
    }
    for url in _user_admin_urls(target.pk):
        client = _client(who)
        for method in ("get", "post"):
            response = getattr(client, method)(url, hostile if method == "post" else {})
            assert response.status_code < 500, (role, method, url)
            if url.endswith("/password/") and who is not None and who.is_staff:
                assert response.status_code == 403, (role, method, url)
            if role in ("anonymous", "caseworker", "supervisor") and response.status_code == 302:
                assert response["Location"].startswith(reverse("admin:login")), (role, url)
    after = User.objects.filter(pk=target.pk).values("password", "email", "is_superuser", "is_active").first()
    if role == "platform_admin" and after is None:
        return  # a platform admin may delete an account outright, which takes nothing over
    assert after == before, role
    assert TOTPDevice.objects.filter(user=target).exists(), role


def test_an_org_admin_cannot_change_a_colleagues_email_to_receive_their_reset_link(takeover, client):
    target, people = takeover
    page = sign_in_verified(client, people["org_admin_a"]).get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert "email" not in page.context["adminform"].form.fields  # shown read-only


def test_the_password_link_action_emails_the_person_a_link_the_database_never_holds(takeover, client):
    target, people = takeover
    response = sign_in_verified(client, people["org_admin_a"]).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_link", "_selected_action": [target.pk]},
        follow=True,
    )
    assert "Sent a password link to 1 user." in response.content.decode()
    [row] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PASSWORD_RESET)
    assert row.recipient_email == target.email
    assert "/password/reset/" not in row.body_text + row.body_html
    outbox.deliver_due(now=timezone.now())
    [email] = mail.outbox
    assert email.to == [target.email]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", email.body)[1]
    row.refresh_from_db()
    assert link not in row.body_text  # still not stored after sending
    person = Client()
    form = person.get(link, follow=True)
    chosen = "the-supervisors-own-new-synthetic-passphrase"
    assert person.post(form.request["PATH_INFO"], {"new_password1": chosen, "new_password2": chosen}).status_code == 302
    target.refresh_from_db()
    assert target.check_password(chosen)


# --- Resetting someone else's second factor ------------------------------------------------------------------------


def _notices_to(user) -> list[str]:
    return list(
        OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SECURITY_NOTICE, recipient_email=user.email)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def test_one_org_admin_alone_only_asks_and_the_person_is_told(takeover):
    target, people = takeover
    now = timezone.now()
    reset = request_two_factor_reset(user=target, by=people["org_admin_a"], now=now)
    assert reset.status == TwoFactorResetRequest.Status.PENDING
    assert TOTPDevice.objects.filter(user=target).exists()
    again = request_two_factor_reset(user=target, by=people["org_admin_a"], now=now + timedelta(minutes=5))
    assert again.pk == reset.pk and again.status == TwoFactorResetRequest.Status.PENDING
    assert TOTPDevice.objects.filter(user=target).exists()
    assert _notices_to(target) == ["Homeward: an admin asked to reset your two-factor sign-in"]


def test_a_second_org_admin_approves_and_the_reset_is_emailed_audited_and_ends_the_sessions(takeover, org_a):
    target, people = takeover
    second = _staff(MembershipFactory(organization=org_a.organization, role="org_admin").user)
    now = timezone.now()
    request_two_factor_reset(user=target, by=people["org_admin_a"], now=now)
    done = request_two_factor_reset(user=target, by=second, now=now + timedelta(minutes=10))
    assert done.status == TwoFactorResetRequest.Status.DONE
    assert (done.requested_by, done.approved_by) == (people["org_admin_a"], second)
    assert not TOTPDevice.objects.filter(user=target).exists()
    target.refresh_from_db()
    assert target.sessions_valid_after == now + timedelta(minutes=10)
    assert _notices_to(target)[-1] == "Homeward: your two-factor sign-in was reset"
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TwoFactorResetRequest), object_pk=str(done.pk)
    )
    assert entries.count() >= 2 and {e.organization_id for e in entries} == {org_a.organization.pk}


def test_the_approval_is_also_an_action_on_the_waiting_request(takeover, org_a, client):
    target, people = takeover
    second = _staff(MembershipFactory(organization=org_a.organization, role="org_admin").user)
    reset = request_two_factor_reset(user=target, by=people["org_admin_a"], now=timezone.now())
    sign_in_verified(client, second).post(
        reverse("admin:accounts_twofactorresetrequest_changelist"),
        {"action": "approve", "_selected_action": [reset.pk]},
    )
    reset.refresh_from_db()
    assert reset.status == TwoFactorResetRequest.Status.DONE and reset.approved_by == second


def test_nobody_approves_their_own_reset_nor_an_admin_of_another_organisation(takeover, org_a):
    target, people = takeover
    target_admin = _staff(org_a.org_admin)
    colleague = org_a.caseworker
    make_totp_device(colleague)
    request_two_factor_reset(user=colleague, by=target_admin, now=timezone.now())
    with pytest.raises(Exception, match="not a member of an organisation you administer"):
        request_two_factor_reset(user=colleague, by=people["org_admin_b"], now=timezone.now())
    with pytest.raises(Exception, match="your own two-factor"):
        request_two_factor_reset(user=target_admin, by=target_admin, now=timezone.now())
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_a_request_not_approved_within_the_window_expires(takeover, org_a):
    target, people = takeover
    second = _staff(MembershipFactory(organization=org_a.organization, role="org_admin").user)
    now = timezone.now()
    first = request_two_factor_reset(user=target, by=people["org_admin_a"], now=now)
    late = request_two_factor_reset(user=target, by=second, now=now + APPROVAL_WINDOW + timedelta(minutes=1))
    first.refresh_from_db()
    assert first.status == TwoFactorResetRequest.Status.EXPIRED
    assert late.status == TwoFactorResetRequest.Status.PENDING and late.requested_by == second
    assert TOTPDevice.objects.filter(user=target).exists()


def test_a_platform_admin_resets_at_once_and_the_person_is_told(takeover, client):
    target, people = takeover
    response = sign_in_verified(client, people["platform_admin"]).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [target.pk]},
        follow=True,
    )
    assert "Reset two-factor sign-in of 1 user" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert _notices_to(target) == ["Homeward: your two-factor sign-in was reset"]
