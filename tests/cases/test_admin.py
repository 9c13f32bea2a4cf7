"""The case-file admin: every page loads for platform and organisation admins, and rows stay in their organisation.

Writes, locking and query counts: test_admin_writes.py."""

import pytest
from django.urls import reverse

from accounts.models import Membership, User
from cases.models import (
    AgencyReferral,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
)
from places.models import Agency, BorderRegion, Compound, Crossing
from tests.cases.admin_support import CASE_MODELS, REFERENCE_MODELS, admin_url, form_data, messages_of
from tests.factories import (
    AgencyFactory,
    make_victim,
    sign_in_verified,
    victims_named,
)

pytestmark = pytest.mark.django_db


# --- Every page loads -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", CASE_MODELS + REFERENCE_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_load_for_platform_and_organisation_admins(
    any_admin_client, case_files, model
):
    if model in CASE_MODELS:
        row = case_files["a"][model]
    else:
        row = model.objects.order_by("pk").first() if model is not Agency else case_files["shared_agency"]

    changelist = any_admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    searched = any_admin_client.get(admin_url(model, "changelist"), {"q": case_files["a"][Victim].case_number})
    assert searched.status_code == 200

    change = any_admin_client.get(admin_url(model, "change", row.pk))
    assert change.status_code == 200


@pytest.mark.parametrize(
    "model",
    [Victim, RescueRequest, AgencyReferral, CaseNote, Reporter, Agency],
    ids=lambda m: m.__name__,
)
def test_add_pages_load_for_platform_and_organisation_admins(any_admin_client, case_files, model):
    assert any_admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [BorderRegion, Crossing, Compound], ids=lambda m: m.__name__)
def test_shared_reference_data_is_added_by_platform_admins_only(superuser_client, case_files, model):
    assert superuser_client.get(admin_url(model, "add")).status_code == 200


