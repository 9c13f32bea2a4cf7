"""The page an agency opens from its referral email: what was shared with it, and a form to answer."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from cases.models import AgencyReferral

from .agency_links import AGENCY_ANSWERS, audit_use, check_token, record_agency_answer

PROBLEM_STATUS = {"tampered": 400, "forwarded": 403, "expired": 410, "closed": 410}


class AgencyAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(s.value, s.label) for s in AGENCY_ANSWERS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=pgettext_lazy("an agency's answer to a referral", "Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agency_reference = forms.CharField(label=_("Your reference"), required=False, max_length=100)
    decline_reason = forms.CharField(
        label=_("Why you decline"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == AgencyReferral.Status.DECLINED and not data.get("decline_reason", "").strip():
            self.add_error("decline_reason", _("Say why you decline, so the caseworker can look elsewhere."))
        return data


@require_http_methods(["GET", "POST"])
def agency_response(request, token: str):
    """GET: the referral as shared; POST: record the agency's answer. A bad link gets its own clear page."""
    checked = check_token(token)
    if checked.problem:
        audit_use(request, checked.referral, action=request.method.lower(), problem=checked.problem)
        return render(
            request,
            "api/agency_link_invalid.html",
            {"problem": checked.problem},
            status=PROBLEM_STATUS[checked.problem],
        )
    referral = checked.referral
    form = AgencyAnswerForm(request.POST or None)
    answered = False
    if request.method == "POST" and form.is_valid():
        try:
            referral = record_agency_answer(referral=referral, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            answered = True
            form = AgencyAnswerForm()
    audit_use(request, referral, action="answer" if answered else request.method.lower())
    return render(
        request,
        "api/agency_response.html",
        {"referral": referral, "form": form, "answered": answered, "closed": referral.status in ("completed",)},
        status=200 if request.method == "GET" or answered else 400,
    )
