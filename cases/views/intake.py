"""Intake: log a newly reported person on one page, see possible duplicates before saving, and decide."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import organization_required
from audit import trail as audit

from ..duplicates import find_possible_duplicates
from ..intake import IntakeForms, save_intake_or_report


def _duplicates_for(forms_: IntakeForms, *, organization, now):
    data = forms_.victim.cleaned_data
    return find_possible_duplicates(
        organization=organization,
        today=timezone.localdate(now, organization.tzinfo),
        full_name=data.get("full_name", ""),
        names_in_compound=data.get("names_in_compound", ""),
        citizenship=data.get("citizenship", ""),
        date_of_birth=data.get("date_of_birth"),
        estimated_age=data.get("estimated_age"),
        passport_number=data.get("passport_number", ""),
        phone_numbers=data.get("phone_numbers", ""),
        sex=data.get("sex", ""),
    )


@require_http_methods(["GET", "POST"])
@organization_required
def intake(request):
    """GET: the empty form. POST: validate; show possible duplicates once; then save through the services."""
    organization = request.organization
    now = timezone.now()
    duplicates = None
    if request.method == "POST":
        forms_ = IntakeForms.build(organization=organization, user=request.user, data=request.POST)
        if forms_.is_valid():
            duplicates = _duplicates_for(forms_, organization=organization, now=now)
            decided = forms_.decision.cleaned_data["confirm_new"] and set(duplicates.victim_ids) <= (
                forms_.decision.shown_ids()
            )
            if not duplicates.matches or decided:
                saved = save_intake_or_report(forms_=forms_, organization=organization, user=request.user, now=now)
                if saved is not None:
                    victim, rescue_request = saved
                    if rescue_request is not None:
                        text = _("Case %(case)s was created and a rescue request opened (priority: %(priority)s).") % {
                            "case": victim.case_number,
                            "priority": rescue_request.get_priority_display().lower(),
                        }
                    else:
                        text = _("Case %(case)s was created.") % {"case": victim.case_number}
                    messages.success(request, text)
                    return redirect("cases:victim_detail", pk=victim.pk)
                duplicates = None  # the save was refused: show the errors, not the duplicates again
    else:
        forms_ = IntakeForms.build(organization=organization, user=request.user)
    if duplicates and duplicates.matches:  # the page names each possible match: a recorded read of their case
        audit.record_reads(
            request,
            [match.victim for match in duplicates.matches],
            view="intake_duplicates",
            organization_id=organization.pk,
        )
    return render(
        request,
        "cases/intake.html",
        {
            "forms": forms_,
            "form": forms_.victim,
            "reporter_form": forms_.reporter,
            "request_form": forms_.request,
            "duplicates": duplicates if duplicates and duplicates.matches else None,
            "has_errors": request.method == "POST" and bool(forms_.error_count()),
        },
    )
