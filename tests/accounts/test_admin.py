"""The accounts admin: users sign in by email, org admins manage only their own organisation's people and settings."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, User
from tests.conftest import PASSWORD
from tests.factories import sign_in_verified
from tracker import outbox

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def staff_org_admin(org_a):
    user = org_a.org_admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture(params=["superuser", "org_admin"])
def any_admin_client(request, client, platform_admin, staff_org_admin, org_b):
    sign_in_verified(client, platform_admin if request.param == "superuser" else staff_org_admin)
    return client


@pytest.fixture
def org_admin_client(client, staff_org_admin, org_b):
    return sign_in_verified(client, staff_org_admin)


def rows(response) -> list:
    return list(response.context["cl"].result_list)


# --- Every page loads -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [User, Organization, Membership], ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_load_for_platform_and_organisation_admins(any_admin_client, org_a, model):
    row = {
        User: org_a.caseworker,
        Organization: org_a.organization,
        Membership: Membership.objects.filter(organization=org_a.organization).first(),
    }[model]
    listed = any_admin_client.get(admin_url(model, "changelist"))
    assert listed.status_code == 200
    assert row.pk in {r.pk for r in rows(listed)}
    searched = any_admin_client.get(admin_url(model, "changelist"), {"q": "alpha"})
    assert searched.status_code == 200
    assert row.pk in {r.pk for r in rows(searched)}
    assert any_admin_client.get(admin_url(model, "change", row.pk)).status_code == 200


@pytest.mark.parametrize("model", [User, Membership], ids=lambda m: m.__name__)
def test_add_pages_load_for_platform_and_organisation_admins(any_admin_client, model):
    assert any_admin_client.get(admin_url(model, "add")).status_code == 200


def test_only_platform_admins_add_organisations(client, platform_admin, staff_org_admin):
    sign_in_verified(client, platform_admin)
    assert client.get(admin_url(Organization, "add")).status_code == 200
    sign_in_verified(client, staff_org_admin)
    assert client.get(admin_url(Organization, "add")).status_code == 403


def test_no_admin_can_open_or_use_the_page_that_sets_someone_elses_password(any_admin_client, org_a):
    page = any_admin_client.get(admin_url(User, "change", org_a.caseworker.pk))
    assert "../password/" not in page.content.decode()
    url = reverse("admin:auth_user_password_change", args=[org_a.caseworker.pk])
    assert any_admin_client.get(url).status_code == 403
    new = "an-admin-chosen-synthetic-passphrase"
    assert any_admin_client.post(url, {"password1": new, "password2": new}).status_code == 403
    org_a.caseworker.refresh_from_db()
    assert org_a.caseworker.check_password(PASSWORD)


# --- Scoping --------------------------------------------------------------------------------------


def test_an_organisation_admin_sees_only_their_organisations_people_and_settings(
    org_admin_client, org_a, org_b, platform_admin
):
    users = {u.email for u in rows(org_admin_client.get(admin_url(User, "changelist")))}
    assert org_a.caseworker.email in users
    assert not any(email.endswith("@bravo.example.org") for email in users)
    assert platform_admin.email not in users

    organisations = rows(org_admin_client.get(admin_url(Organization, "changelist")))
    assert organisations == [org_a.organization]

    memberships = rows(org_admin_client.get(admin_url(Membership, "changelist")))
    assert {m.organization_id for m in memberships} == {org_a.organization.pk}


@pytest.mark.parametrize("row", ["other_user", "other_organisation", "other_membership", "platform_admin"], ids=str)
def test_another_organisations_rows_do_not_exist_for_an_organisation_admin(
    org_admin_client, org_b, platform_admin, row
):
    model, pk = {
        "other_user": (User, org_b.caseworker.pk),
        "other_organisation": (Organization, org_b.organization.pk),
        "other_membership": (Membership, Membership.objects.filter(organization=org_b.organization).first().pk),
        "platform_admin": (User, platform_admin.pk),
    }[row]
    response = org_admin_client.get(admin_url(model, "change", pk), follow=True)
    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert "doesn’t exist" in messages_of(response)


def test_an_organisation_admin_cannot_change_a_colleague_who_also_belongs_to_another_organisation(
    org_admin_client, org_a, org_b
):
    shared_person = org_a.caseworker2
    Membership.objects.create(user=shared_person, organization=org_b.organization, role="org_admin")
    page = org_admin_client.get(admin_url(User, "change", shared_person.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    listed = org_admin_client.get(admin_url(User, "changelist"), {"q": shared_person.email})
    assert "Bravo NGO" not in listed.content.decode()
    refused = org_admin_client.get(reverse("admin:auth_user_password_change", args=[shared_person.pk]))
    assert refused.status_code == 403


def test_an_organisation_admin_cannot_make_anyone_a_superuser(org_admin_client, org_a):
    page = org_admin_client.get(admin_url(User, "change", org_a.caseworker.pk))
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    org_admin_client.post(
        admin_url(User, "change", org_a.caseworker.pk),
        {
            "email": org_a.caseworker.email,
            "display_name": "Caseworker Alpha",
            "is_active": "on",
            "is_superuser": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    org_a.caseworker.refresh_from_db()
    assert not org_a.caseworker.is_superuser


def test_an_organisation_admin_cannot_add_people_to_another_organisation(org_admin_client, org_a, org_b):
    response = org_admin_client.post(
        admin_url(Membership, "add"),
        {"user": org_a.caseworker.pk, "organization": org_b.organization.pk, "role": "org_admin", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=org_a.caseworker, organization=org_b.organization).exists()


def test_caseworkers_and_supervisors_get_no_admin(client, org_a):
    client.force_login(org_a.caseworker)
    assert client.get(admin_url(User, "changelist")).status_code == 302
    supervisor = org_a.supervisor
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    sign_in_verified(client, supervisor)
    assert client.get(admin_url(User, "changelist")).status_code == 403
    assert client.get(admin_url(Organization, "change", org_a.organization.pk)).status_code == 403


# --- Writes ---------------------------------------------------------------------------------------


def test_an_organisation_admin_adds_a_colleague_who_chooses_their_own_password_and_signs_in(org_admin_client, org_a):
    response = org_admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Colleague@Alpha.Example.org",
            "display_name": "New Colleague",
            "usable_password": "true",  # ignored: the admin cannot choose the password
            "password1": PASSWORD,
            "password2": PASSWORD,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organization": org_a.organization.pk,
            "memberships-0-role": "caseworker",
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.colleague@alpha.example.org")
    assert user.role_in(org_a.organization) == "caseworker"
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert authenticate(RequestFactory().post("/"), username=user.email, password=PASSWORD) is None

    outbox.deliver_due(now=timezone.now())
    [email] = mail.outbox
    assert email.to == [user.email]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", email.body)[1]
    newcomer = Client()
    form = newcomer.get(link, follow=True)
    chosen = "the-newcomers-own-synthetic-passphrase"
    assert (
        newcomer.post(form.request["PATH_INFO"], {"new_password1": chosen, "new_password2": chosen}).status_code == 302
    )
    assert authenticate(RequestFactory().post("/"), username=user.email, password=chosen) == user


def test_an_organisation_admin_must_place_a_new_user_in_their_organisation(org_admin_client):
    response = org_admin_client.post(
        admin_url(User, "add"),
        {
            "email": "homeless@example.org",
            "display_name": "No Organisation",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Please submit at least 1 form." in response.content.decode()
    assert not User.objects.filter(email="homeless@example.org").exists()


def test_a_duplicate_email_in_other_letter_case_is_refused(org_admin_client, org_a):
    response = org_admin_client.post(
        admin_url(User, "add"),
        {
            "email": org_a.caseworker.email.upper(),
            "display_name": "Duplicate",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organization": org_a.organization.pk,
            "memberships-0-role": "caseworker",
        },
    )
    assert response.status_code == 200
    assert "A user with this email address already exists." in response.content.decode()


def test_an_organisation_admin_changes_their_organisations_follow_up_and_digest_settings(org_admin_client, org_a):
    organisation = org_a.organization
    memberships = list(Membership.objects.filter(organization=organisation).order_by("pk"))
    data = {
        "name": organisation.name,
        "case_number_prefix": organisation.case_number_prefix,
        "timezone": "Asia/Yangon",
        "digest_weekday": "4",
        "digest_hour": "9",
        "cadence_urgent_days": "1",
        "cadence_high_days": "2",
        "cadence_normal_days": "5",
        "escalate_after_reminders": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
    }
    for i, membership in enumerate(memberships):
        data.update(
            {
                f"memberships-{i}-id": membership.pk,
                f"memberships-{i}-organization": organisation.pk,
                f"memberships-{i}-user": membership.user_id,
                f"memberships-{i}-role": membership.role,
                f"memberships-{i}-is_active": "on",
            }
        )
    response = org_admin_client.post(admin_url(Organization, "change", organisation.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert (organisation.timezone, organisation.digest_weekday, organisation.cadence_normal_days) == (
        "Asia/Yangon",
        4,
        5,
    )

    data["timezone"] = "Mars/Olympus_Mons"
    refused = org_admin_client.post(admin_url(Organization, "change", organisation.pk), data)
    assert "is not a known time zone" in refused.content.decode()
