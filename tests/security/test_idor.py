"""Insecure direct object references: guessed ids, swapped organisations, another organisation's private rows.

Organisation B's users attack organisation A's rows (from tests/security/conftest.py `world`). Every attempt must
be a 404 (the row does not exist for them) or a form error, and must change nothing.
"""

import pytest
from django.urls import reverse

from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim, VictimStatusChange
from tests.factories import victim_named, victims_named

from .conftest import world_copy
from .test_access_matrix import all_url_names


@pytest.fixture
def world(module_world, db):
    """The security world, built once for this module (tests/security/conftest.py: `module_world`)."""
    return world_copy(module_world)


def snapshot(world) -> dict:
    """Everything an attack on organisation A could change, as plain values."""
    org_a = world.a.organization
    return {
        "victims": list(Victim.objects.filter(organization=org_a).order_by("pk").values()),
        "requests": list(RescueRequest.objects.filter(organization=org_a).order_by("pk").values()),
        "referrals": list(AgencyReferral.objects.filter(organization=org_a).order_by("pk").values()),
        "notes": CaseNote.objects.filter(organization=org_a).count(),
        "reporters": Reporter.objects.filter(victim__organization=org_a).count(),
        "status_changes": VictimStatusChange.objects.filter(victim__organization=org_a).count(),
    }


def counts_of_b(world) -> dict:
    org_b = world.b.organization
    return {
        "victims": Victim.objects.filter(organization=org_b).count(),
        "requests": RescueRequest.objects.filter(organization=org_b).count(),
        "referrals": AgencyReferral.objects.filter(organization=org_b).count(),
        "notes": CaseNote.objects.filter(organization=org_b).count(),
    }


def id_urls(world, *, victim_pk: int, request_pk: int, referral_pk: int) -> list[str]:
    """Every case URL that takes an id, with the given ids (found from the URL conf, so new ones are covered)."""
    urls = []
    for name in all_url_names():
        if not name.startswith("cases:") or name in ("cases:compound_detail", "cases:region_detail"):
            continue
        route_kwargs = {"pk": victim_pk, "request_pk": request_pk, "referral_pk": referral_pk}
        for kwargs in (
            {"pk": victim_pk},
            {"pk": victim_pk, "request_pk": request_pk},
            {"pk": victim_pk, "referral_pk": referral_pk},
        ):
            try:
                urls.append(reverse(name, kwargs={k: route_kwargs[k] for k in kwargs}))
                break
            except Exception:  # noqa: BLE001 — this URL takes other arguments (or none); try the next shape
                continue
    return urls


ATTACK_POST = {
    "note": "Synthetic attacker note",
    "body": "Synthetic attacker note",
    "kind": "internal",
    "to_status": "closed",
    "reason": "Synthetic attacker reason",
    "assignee": "",
    "priority": "critical",
    "status": "closed_other",
    "outcome": "Synthetic attacker outcome",
    "full_name": "Synthetic Attacker Rename",
    "version": "1",
}


@pytest.mark.parametrize("attacker", ["caseworker", "supervisor", "org_admin"])
def test_another_organisations_ids_in_every_case_url_are_404_and_change_nothing(attacker, world, client_for):
    client = client_for(world.b.by_role(attacker), world.b.organization)
    urls = id_urls(world, victim_pk=world.victim_a.pk, request_pk=world.request_a.pk, referral_pk=world.referral_a.pk)
    assert len(urls) >= 9, urls  # detail, edit, contact, note, status, assign, open, close, refer, response
    before = snapshot(world)
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        response = client.post(url, ATTACK_POST)
        # 405 only from pages that just show: they refuse every POST before looking anything up, whatever the id.
        assert response.status_code in (404, 405), f"POST {url}: {response.status_code}"
        assert world.victim_a.case_number.encode() not in response.content
    assert snapshot(world) == before


def test_sequential_ids_beyond_the_own_rows_are_404_for_every_guess(world, client_for):
    client = client_for(world.b.caseworker, world.b.organization)
    last = Victim.objects.order_by("-pk").values_list("pk", flat=True).first()
    # The ids just below and above the newest case, and the first few (PostgreSQL sequences are not reset per test).
    guesses = sorted(({1, 2, 3} | set(range(max(1, last - 40), last + 4))) - {world.victim_b.pk})
    for pk in guesses:
        assert client.get(reverse("cases:victim_detail", args=[pk])).status_code == 404, pk
        assert client.get(reverse("cases:victim_edit", args=[pk])).status_code == 404, pk
    # The own case is there: the 404s are the scoping, not a broken page.
    assert client.get(reverse("cases:victim_detail", args=[world.victim_b.pk])).status_code == 200


def test_organisation_a_rows_nested_under_the_attackers_own_case_are_404(world, client_for):
    """/cases/<own case>/requests/<A's request>/close/ must not reach A's request through B's case."""
    client = client_for(world.b.supervisor, world.b.organization)
    before = snapshot(world)
    close = reverse("cases:request_close", args=[world.victim_b.pk, world.request_a.pk])
    response = client.post(close, {f"close-{world.request_a.pk}-status": "closed_other", "outcome": "x"})
    assert response.status_code == 404
    answer = reverse("cases:referral_response", args=[world.victim_b.pk, world.referral_a.pk])
    assert client.post(answer, {f"response-{world.referral_a.pk}-status": "accepted"}).status_code == 404
    assert snapshot(world) == before


def intake_data(**overrides) -> dict:
    data = {
        "full_name": "Synthetic Swapped Organisation",
        "citizenship": "VN",
        "sex": "Masculine",
        "estimated_age": "27",
        "risk_level": "high",
        "consent": "none",
        "passport_held_by_traffickers": "unknown",
        "reporter-safe_to_contact": "unknown",
        "request-priority": "high",
    }
    data.update(overrides)
    return data


