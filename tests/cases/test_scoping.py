"""A user sees only their organisations' rows; reference data is shared."""

import pytest

from accounts.models import Membership
from cases import services
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim, VictimStatusChange
from places.models import Agency, Compound
from tests.factories import AgencyFactory, CompoundFactory, make_note, make_referral, make_request, make_victim

pytestmark = pytest.mark.django_db

CASE_MODELS = [Victim, Reporter, CaseNote, RescueRequest, AgencyReferral, VictimStatusChange]


@pytest.fixture
def two_case_files(org_a, org_b):
    for org in (org_a, org_b):
        victim = make_victim(
            organization=org.organization,
            created_by=org.caseworker,
            reporter={"name": "Synthetic Reporter", "relationship": "parent"},
        )
        make_request(victim=victim)
        make_note(victim=victim, author=org.caseworker)
        make_referral(victim=victim, agency=AgencyFactory())
        services.victim_change_status(victim=victim, to_status="verified", changed_by=org.caseworker)
    return org_a, org_b


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_a_user_of_organisation_a_gets_nothing_of_organisation_b(two_case_files, model):
    org_a, org_b = two_case_files
    for role in ("caseworker", "supervisor", "org_admin"):
        rows = model.objects.visible_to(org_a.by_role(role))
        assert rows.count() == 1
        assert set(rows.values_list("organization_id", flat=True)) == {org_a.organization.pk}


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_anonymous_and_deactivated_members_see_nothing(two_case_files, model, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    org_a, _ = two_case_files
    assert model.objects.visible_to(AnonymousUser()).count() == 0
    Membership.objects.filter(user=org_a.caseworker).update(is_active=False)
    fresh = django_user_model.objects.get(pk=org_a.caseworker.pk)
    assert model.objects.visible_to(fresh).count() == 0


def test_a_member_of_both_organisations_sees_both(two_case_files):
    org_a, org_b = two_case_files
    Membership.objects.create(user=org_a.supervisor, organization=org_b.organization, role="caseworker")
    assert Victim.objects.visible_to(org_a.supervisor).count() == 2


def test_shared_reference_data_is_visible_to_all_and_private_agencies_only_to_their_owner(org_a, org_b):
    shared = AgencyFactory(name="Shared agency")
    private_a = AgencyFactory(name="A's shelter", organization=org_a.organization)
    assert set(Agency.objects.visible_to(org_a.caseworker)) >= {shared, private_a}
    assert private_a not in Agency.objects.visible_to(org_b.caseworker)
    assert shared in Agency.objects.visible_to(org_b.caseworker)
    compound = CompoundFactory()
    assert Compound.objects.filter(pk=compound.pk).exists()  # compounds carry no organisation
