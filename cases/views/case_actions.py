"""The case page's actions. Each is a POST that validates a small form and calls one service.

Success redirects back to the case page with a message (POST-redirect-GET). Failure re-renders the case page with
the submitted form bound and open, the message next to the field and everything typed kept.
"""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organization_required
from accounts.permissions import Action, request_can, require_request

from .. import services
from ..forms import (
    AssignForm,
    LogContactForm,
    NoteForm,
    ReferralForm,
    ReferralResponseForm,
    RequestCloseForm,
    RequestOpenForm,
    StatusForm,
    add_service_errors,
)
from ..models import AgencyReferral, RescueRequest
from .case_page import back_to_case, open_requests_of, render_case_page, victim_or_404


def _local(value: datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@organization_required
@require_POST
def victim_log_contact(request, pk: int):
    victim = victim_or_404(request, pk)
    form = LogContactForm(request.POST, open_requests=open_requests_of(victim))
    if form.is_valid():
        rescue = form.cleaned_data.get("rescue_request")
        try:
            if rescue is not None:
                services.rescue_request_log_update(
                    request=rescue,
                    author=request.user,
                    note=form.cleaned_data["note"],
                    kind=form.cleaned_data["kind"],
                    mark_in_progress=form.cleaned_data.get("mark_in_progress", False),
                    now=timezone.now(),
                )
            else:
                services.case_note_add(
                    victim=victim, author=request.user, body=form.cleaned_data["note"], kind=form.cleaned_data["kind"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if rescue is not None:
                messages.success(
                    request,
                    _("Contact logged on request #%(id)s. Its next follow-up is due %(due)s.")
                    % {"id": rescue.pk, "due": _local(rescue.next_follow_up_at)},
                )
            elif form.open_requests:
                messages.warning(request, _("Contact logged on no request: no follow-up moved."))
            else:
                messages.success(request, _("Contact logged."))
            return back_to_case(victim)
    return render_case_page(request, victim, bound={"contact": form}, open_action="contact")


@organization_required
@require_POST
def victim_add_note(request, pk: int):
    victim = victim_or_404(request, pk)
    form = NoteForm(request.POST, can_restrict=request_can(request, Action.VIEW_RESTRICTED_NOTES))
    if form.is_valid():
        try:
            services.case_note_add(
                victim=victim,
                author=request.user,
                body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"],
                is_restricted=form.cleaned_data.get("is_restricted", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return back_to_case(victim)
    return render_case_page(request, victim, bound={"note": form}, open_action="note")


@organization_required
@require_POST
def victim_status(request, pk: int):
    victim = victim_or_404(request, pk)
    form = StatusForm(request.POST, victim=victim)
    if form.is_valid():
        try:
            change = services.victim_change_status(
                victim=victim,
                to_status=form.cleaned_data["to_status"],
                changed_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status changed to “%(status)s”.") % {"status": change.get_to_status_display()})
            return back_to_case(victim, "summary")
    return render_case_page(request, victim, bound={"status": form}, open_action="status")


@organization_required
@require_POST
def victim_assign(request, pk: int):
    victim = victim_or_404(request, pk)
    require_request(request, Action.ASSIGN)  # supervisors and org admins only (accounts/permissions.py)
    form = AssignForm(request.POST, organization=request.organization)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.victim_assign(victim=victim, assignee=assignee, assigned_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if assignee:
                messages.success(request, _("Case assigned to %(name)s.") % {"name": assignee.display_name})
            else:
                messages.success(request, _("Case unassigned."))
            return back_to_case(victim, "summary")
    return render_case_page(request, victim, bound={"assign": form}, open_action="assign")


@organization_required
@require_POST
def request_open(request, pk: int):
    victim = victim_or_404(request, pk)
    form = RequestOpenForm(request.POST)
    if form.is_valid():
        try:
            rescue = services.rescue_request_open(
                victim=victim, opened_by=request.user, priority=form.cleaned_data["priority"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Rescue request opened. The first follow-up is due %(due)s.")
                % {"due": _local(rescue.next_follow_up_at)},
            )
            return back_to_case(victim, "requests")
    return render_case_page(request, victim, bound={"request": form}, open_action="request")


@organization_required
@require_POST
def request_close(request, pk: int, request_pk: int):
    victim = victim_or_404(request, pk)
    rescue = get_object_or_404(RescueRequest.objects.filter(victim=victim), pk=request_pk)
    prefix = f"close-{rescue.pk}"
    form = RequestCloseForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.rescue_request_close(
                request=rescue,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                closed_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rescue request #%(id)s closed.") % {"id": rescue.pk})
            return back_to_case(victim, "requests")
    return render_case_page(request, victim, bound={prefix: form}, open_action=prefix)


@organization_required
@require_POST
def referral_new(request, pk: int):
    victim = victim_or_404(request, pk)
    form = ReferralForm(
        request.POST, victim=victim, organization=request.organization, open_requests=open_requests_of(victim)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral = services.referral_create(
                    victim=victim,
                    agency=data["agency"],
                    created_by=request.user,
                    rescue_request=data["rescue_request"],
                    shares_identity=data["shares_identity"],
                    consent_basis=data["consent_basis"],
                    override_reason=data["override_reason"],
                    shared_information=data["shared_information"],
                )
                if data["send_now"]:
                    services.referral_send(referral=referral, sent_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if data["send_now"]:
                messages.success(
                    request,
                    _("Referral to %(agency)s recorded as sent. Their response is due %(due)s.")
                    % {"agency": referral.agency.name, "due": _local(referral.response_due_at)},
                )
            else:
                messages.success(
                    request, _("Referral to %(agency)s saved as a draft.") % {"agency": referral.agency.name}
                )
            return back_to_case(victim, "referrals")
    return render_case_page(request, victim, bound={"referral": form}, open_action="referral")


@organization_required
@require_POST
def referral_response(request, pk: int, referral_pk: int):
    victim = victim_or_404(request, pk)
    referral = get_object_or_404(AgencyReferral.objects.filter(victim=victim).select_related("agency"), pk=referral_pk)
    prefix = f"response-{referral.pk}"
    form = ReferralResponseForm(request.POST, referral=referral, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_record_response(
                referral=referral,
                status=data["status"],
                recorded_by=request.user,
                agency_reference=data["agency_reference"],
                note=data["note"],
                decline_reason=data["decline_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Response recorded: %(agency)s, “%(status)s”.")
                % {"agency": referral.agency.name, "status": referral.get_status_display()},
            )
            return back_to_case(victim, "referrals")
    return render_case_page(request, victim, bound={prefix: form}, open_action=prefix)