def test_case_number_counters_are_visible_to_platform_admins_and_never_editable(superuser_client, case_files):
    sequence = case_files["a"][CaseNumberSequence]
    assert superuser_client.get(admin_url(CaseNumberSequence, "changelist")).status_code == 200
    page = superuser_client.get(admin_url(CaseNumberSequence, "change", sequence.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert superuser_client.get(admin_url(CaseNumberSequence, "add")).status_code == 403


def test_victims_are_found_by_whole_case_number_or_part_of_the_name(superuser_client, case_files):
    alpha = case_files["a"][Victim]
    url = admin_url(Victim, "changelist")

    by_number = superuser_client.get(url, {"q": alpha.case_number.lower()})
    by_name = superuser_client.get(url, {"q": "alpha synth"})
    nothing = superuser_client.get(url, {"q": "Nobody Of That Name"})

    assert [v.pk for v in by_number.context["cl"].result_list] == [alpha.pk]
    assert [v.pk for v in by_name.context["cl"].result_list] == [alpha.pk]
    assert list(nothing.context["cl"].result_list) == []


def test_secret_fields_are_never_searched_or_listed():
    from django.contrib import admin

    from core.fields import secret_field_names

    for model, model_admin in admin.site._registry.items():
        secrets = set(secret_field_names(model))
        if not secrets:
            continue
        searched = {name.lstrip("=^@").split("__")[0] for name in model_admin.search_fields}
        assert not secrets & searched, model
        assert not secrets & set(model_admin.list_display), model


# --- Organisation scoping -------------------------------------------------------------------------


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_an_organisation_admin_sees_none_of_another_organisations_rows(org_admin_client, case_files, model):
    ours, theirs = case_files["a"][model], case_files["b"][model]

    listed = org_admin_client.get(admin_url(model, "changelist"))
    assert {row.pk for row in listed.context["cl"].result_list} == {ours.pk}

    searched = org_admin_client.get(admin_url(model, "changelist"), {"q": case_files["b"][Victim].case_number})
    assert list(searched.context["cl"].result_list) == []

    other = org_admin_client.get(admin_url(model, "change", theirs.pk), follow=True)
    assert other.redirect_chain[0][0] == reverse("admin:index")
    assert "doesn’t exist" in messages_of(other)


def test_an_organisation_admin_sees_shared_agencies_and_their_own_but_not_another_organisations(
    org_admin_client, case_files, org_a
):
    own = AgencyFactory(name="Alpha private hospital", organization=org_a.organization)
    listed = org_admin_client.get(admin_url(Agency, "changelist"))
    names = {agency.name for agency in listed.context["cl"].result_list}
    assert {"Synthetic shared police", "Alpha private hospital"} <= names
    assert "Bravo private shelter" not in names
    assert org_admin_client.get(admin_url(Agency, "change", own.pk)).context["has_change_permission"]
    shared_page = org_admin_client.get(admin_url(Agency, "change", case_files["shared_agency"].pk))
    assert not shared_page.context["has_change_permission"]


def test_an_organisation_admin_may_look_at_but_not_change_shared_reference_data(org_admin_client, case_files):
    region = case_files["region"]
    page = org_admin_client.get(admin_url(BorderRegion, "change", region.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert org_admin_client.get(admin_url(BorderRegion, "add")).status_code == 403
    refused = org_admin_client.post(admin_url(BorderRegion, "change", region.pk), {"name": "Renamed"})
    assert refused.status_code == 403
    region.refresh_from_db()
    assert region.name != "Renamed"


def test_choices_on_an_organisation_admins_victim_page_name_only_their_organisation(
    org_admin_client, case_files, org_a, org_b
):
    page = org_admin_client.get(admin_url(Victim, "change", case_files["a"][Victim].pk))
    assigned = page.context["adminform"].form.fields["assigned_to"].queryset
    assert org_a.caseworker in assigned
    assert org_b.caseworker not in assigned
    add_page = org_admin_client.get(admin_url(Victim, "add"))
    organisations = add_page.context["adminform"].form.fields["organization"].queryset
    assert list(organisations) == [org_a.organization]
    content = add_page.content.decode()
    assert "Bravo" not in content


@pytest.mark.parametrize("admin", ["superuser", "org_admin"])
def test_the_case_changelist_filters_offer_the_admins_people_by_email_and_every_place_by_name(
    client, platform_admin, staff_org_admin, case_files, org_a, org_b, admin
):
    """The "assigned to" filter's people come in the place filters' query: still only the admin's organisations'
    members (a platform admin: every member), labelled and ordered as before."""
    org_a.caseworker.display_name = "\u202eSynthetic Reversed"  # labels drop bidi controls, as everywhere
    org_a.caseworker.save(update_fields=["display_name"])
    org_a.supervisor.display_name = ""  # no display name: the email is the label
    org_a.supervisor.save(update_fields=["display_name"])
    BorderRegion.objects.create(name="Aaa synthetic region")
    user = platform_admin if admin == "superuser" else staff_org_admin
    sign_in_verified(client, user)

    page = client.get(admin_url(Victim, "changelist"))
    filters = {spec.field_path: spec for spec in page.context["cl"].filter_specs if hasattr(spec, "field_path")}

    members = Membership.objects.all()
    if admin == "org_admin":
        members = members.filter(organization=org_a.organization)
    people = User.objects.filter(pk__in=members.values("user_id")).order_by("email")
    assert filters["assigned_to"].lookup_choices == [(person.pk, str(person)) for person in people]
    assert (org_a.caseworker.pk, "Synthetic Reversed") in filters["assigned_to"].lookup_choices
    assert (org_a.supervisor.pk, org_a.supervisor.email) in filters["assigned_to"].lookup_choices
    if admin == "org_admin":
        assert org_b.caseworker.pk not in dict(filters["assigned_to"].lookup_choices)
    regions = [(region.pk, region.name) for region in BorderRegion.objects.order_by("name")]
    assert filters["border_region"].lookup_choices == regions
    assert filters["compound"].lookup_choices == [(c.pk, c.name) for c in Compound.objects.order_by("name")]


@pytest.mark.parametrize("model", [Victim, RescueRequest, AgencyReferral], ids=lambda m: m.__name__)
def test_above_the_count_cap_select_all_offers_about_the_estimate_not_a_raw_number(
    org_admin_client, case_files, monkeypatch, model
):
    """The bulk-action bar's "Select all" says the total is an estimate, as the paginator line does."""
    from cases.views import paging

    monkeypatch.setattr(paging.EstimatingPaginator, "cap", 0)
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 12345)  # PostgreSQL's planner: its own test
    page = org_admin_client.get(admin_url(model, "changelist")).content.decode()
    plural = model._meta.verbose_name_plural
    assert 'data-testid="estimated-count">About 12,345 ' in page
    assert f'data-testid="estimated-select-all">Select all (about 12,345 {plural})</a>' in page
    assert f'data-testid="estimated-selection">All of about 12,345 {plural} selected</span>' in page
    assert "12345" not in page


def test_below_the_count_cap_select_all_names_the_exact_count(org_admin_client, org_a, case_files, monkeypatch):
    from cases.admin.victims import VictimAdmin

    make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Second Person")
    monkeypatch.setattr(VictimAdmin, "list_per_page", 1)  # two cases on two pages: the bar offers both
    page = org_admin_client.get(admin_url(Victim, "changelist")).content.decode()
    assert "Select all 2 cases" in page
    assert "All 2 selected" in page
    assert "about" not in page.lower().split('class="actions"', 1)[1].split("</div>", 1)[0]


def test_an_organisation_admin_cannot_post_a_victim_into_another_organisation(org_admin_client, org_a, org_b):
    data = form_data(org_admin_client.get(admin_url(Victim, "add")))
    data.update(organization=str(org_b.organization.pk), full_name="Synthetic Intruder")
    response = org_admin_client.post(admin_url(Victim, "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not victims_named("Synthetic Intruder")


def test_staff_who_are_not_organisation_admins_get_no_admin_pages(client, org_a, case_files):
    supervisor = org_a.supervisor
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    sign_in_verified(client, supervisor)
    assert client.get(admin_url(Victim, "changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert list(index.context["app_list"]) == []


def test_caseworkers_without_staff_status_are_sent_to_the_admin_login(client, org_a):
    client.force_login(org_a.caseworker)
    response = client.get(admin_url(Victim, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
