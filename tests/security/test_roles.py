"""Roles and permissions (accounts/permissions.py): the policy table, and that pages, admin, forms, services,
exports and digests follow it. Another organisation's user can do nothing and sees 404, not 403."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.permissions import PERMISSIONS, Action, can, require, requires_two_factor, roles_allowed
from cases import services
from cases.forms import AssignForm, agencies_for
from cases.models import CaseNote, Victim
from tests.factories import AgencyFactory, make_note, make_victim, sign_in_verified
from tracker.digests import render_digest

CW, SV, OA = "caseworker", "supervisor", "org_admin"

# The policy, written out independently of the table in accounts/permissions.py: a change there fails here.
EXPECTED = {
    Action.VIEW: {CW, SV, OA},
    Action.VIEW_IDENTITY: {CW, SV, OA},
    Action.CREATE: {CW, SV, OA},
    Action.EDIT: {CW, SV, OA},
    Action.REFER: {CW, SV, OA},
    Action.CLOSE: {CW, SV, OA},
    Action.ASSIGN: {SV, OA},
    Action.EXPORT: {SV, OA},
    Action.VIEW_RESTRICTED_NOTES: {SV, OA},
    Action.EXPORT_STATISTICS: {OA},
    Action.MANAGE_USERS: {OA},
    Action.VIEW_AUDIT: {OA},
    Action.VIEW_TEAM: {SV, OA},
    Action.ADMINISTER: {OA},
    Action.IMPORT_LISTS: {SV, OA},
    Action.REVIEW_MATCHES: {CW, SV, OA},
    Action.REPATRIATE: {CW, SV, OA},
    Action.MANAGE_BATCHES: {SV, OA},
    Action.DOWNLOAD_MANIFEST: {SV, OA},
    Action.DELETE_EVIDENCE: {SV, OA},
}

RESTRICTED_BODY = "Synthetic restricted detail: safe-house Lima-7"
OPEN_BODY = "Synthetic ordinary note: called family"


def test_every_action_has_an_expected_row():
    assert set(EXPECTED) == set(Action.values)
    assert set(PERMISSIONS) == set(Membership.Role.values)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", [CW, SV, OA])
def test_a_role_may_do_exactly_the_actions_in_the_policy_in_its_own_organisation(org_a, action, role):
    user = org_a.by_role(role)
    assert can(user, action, org_a.organization) is (role in EXPECTED[action])
    assert set(roles_allowed(action)) == EXPECTED[action]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", [CW, SV, OA])
def test_a_member_of_another_organisation_may_do_nothing(org_a, org_b, action, role):
    outsider = org_b.by_role(role)
    assert can(outsider, action, org_a.organization) is False
    with pytest.raises(PermissionDenied):
        require(outsider, action, org_a.organization)


def test_anonymous_inactive_and_removed_users_may_do_nothing(org_a):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Action.VIEW, org_a.organization)
    assert not can(None, Action.VIEW, org_a.organization)
    Membership.objects.filter(user=org_a.supervisor).update(is_active=False)
    org_a.supervisor.refresh_from_db()
    assert not can(org_a.supervisor, Action.VIEW, org_a.organization)
    org_a.org_admin.is_active = False
    org_a.org_admin.save()
    assert not can(org_a.org_admin, Action.VIEW_AUDIT, org_a.organization)


def test_platform_admins_may_do_everything(platform_admin, org_a):
    assert all(can(platform_admin, action, org_a.organization) for action in Action)


def test_an_unknown_action_is_a_programming_error(org_a):
    with pytest.raises(ValueError, match="Unknown action"):
        can(org_a.supervisor, "delete_everything", org_a.organization)


# --- Cases: caseworkers see all of their organisation's cases; another organisation's are 404 --------------------


@pytest.fixture
def case_a(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker2)
    make_note(victim=victim, author=org_a.supervisor, body=RESTRICTED_BODY, is_restricted=True)
    make_note(victim=victim, author=org_a.caseworker2, body=OPEN_BODY)
    return victim


def test_a_caseworker_can_open_a_colleagues_case_to_cover_for_them(client_for, org_a, case_a):
    assert case_a.assigned_to == org_a.caseworker2
    response = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[case_a.pk]))
    assert response.status_code == 200
    assert OPEN_BODY in response.content.decode()


@pytest.mark.parametrize("role", [CW, SV, OA])
@pytest.mark.parametrize("name", ["cases:victim_detail", "cases:victim_edit"])
def test_another_organisations_case_is_not_found_for_every_role(client_for, org_a, org_b, case_a, role, name):
    client = client_for(org_b.by_role(role), org_b.organization)
    assert client.get(reverse(name, args=[case_a.pk])).status_code == 404


def test_restricted_notes_are_hidden_from_caseworkers_on_the_case_page(client_for, org_a, case_a):
    page = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[case_a.pk]))
    text = page.content.decode()
    assert OPEN_BODY in text
    assert RESTRICTED_BODY not in text
    page = client_for(org_a.caseworker, org_a.organization).get(
        reverse("cases:victim_detail", args=[case_a.pk]) + "?history=all"
    )
    assert RESTRICTED_BODY not in page.content.decode()


@pytest.mark.parametrize("role", [SV, OA])
def test_supervisors_and_org_admins_read_restricted_notes(client_for, org_a, case_a, role):
    page = client_for(org_a.by_role(role), org_a.organization).get(reverse("cases:victim_detail", args=[case_a.pk]))
    assert RESTRICTED_BODY in page.content.decode()


def test_a_caseworker_cannot_write_a_restricted_note_by_posting_the_box_anyway(client_for, org_a, case_a):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        reverse("cases:victim_add_note", args=[case_a.pk]),
        {"kind": "internal", "body": "Synthetic caseworker note", "is_restricted": "on"},
    )
    assert response.status_code == 302
    note = CaseNote.objects.get(victim=case_a, author=org_a.caseworker)
    assert note.is_restricted is False


# --- Assigning ------------------------------------------------------------------------------------------------


def test_a_caseworker_cannot_assign_a_case(client_for, org_a, case_a):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(reverse("cases:victim_assign", args=[case_a.pk]), {"assignee": org_a.caseworker.pk})
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.assigned_to == org_a.caseworker2


@pytest.mark.parametrize("role", [SV, OA])
def test_supervisors_and_org_admins_assign_cases(client_for, org_a, case_a, role):
    client = client_for(org_a.by_role(role), org_a.organization)
    response = client.post(reverse("cases:victim_assign", args=[case_a.pk]), {"assignee": org_a.caseworker.pk})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.assigned_to == org_a.caseworker


def test_another_organisations_supervisor_cannot_assign_and_sees_not_found(client_for, org_a, org_b, case_a):
    client = client_for(org_b.supervisor, org_b.organization)
    response = client.post(reverse("cases:victim_assign", args=[case_a.pk]), {"assignee": org_b.caseworker.pk})
    assert response.status_code == 404
    case_a.refresh_from_db()
    assert case_a.assigned_to == org_a.caseworker2


def test_the_assign_service_refuses_a_caseworker_and_an_outsider(org_a, org_b, case_a):
    with pytest.raises(PermissionDenied):
        services.victim_assign(victim=case_a, assignee=org_a.caseworker, assigned_by=org_a.caseworker)
    with pytest.raises(PermissionDenied):
        services.victim_assign(victim=case_a, assignee=org_a.caseworker, assigned_by=org_b.supervisor)
    case_a.refresh_from_db()
    assert case_a.assigned_to == org_a.caseworker2
    services.victim_assign(victim=case_a, assignee=org_a.caseworker, assigned_by=org_a.supervisor)
    case_a.refresh_from_db()
    assert case_a.assigned_to == org_a.caseworker


def test_assignee_choices_are_only_the_organisations_active_members(org_a, org_b):
    choices = set(AssignForm(organization=org_a.organization).fields["assignee"].queryset)
    assert org_a.caseworker in choices and org_a.supervisor in choices
    assert not choices & {org_b.caseworker, org_b.supervisor, org_b.org_admin}
    form = AssignForm({"assignee": org_b.caseworker.pk}, organization=org_a.organization)
    assert not form.is_valid()


def test_agency_choices_are_shared_ones_and_the_organisations_own_private_ones(org_a, org_b):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    shared = AgencyFactory(name="Synthetic Shared Police", kind="police", organization=None)
    own = AgencyFactory(name="Synthetic Alpha Private Shelter", kind="shelter", organization=org_a.organization)
    other = AgencyFactory(name="Synthetic Bravo Private Shelter", kind="shelter", organization=org_b.organization)
    choices = set(agencies_for(victim=victim, organization=org_a.organization))
    assert {shared, own} <= choices
    assert other not in choices


# --- Exports and the audit page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "export_status", "statistics_status", "audit_status"),
    [(CW, 403, 403, 403), (SV, 200, 403, 403), (OA, 200, 200, 200)],
)
def test_exports_statistics_and_the_audit_trail_follow_the_policy(
    client_for, org_a, role, export_status, statistics_status, audit_status
):
    client = client_for(org_a.by_role(role), org_a.organization)
    assert client.get(reverse("cases:export_victims")).status_code == export_status
    assert client.get(reverse("cases:export_statistics")).status_code == statistics_status
    assert client.get(reverse("audit:audit")).status_code == audit_status
    user, organization = org_a.by_role(role), org_a.organization
    assert (export_status == 200) is can(user, Action.EXPORT, organization)
    assert (statistics_status == 200) is can(user, Action.EXPORT_STATISTICS, organization)
    assert (audit_status == 200) is can(user, Action.VIEW_AUDIT, organization)


@pytest.mark.parametrize("name", ["cases:export_victims", "audit:audit"])
def test_anonymous_visitors_are_sent_to_sign_in(name, db):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- The admin site: org admins (staff) and platform admins only -----------------------------------------------


@pytest.mark.parametrize("role", [CW, SV])
def test_the_admin_site_refuses_caseworkers_and_supervisors_even_with_the_staff_flag(client, org_a, role):
    user = org_a.by_role(role)
    user.is_staff = True
    user.save()
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    sign_in_verified(client, user)
    index = client.get(reverse("admin:index"))
    assert reverse("admin:cases_victim_changelist") not in index.content.decode()  # no module is offered
    for url in (
        reverse("admin:cases_victim_changelist"),
        reverse("admin:cases_victim_change", args=[victim.pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:audit_auditentry_changelist"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_admin_site_admits_a_staff_org_admin_and_a_platform_admin(client, org_a, platform_admin):
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    sign_in_verified(client, org_a.org_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    other = Client()
    sign_in_verified(other, platform_admin)
    assert other.get(reverse("admin:index")).status_code == 200
    assert settings.ADMIN_URL  # the admin lives where the environment says


def test_an_org_admins_admin_lists_hide_another_organisations_cases(client, org_a, org_b):
    mine = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    theirs = make_victim(organization=org_b.organization, created_by=org_b.caseworker)
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    sign_in_verified(client, org_a.org_admin)
    listing = client.get(reverse("admin:cases_victim_changelist")).content.decode()
    assert mine.case_number in listing
    assert theirs.case_number not in listing
    assert client.get(reverse("admin:cases_victim_change", args=[theirs.pk])).status_code in (302, 404)


# --- Digests: a caseworker's lists only their own cases; notes never appear in any email ------------------------


def test_a_caseworkers_digest_lists_only_their_own_cases_and_no_note_text(org_a):
    mine = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    colleagues = make_victim(organization=org_a.organization, created_by=org_a.caseworker2)
    make_note(victim=mine, author=org_a.supervisor, body=RESTRICTED_BODY, is_restricted=True)
    make_note(victim=mine, author=org_a.caseworker, body=OPEN_BODY)
    now = timezone.now() + timedelta(minutes=5)
    membership = Membership.objects.get(user=org_a.caseworker, organization=org_a.organization)
    subject, text, html = render_digest(membership=membership, now=now, week="2026-W10")
    assert mine.case_number in text and mine.case_number in html
    assert colleagues.case_number not in text + html
    for body in (RESTRICTED_BODY, OPEN_BODY):
        assert body not in subject + text + html


def test_a_supervisors_digest_covers_the_whole_organisation_without_note_text(org_a):
    first = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    second = make_victim(organization=org_a.organization, created_by=org_a.caseworker2)
    make_note(victim=first, author=org_a.supervisor, body=RESTRICTED_BODY, is_restricted=True)
    now = timezone.now() + timedelta(minutes=5)
    membership = Membership.objects.get(user=org_a.supervisor, organization=org_a.organization)
    subject, text, html = render_digest(membership=membership, now=now, week="2026-W10")
    assert first.case_number in text and second.case_number in text
    assert RESTRICTED_BODY not in subject + text + html
    assert Victim.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_role_change_takes_effect_at_once_for_the_same_user_object(org_a):
    supervisor = org_a.supervisor
    assert can(supervisor, Action.ASSIGN, org_a.organization)
    Membership.objects.filter(user=supervisor).update(role=Membership.Role.CASEWORKER)
    assert not can(supervisor, Action.ASSIGN, org_a.organization)
    assert can(supervisor, Action.VIEW, org_a.organization)


@pytest.mark.parametrize("name", ["cases:export_victims", "cases:export_requests", "cases:export_referrals"])
def test_no_export_carries_note_text_restricted_or_not(client_for, org_a, case_a, name):
    response = client_for(org_a.supervisor, org_a.organization).get(reverse(name) + "?format=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert RESTRICTED_BODY not in content and OPEN_BODY not in content


@pytest.mark.parametrize(("role", "needs"), [(CW, False), (SV, True), (OA, True)])
def test_two_factor_follows_the_permission_table(role, needs, org_a):
    membership = Membership.objects.get(user=org_a.by_role(role), organization=org_a.organization)
    assert requires_two_factor(membership) is needs
    membership.is_active = False
    assert requires_two_factor(membership) is False  # an ended membership allows nothing
