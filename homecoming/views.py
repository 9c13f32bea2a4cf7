"""Homecoming pages: the screening queue, a case's way home, batches with their members, the supervisors' picture.

Rows are reached through `visible_to(request.organization)` (another organisation's row is a 404); what a user
may do is asked of accounts/permissions.py. Writes call one service each; a refused write re-renders the form
with the message next to the field and saves nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import permission_required
from accounts.permissions import Action, request_can
from cases.models import Victim

from . import forms, selectors, services
from .chart import stage_chart_svg
from .models import BatchMember, RepatriationBatch, RetraffickingFlag, ReturnFollowUp, Screening


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@permission_required(Action.VIEW)
def screening_queue(request):
    now = timezone.now()
    rows = selectors.screening_queue(organization=request.organization, now=now)
    return render(request, "homecoming/screening_queue.html", {"rows": rows, "now": now})


def _victim(request, pk):
    return get_object_or_404(Victim.objects.visible_to(request.organization), pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required(Action.VIEW)
def case_return(request, pk):
    """One person's way home: screenings, batches and steps, follow-ups after return, risk flags."""
    victim = _victim(request, pk)
    org = request.organization
    can_write = request_can(request, Action.REPATRIATE)
    screening_form = forms.ScreeningForm(organization=org, initial={"screened_at": timezone.localtime()})
    flag_form = forms.FlagForm()
    if request.method == "POST":
        if not can_write:
            return render(request, "403.html", status=403)
        action = request.POST.get("action")
        try:
            if action == "flag":
                flag_form = forms.FlagForm(request.POST)
                if flag_form.is_valid():
                    services.flag_raise(victim=victim, raised_by=request.user, **flag_form.cleaned_data)
                    messages.success(request, _("Risk flag raised; a contact is due now."))
                    return redirect(request.path)
            else:
                screening_form = forms.ScreeningForm(request.POST, organization=org)
                if screening_form.is_valid():
                    services.screening_record(victim=victim, recorded_by=request.user, **screening_form.cleaned_data)
                    messages.success(request, _("Screening recorded."))
                    return redirect(request.path)
        except ValidationError as error:
            apply_errors(flag_form if action == "flag" else screening_form, error)
    context = {
        "victim": victim,
        "can_write": can_write,
        "screening_form": screening_form,
        "flag_form": flag_form,
        "screenings": Screening.objects.visible_to(org).filter(victim=victim).select_related("agency", "nrm_agency"),
        "memberships": BatchMember.objects.visible_to(org).filter(victim=victim).select_related("batch__agency"),
        "follow_ups": ReturnFollowUp.objects.visible_to(org).filter(victim=victim),
        "flags": RetraffickingFlag.objects.visible_to(org).filter(victim=victim),
        "follow_up_form": forms.FollowUpForm(),
    }
    return render(request, "homecoming/case_return.html", context)


