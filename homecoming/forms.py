"""Forms of the homecoming pages. They collect and check input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import Victim
from places.models import Agency, Crossing

from .models import BatchMember, RepatriationBatch, RetraffickingFlag, ReturnFollowUp, Screening

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _agencies(organization):
    return Agency.objects.visible_to(organization).order_by("name")


class ScreeningForm(forms.ModelForm):
    class Meta:
        model = Screening
        fields = (
            "screened_at",
            "screened_by",
            "agency",
            "interpreter_language",
            "outcome",
            "needs",
            "nrm_agency",
            "nrm_reference",
            "nrm_referred_on",
            "notes",
        )
        widgets = {
            "screened_at": DATETIME,
            "nrm_referred_on": DATE,
            "needs": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["screened_by"].queryset = User.objects.members_of([organization.pk]).order_by("display_name")
        self.fields["agency"].queryset = _agencies(organization)
        self.fields["nrm_agency"].queryset = _agencies(organization)
        self.fields["screened_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def _post_clean(self):  # the service validates (with the victim); the form only converts
        pass


class BatchForm(forms.ModelForm):
    class Meta:
        model = RepatriationBatch
        fields = ("agency", "departs_on", "mode", "reference", "crossing", "destination")
        widgets = {"departs_on": DATE}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(organization)
        self.fields["crossing"].queryset = Crossing.objects.order_by("name")

    def _post_clean(self):
        pass


class AddMemberForm(forms.Form):
    case_number = forms.CharField(label=_("case number"), max_length=32)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip().upper()
        victim = Victim.objects.visible_to(self.organization).filter(case_number=number).first()
        if victim is None:
            raise forms.ValidationError(_("No case with that number in your organisation."))
        self.victim = victim
        return number


class StepsForm(forms.ModelForm):
    class Meta:
        model = BatchMember
        fields = (
            "travel_document",
            "clearance",
            "consent_to_travel",
            "medical_fitness",
            "departed_at",
            "arrived_at",
            "handed_to",
        )
        widgets = {"departed_at": DATETIME, "arrived_at": DATETIME}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_to"].queryset = _agencies(organization)
        for name in ("departed_at", "arrived_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def _post_clean(self):
        pass


class MoveForm(forms.Form):
    to_batch = forms.ModelChoiceField(label=_("move to batch"), queryset=RepatriationBatch.objects.none())

    def __init__(self, *args, organization, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_batch"].queryset = RepatriationBatch.objects.visible_to(organization).exclude(pk=exclude)


class ManifestBasisForm(forms.Form):
    basis = forms.ChoiceField(label=_("manifest consent basis"), choices=BatchMember.Basis.choices)
    override_reason = forms.CharField(
        label=_("reason for the vital-interest override"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("how did the contact go"), choices=ReturnFollowUp.Outcome.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FlagForm(forms.Form):
    signs = forms.MultipleChoiceField(
        label=_("signs"), choices=RetraffickingFlag.Sign.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
