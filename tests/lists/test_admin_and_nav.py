"""The Lists tab in the main navigation, and the lists' admin pages (read-only but for the organisation's setting)."""

import pytest
from django.urls import reverse

from lists.models import ListSettings, ReleasedList

from .conftest import client_for  # noqa: F401

pytestmark = pytest.mark.django_db


def test_members_who_review_matches_see_the_lists_tab(org_a, client_for):  # noqa: F811
    link = f'href="{reverse("lists:list_index")}"'
    for user in (org_a.caseworker, org_a.supervisor):
        assert link in client_for(user).get(reverse("tracker:my_work")).content.decode()
    page = client_for(org_a.caseworker).get(reverse("lists:list_index")).content.decode()
    assert f'{link} aria-current="page"' in page


def test_an_organisation_admin_sets_the_missing_in_transit_days_in_the_admin(org_a, client_for):  # noqa: F811
    org_a.org_admin.is_staff = True
    org_a.org_admin.save(update_fields=["is_staff"])
    client = client_for(org_a.org_admin)
    response = client.post(
        reverse("admin:lists_listsettings_add"), {"organization": org_a.organization.pk, "missing_after_days": 10}
    )
    assert response.status_code == 302
    assert ListSettings.objects.get(organization=org_a.organization).missing_after_days == 10


def test_a_list_cannot_be_added_or_edited_in_the_admin(org_a, client_for, django_user_model):  # noqa: F811
    released = ReleasedList.objects.create(
        organization=org_a.organization, source="Synthetic embassy", file_name="a.csv", sha256="b" * 64
    )
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="x", display_name="Root")
    client = client_for(admin, org_a.organization)
    assert client.get(reverse("admin:lists_releasedlist_add")).status_code == 403
    page = client.get(reverse("admin:lists_releasedlist_change", args=[released.pk])).content.decode()
    assert "Synthetic embassy" in page and 'name="source"' not in page