@require_POST
@permission_required(Action.REPATRIATE)
def follow_up_done(request, followup_pk):
    follow_up = get_object_or_404(ReturnFollowUp.objects.visible_to(request.organization), pk=followup_pk)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_done(follow_up=follow_up, done_by=request.user, **form.cleaned_data)
            messages.success(request, _("Follow-up recorded."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose how the contact went."))
    return redirect("homecoming:case_return", pk=follow_up.victim_id)


@require_http_methods(["GET", "POST"])
@permission_required(Action.VIEW)
def batch_list(request):
    org = request.organization
    can_manage = request_can(request, Action.MANAGE_BATCHES)
    form = forms.BatchForm(organization=org)
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        form = forms.BatchForm(request.POST, organization=org)
        if form.is_valid():
            try:
                batch = services.batch_create(organization=org, created_by=request.user, **form.cleaned_data)
                return redirect("homecoming:batch_detail", batch_pk=batch.pk)
            except ValidationError as error:
                apply_errors(form, error)
    batches = selectors.organization_batches(org).order_by("-departs_on", "-pk")
    return render(request, "homecoming/batch_list.html", {"batches": batches, "form": form, "can_manage": can_manage})


def _batch(request, batch_pk):
    return get_object_or_404(RepatriationBatch.objects.visible_to(request.organization), pk=batch_pk)


def _member(request, member_pk):
    return get_object_or_404(
        BatchMember.objects.visible_to(request.organization).select_related("batch", "victim"), pk=member_pk
    )


def _batch_page(request, batch, *, add_form=None, status=200):
    org = request.organization
    return render(
        request,
        "homecoming/batch_detail.html",
        {
            "batch": batch,
            "rows": selectors.batch_rows(batch=batch, now=timezone.now()),
            "add_form": add_form or forms.AddMemberForm(organization=org),
            "can_write": request_can(request, Action.REPATRIATE),
            "can_manage": request_can(request, Action.MANAGE_BATCHES),
            "can_manifest": request_can(request, Action.DOWNLOAD_MANIFEST),
        },
        status=status,
    )


@require_GET
@permission_required(Action.VIEW)
def batch_detail(request, batch_pk):
    return _batch_page(request, _batch(request, batch_pk))


@require_POST
@permission_required(Action.REPATRIATE)
def batch_add_member(request, batch_pk):
    batch = _batch(request, batch_pk)
    form = forms.AddMemberForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.member_add(batch=batch, victim=form.victim, added_by=request.user)
            messages.success(request, _("%(case)s added.") % {"case": form.victim.case_number})
            return redirect("homecoming:batch_detail", batch_pk=batch.pk)
        except ValidationError as error:
            error = ValidationError({"case_number": error.error_dict.get("victim", error.messages)})
            apply_errors(form, error)
    return _batch_page(request, batch, add_form=form)


@require_http_methods(["GET", "POST"])
@permission_required(Action.VIEW)
def member_detail(request, member_pk):
    """One member's steps (all saved together or none), the move to another batch, the manifest basis."""
    member = _member(request, member_pk)
    org = request.organization
    steps_form = forms.StepsForm(instance=member, organization=org)
    move_form = forms.MoveForm(organization=org, exclude=member.batch_id)
    basis_form = forms.ManifestBasisForm(
        initial={"basis": member.manifest_basis, "override_reason": member.override_reason}
    )
    if request.method == "POST":
        action = request.POST.get("action", "steps")
        needed = Action.MANAGE_BATCHES if action == "move" else Action.REPATRIATE
        if not request_can(request, needed):
            return render(request, "403.html", status=403)
        try:
            if action == "move":
                move_form = forms.MoveForm(request.POST, organization=org, exclude=member.batch_id)
                if move_form.is_valid():
                    moved = services.member_move(member=member, moved_by=request.user, **move_form.cleaned_data)
                    messages.success(request, _("Moved to %(batch)s.") % {"batch": moved.batch})
                    return redirect("homecoming:member_detail", member_pk=moved.pk)
            elif action == "basis":
                basis_form = forms.ManifestBasisForm(request.POST)
                if basis_form.is_valid():
                    services.member_set_manifest_basis(
                        member=member, recorded_by=request.user, **basis_form.cleaned_data
                    )
                    return redirect(request.path)
            else:
                steps_form = forms.StepsForm(
                    request.POST, instance=BatchMember.objects.get(pk=member.pk), organization=org
                )
                if steps_form.is_valid():
                    changes = {name: steps_form.cleaned_data[name] for name in forms.StepsForm.Meta.fields}
                    services.member_record_steps(member=member, recorded_by=request.user, **changes)
                    messages.success(request, _("Steps saved."))
                    return redirect("homecoming:batch_detail", batch_pk=member.batch_id)
        except ValidationError as error:
            target = {"move": move_form, "basis": basis_form}.get(action, steps_form)
            if action == "basis" and hasattr(error, "error_dict") and "consent_basis" in error.error_dict:
                error = ValidationError({"basis": error.error_dict["consent_basis"]})
            apply_errors(target, error)
        member.refresh_from_db()
    return render(
        request,
        "homecoming/member_detail.html",
        {
            "member": member,
            "steps_form": steps_form,
            "move_form": move_form,
            "basis_form": basis_form,
            "steps": member.steps.select_related("recorded_by")[:50],
            "can_write": request_can(request, Action.REPATRIATE),
            "can_manage": request_can(request, Action.MANAGE_BATCHES),
        },
    )


@require_GET
@permission_required(Action.VIEW_TEAM)
def overview(request):
    """People per stage per nationality (a server-drawn SVG chart) with the median days in each stage."""
    data = selectors.overview(organization=request.organization, now=timezone.now())
    table = [(label, sum(data.counts[code].values()), data.median_days[code]) for code, label in data.stages]
    return render(request, "homecoming/overview.html", {"data": data, "chart": stage_chart_svg(data), "table": table})


def manifest_link(batch, kind: str) -> str:
    return reverse(f"homecoming:manifest_{kind}", kwargs={"batch_pk": batch.pk})