def test_an_organisation_field_posted_with_intake_is_ignored_the_case_belongs_to_the_users_organisation(
    world, client_for
):
    client = client_for(world.b.caseworker, world.b.organization)
    before = snapshot(world)
    response = client.post(
        reverse("cases:intake"),
        intake_data(organization=world.a.organization.pk, organization_id=world.a.organization.pk),
    )
    assert response.status_code == 302
    created = victim_named("Synthetic Swapped Organisation")
    assert created.organization_id == world.b.organization.pk
    assert created.case_number.startswith(world.b.organization.case_number_prefix)
    assert snapshot(world) == before


def test_intake_refuses_another_organisations_caseworker_as_assignee(world, client_for):
    client = client_for(world.b.supervisor, world.b.organization)  # B's caseworker is not offered an assignee at all
    before_a, before_b = snapshot(world), counts_of_b(world)
    response = client.post(reverse("cases:intake"), intake_data(assigned_to=world.a.caseworker.pk))
    assert response.status_code == 200
    assert response.context["form"].errors.get("assigned_to")
    assert not victims_named("Synthetic Swapped Organisation")
    assert snapshot(world) == before_a and counts_of_b(world) == before_b


def test_assigning_a_case_to_another_organisations_user_is_a_form_error(world, client_for):
    client = client_for(world.b.supervisor, world.b.organization)
    assigned = world.victim_b.assigned_to_id
    response = client.post(
        reverse("cases:victim_assign", args=[world.victim_b.pk]), {"assignee": world.a.caseworker.pk}
    )
    assert response.status_code == 200
    world.victim_b.refresh_from_db()
    assert world.victim_b.assigned_to_id == assigned


def test_a_referral_to_another_organisations_private_agency_is_refused_and_nothing_is_saved(world, client_for):
    client = client_for(world.b.caseworker, world.b.organization)
    before_a, before_b = snapshot(world), counts_of_b(world)
    response = client.post(
        reverse("cases:referral_new", args=[world.victim_b.pk]),
        {"agency": world.agency_a.pk, "consent_basis": "no_identity", "send_now": "on"},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content  # the agency field says why
    assert world.agency_a.name.encode() not in response.content  # A's private agency is not even offered
    assert snapshot(world) == before_a and counts_of_b(world) == before_b


def test_the_own_private_agency_is_accepted_so_the_refusal_above_is_about_the_organisation(world, client_for):
    client = client_for(world.b.caseworker, world.b.organization)
    response = client.post(
        reverse("cases:referral_new", args=[world.victim_b.pk]),
        {"agency": world.agency_b.pk, "consent_basis": "no_identity"},
    )
    assert response.status_code == 302
    assert AgencyReferral.objects.filter(victim=world.victim_b, agency=world.agency_b).exists()


def test_a_referral_naming_another_organisations_rescue_request_is_refused(world, client_for):
    client = client_for(world.b.caseworker, world.b.organization)
    before_a, before_b = snapshot(world), counts_of_b(world)
    response = client.post(
        reverse("cases:referral_new", args=[world.victim_b.pk]),
        {"agency": world.agency_b.pk, "consent_basis": "no_identity", "rescue_request": world.request_a.pk},
    )
    assert response.status_code == 200
    assert snapshot(world) == before_a and counts_of_b(world) == before_b


def test_logging_contact_against_another_organisations_rescue_request_is_refused(world, client_for):
    client = client_for(world.b.caseworker, world.b.organization)
    before_a, before_b = snapshot(world), counts_of_b(world)
    response = client.post(
        reverse("cases:victim_log_contact", args=[world.victim_b.pk]),
        {"rescue_request": world.request_a.pk, "kind": "call", "note": "Synthetic attacker contact"},
    )
    assert response.status_code == 200
    assert snapshot(world) == before_a and counts_of_b(world) == before_b


def test_an_organisation_field_posted_with_the_case_edit_form_is_ignored(world, client_for):
    client = client_for(world.b.supervisor, world.b.organization)
    edit = reverse("cases:victim_edit", args=[world.victim_b.pk])
    form = client.get(edit).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            "version": world.victim_b.version,
            "organization": world.a.organization.pk,
            "organization_id": world.a.organization.pk,
            "assigned_to": world.a.caseworker.pk,
            "compound": "",
            "border_region": "",
        }
    )
    before = snapshot(world)
    client.post(edit, data)
    world.victim_b.refresh_from_db()
    assert world.victim_b.organization_id == world.b.organization.pk
    assert world.victim_b.assigned_to_id != world.a.caseworker.pk
    assert snapshot(world) == before


def test_a_caseworker_cannot_write_a_restricted_note_by_posting_the_flag(world, client_for):
    client = client_for(world.a.caseworker, world.a.organization)
    client.post(
        reverse("cases:victim_add_note", args=[world.victim_a.pk]),
        {"kind": "internal", "body": "Synthetic flagged by a caseworker", "is_restricted": "on"},
    )
    note = CaseNote.objects.filter(victim=world.victim_a).order_by("-pk").first()
    assert not (note.body == "Synthetic flagged by a caseworker" and note.is_restricted)


def test_a_caseworker_never_sees_a_restricted_note_on_the_case_page(world, client_for):
    response = client_for(world.a.caseworker, world.a.organization).get(
        reverse("cases:victim_detail", args=[world.victim_a.pk])
    )
    assert response.status_code == 200
    assert b"Synthetic restricted note" not in response.content
    supervisor = client_for(world.a.supervisor, world.a.organization).get(
        reverse("cases:victim_detail", args=[world.victim_a.pk])
    )
    assert b"Synthetic restricted note" in supervisor.content
