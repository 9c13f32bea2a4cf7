"""The access matrix of the Django admin, generated from the admin's registry: every registered model.

For each model: anonymous visitors and non-staff users are sent to the admin's sign-in; organisation A's admin may
or may not have the module (as its ModelAdmin says), but organisation B's admin never sees A's rows, on the
changelist, the change page, the history page or the delete page. Rows of organisation A are every row that
belongs to it (an `organization` foreign key), after the security world and a data-access log row are made.
A model added to the admin is covered without touching this file.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from audit.models import DataAccessLog
from lists.models import CaseImport, ImportedCase, ListEntry, ListSettings, Match, MatchChunk, ReleasedList
from tracker.models import OutboxMessage

from .conftest import world_copy

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def rows_of(model, organization):
    if model is ListEntry:  # belongs to its list's organisation
        return list(model._default_manager.filter(released_list__organization=organization)[:3])
    if any(f.name == "organization" for f in model._meta.get_fields()):
        return list(model._default_manager.filter(organization=organization)[:3])
    return []


@pytest.fixture(scope="module")
def _admin_world_once(module_world, django_db_blocker):
    """The security world with a row of every admin model, built once for this module (`module_world`)."""
    with django_db_blocker.unblock():
        return _with_admin_rows(module_world)


@pytest.fixture
def admin_world(_admin_world_once, db):
    return world_copy(_admin_world_once)


def _with_admin_rows(world):
    DataAccessLog.objects.create(
        kind=DataAccessLog.Kind.EXPORT, user=world.a.supervisor, organization=world.a.organization, object_count=1
    )
    OutboxMessage.objects.create(
        organization=world.a.organization,
        kind=OutboxMessage._meta.get_field("kind").choices[0][0],
        dedupe_key="admin-matrix",
        recipient=world.a.caseworker,
        recipient_email=world.a.caseworker.email,
        subject="Synthetic",
        body_text="Synthetic",
    )
    org = world.a.organization
    released = ReleasedList.objects.create(
        organization=org, source="Synthetic embassy", file_name="a.csv", sha256="a" * 64, shared_with_all=True
    )
    entry = ListEntry.objects.create(released_list=released, line=2, name="Synthetic Listed")
    Match.objects.create(organization=org, entry=entry, victim=world.victim_a, score=0.9, reasons="[]")
    MatchChunk.objects.create(released_list=released, organization=org, first_line=2, last_line=2, size=1)
    ListSettings.objects.create(organization=org, missing_after_days=5)
    case_import = CaseImport.objects.create(organization=org, file_name="c.csv", sha256="c" * 64)
    ImportedCase.objects.create(
        organization=org, case_import=case_import, victim=world.victim_a, line=2, external_reference="SYN-1"
    )
    _staff(world.a.org_admin)
    _staff(world.b.org_admin)
    return world


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_admin_page_shows_another_organisations_rows(model, admin_world, client_for):
    world = admin_world
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    admin_login = reverse("admin:login")

    for who in (None, world.a.caseworker, world.a.supervisor):
        client = client_for(who, world.a.organization) if who else Client()
        response = client.get(changelist)
        assert response.status_code == 302 and response["Location"].startswith(admin_login), (opts.label, who)

    other = client_for(world.b.org_admin, world.b.organization)
    listing = other.get(changelist)
    assert listing.status_code in (200, 403), opts.label
    for row in rows_of(model, world.a.organization):
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        if listing.status_code == 200:
            assert change not in listing.content.decode(), f"{opts.label}: B's admin sees A's row {row.pk}"
        for page in ("change", "history", "delete"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[row.pk])
            response = other.get(url)
            assert response.status_code in (302, 403, 404), f"{opts.label} {page}: {response.status_code}"
            if response.status_code == 302:
                assert response["Location"] == reverse("admin:index"), f"{opts.label} {page}"
            assert str(row).encode() not in response.content or not str(row), f"{opts.label} {page}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_an_organisation_admin_reaches_their_own_rows_where_the_admin_offers_the_model(model, admin_world, client_for):
    world = admin_world
    opts = model._meta
    own = client_for(world.a.org_admin, world.a.organization)
    listing = own.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code in (200, 403), opts.label
    if listing.status_code == 200:
        for row in rows_of(model, world.a.organization):
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
            assert own.get(change).status_code == 200, f"{opts.label}: A's admin cannot open their own row"
