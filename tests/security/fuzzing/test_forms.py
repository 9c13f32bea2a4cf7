"""Fuzzing the intake, case edit and referral forms and services the views use, without the page render (the cheap
tier; the package docstring says what an example is)."""

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cases import services
from cases.forms import ReferralForm, VictimEditForm
from cases.intake import IntakeForms, save_intake_or_report
from cases.models import AgencyReferral, Reporter, RescueRequest, Victim
from cases.views.intake import _duplicates_for
from tests.security.fuzzing.strategies import (
    FUZZ_FORMS,
    changed,
    form_data,
    intake_bases,
    mutate,
    mutations,
    row_counter,
)

# --- The same forms and services the views use, without the page render: the cheap tier ---------------------------


def querydict(data: dict) -> QueryDict:
    """What request.POST holds for `data` (an uploaded file is not in POST: it goes to request.FILES)."""
    result = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            continue
        result.setlist(key, [str(item) for item in value] if isinstance(value, list) else [str(value)])
    return result


def test_intake_forms_and_services_save_a_whole_case_or_nothing_for_hundreds_of_hostile_submissions(world):
    organization, user = world.a.organization, world.a.caseworker
    ids = [world.b.caseworker.pk, world.a.caseworker2.pk, world.compound.pk, world.region.pk, world.victim_a.pk, 0]
    counts = row_counter(
        victims=Victim.objects.filter(organization=organization),
        reporters=Reporter.objects.filter(organization=organization),
        requests=RescueRequest.objects.filter(organization=organization),
    )
    outcomes = Counter()

    @FUZZ_FORMS
    @given(
        base=intake_bases([world.victim_a.pk]),
        mutation=mutations(IntakeForms.build(organization=organization, user=user).all(), ids=ids),
    )
    def fuzz(base, mutation):
        with transaction.atomic():
            before = counts()
            forms_ = IntakeForms.build(organization=organization, user=user, data=querydict(mutate(base, *mutation)))
            saved, duplicates, now = None, None, timezone.now()
            if forms_.is_valid():  # what the view does: look for duplicates, save unless some were not yet shown
                duplicates = _duplicates_for(forms_, organization=organization, now=now)
                shown = forms_.decision.cleaned_data["confirm_new"] and forms_.decision.shown_ids()
                if not duplicates.matches or (shown and set(duplicates.victim_ids) <= shown):
                    saved = save_intake_or_report(forms_=forms_, organization=organization, user=user, now=now)
            delta = changed(before, counts())
            if saved is not None:
                outcomes["saved"] += 1
                assert delta["victims"] == 1 and delta["reporters"] in (0, 1) and delta["requests"] in (0, 1)
                assert saved[0].assigned_to_id != world.b.caseworker.pk
            else:
                outcomes["refused"] += 1
                assert delta == {"victims": 0, "reporters": 0, "requests": 0}
                assert forms_.error_count() or duplicates.matches, "a refused submission says why"
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_case_edit_form_and_service_save_everything_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, editor = world.victim_a, world.a.supervisor
    base = form_data(VictimEditForm(instance=victim).initial)
    outcomes = Counter()

    @FUZZ_FORMS
    @given(mutation=mutations([VictimEditForm(instance=victim)], ids=[world.compound.pk, world.region.pk, 0]))
    def fuzz(mutation):
        with transaction.atomic():
            stored = Victim.objects.get(pk=victim.pk)
            before = Victim.objects.filter(pk=victim.pk).values().get()
            form = VictimEditForm(querydict(mutate({**base, "version": stored.version}, *mutation)), instance=stored)
            saved = False
            if form.is_valid():
                try:
                    services.victim_update(
                        victim=Victim.objects.get(pk=victim.pk),
                        editor=editor,
                        expected_version=form.cleaned_data["version"],
                        **form.changes(),
                    )
                    saved = True
                except ValidationError:  # includes StaleRecordError: the view shows it on the form
                    pass
            after = Victim.objects.filter(pk=victim.pk).values().get()
            if saved:
                outcomes["saved"] += 1
                assert after["version"] == before["version"] + 1
            else:
                outcomes["refused"] += 1
                assert after == before
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_referral_form_and_service_save_one_referral_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, user = world.victim_a, world.a.caseworker
    open_requests = RescueRequest.objects.filter(victim=victim, closed_at__isnull=True)
    form = ReferralForm(victim=victim, organization=world.a.organization, open_requests=open_requests)
    ids = [world.agency_b.pk, world.request_b.pk, world.agency_shared.pk, world.request_a.pk, 0]
    outcomes = Counter()

    @FUZZ_FORMS
    @given(mutation=mutations([form], ids=ids), agency=st.sampled_from(["shared", "own", "other"]))
    def fuzz(mutation, agency):
        pk = {"shared": world.agency_shared.pk, "own": world.agency_a.pk, "other": world.agency_b.pk}[agency]
        base = {"agency": pk, "consent_basis": "no_identity", "shared_information": "Case number only"}
        with transaction.atomic():
            before = AgencyReferral.objects.count()
            form = ReferralForm(
                querydict(mutate(base, *mutation)),
                victim=victim,
                organization=world.a.organization,
                open_requests=open_requests,
            )
            saved = None
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        saved = services.referral_create(
                            victim=victim,
                            agency=data["agency"],
                            created_by=user,
                            rescue_request=data["rescue_request"],
                            shares_identity=data["shares_identity"],
                            consent_basis=data["consent_basis"],
                            override_reason=data["override_reason"],
                            shared_information=data["shared_information"],
                        )
                        if data["send_now"]:
                            services.referral_send(referral=saved, sent_by=user)
                except ValidationError:
                    saved = None
            delta = AgencyReferral.objects.count() - before
            if saved is not None:
                outcomes["saved"] += 1
                assert delta == 1 and saved.agency_id != world.agency_b.pk
                assert saved.rescue_request_id in (None, world.request_a.pk)
            else:
                outcomes["refused"] += 1
                assert delta == 0
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
