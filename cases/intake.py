"""The intake forms: one page that logs a newly reported person, who reported them, and (optionally) a rescue request.

The forms only validate and shape input; `save_intake` writes through the services in one transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.permissions import Action, can
from core.parsing import plain_number
from places.models import BorderRegion, Compound

from . import services
from .duplicates import age_on
from .models import Reporter, RescueRequest, Victim
from .victim_fields import DETAIL_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class GroupedCompoundIterator(ModelChoiceIterator):
    """Compounds as <optgroup>s per border region (inland ones last), evaluated lazily like Django's own."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        inland = str(_("Inland / no border region"))
        for compound in self.queryset:
            region = compound.region.name if compound.region_id else inland
            groups.setdefault(region, []).append(self.choice(compound))
        yield from sorted(groups.items(), key=lambda item: (item[0] == inland, item[0]))


class CompoundChoiceField(forms.ModelChoiceField):
    """Compounds grouped by border region, each option showing the aliases so the filter box finds them."""

    iterator = GroupedCompoundIterator
    default_error_messages = {"invalid_choice": _("Choose a compound from the list, or leave it empty.")}

    def label_from_instance(self, obj: Compound) -> str:
        return f"{obj.name} ({obj.aliases})" if obj.aliases else obj.name


FLAG_FIELDS = (
    "injured",
    "needs_medical_care",
    "is_minor",
    "pregnant",
    "threatened",
    "ransom_demanded",
    "sold_between_compounds",
)

NAME_REQUIRED = _("Give the person's name, or the name the reporter uses for them.")

NULL_BOOLEAN_CHOICES = [("unknown", _("Not known")), ("true", _("Yes")), ("false", _("No"))]


class NullBooleanSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = NULL_BOOLEAN_CHOICES


class VictimIntakeForm(forms.ModelForm):
    """The person: identity, where, how, risk and consent."""

    class Meta:
        model = Victim
        fields = [*DETAIL_FIELDS, "assigned_to"]  # cases/victim_fields.py
        field_classes = {"compound": CompoundChoiceField}
        widgets = {
            "names_in_compound": forms.Textarea(attrs={"rows": 2}),
            "passport_number": forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            "phone_numbers": forms.Textarea(attrs={"rows": 2, "inputmode": "tel"}),
            "messaging_handles": forms.Textarea(attrs={"rows": 2}),
            "last_known_location": forms.Textarea(attrs={"rows": 2}),
            "date_of_birth": DateInput(),
            "recruited_on": DateInput(),
            "arrived_on": DateInput(),
            "released_on": DateInput(),
            "passport_held_by_traffickers": NullBooleanSelect(),
            "languages": forms.CheckboxSelectMultiple,
            "means_of_control": forms.CheckboxSelectMultiple,
            "exploitation_types": forms.CheckboxSelectMultiple,
            "estimated_age": forms.NumberInput(attrs={"min": 0, "max": 120, "inputmode": "numeric"}),
            "ransom_amount": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "ransom_currency": forms.TextInput(attrs={"maxlength": 3, "size": 4, "autocapitalize": "characters"}),
        }
        labels = {"names_in_compound": _("Names used in the compound (one per line)")}
        help_texts = {
            "estimated_age": _("If the date of birth is not known."),
            "compound": _("Type part of a name or alias in the filter box to narrow the list."),
            "border_region": _("Filled in from the compound when empty."),
        }

    def __init__(self, *args, organization: Organization, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        self.fields["full_name"].widget.attrs.update({"autocomplete": "off", "autofocus": True})
        self.fields["full_name"].error_messages["required"] = NAME_REQUIRED
        self.fields["compound"].queryset = Compound.objects.select_related("region").order_by("name")
        self.fields["border_region"].queryset = BorderRegion.objects.order_by("name")
        self.fields["border_region"].empty_label = _("– from the compound –")
        self.fields["compound"].empty_label = _("– not known –")
        self.fields["border_region"].error_messages["invalid_choice"] = _("Choose a border region from the list.")
        members = User.objects.filter(
            memberships__organization=organization, memberships__is_active=True, is_active=True
        ).order_by("display_name")
        if can(user, Action.ASSIGN, organization):
            self.fields["assigned_to"].queryset = members
            self.fields["assigned_to"].empty_label = _("Nobody yet")
            self.fields["assigned_to"].error_messages["invalid_choice"] = _("Choose a member of your organisation.")
            if not self.is_bound and user.role_in(organization):
                self.initial.setdefault("assigned_to", user.pk)
        else:
            del self.fields["assigned_to"]  # the case stays with whoever logs it (accounts/permissions.py)
        for name in ("sex", "citizenship", "recruitment_method", "recruitment_platform", "consent_given_by"):
            field = self.fields[name]
            if not any(value == "" for value, _label in field.choices):
                continue
            field.choices = [("", _("– choose –")) if value == "" else (value, label) for value, label in field.choices]
        for name in ("date_of_birth", "recruited_on", "arrived_on", "released_on"):
            self.fields[name].error_messages["invalid"] = _("Enter a date like 2025-03-31.")

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(NAME_REQUIRED)
        return name

    def clean_ransom_currency(self) -> str:
        return self.cleaned_data.get("ransom_currency", "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        born, estimate = cleaned.get("date_of_birth"), cleaned.get("estimated_age")
        if born and estimate is not None:
            from_birth = age_on(date_of_birth=born, estimated_age=None, today=timezone.localdate())
            if abs(from_birth - estimate) > 2:
                self.add_error(
                    "estimated_age",
                    _("The date of birth makes the person %(age)d; leave the estimate empty or correct one of them.")
                    % {"age": from_birth},
                )
        return cleaned

    def _get_validation_exclusions(self):
        # Consent time and author are set by the service when the victim is created, not typed in.
        exclusions = super()._get_validation_exclusions()
        exclusions.update({"consent_recorded_at", "consent_recorded_by", "case_number"})
        return exclusions

    def flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FLAG_FIELDS]

    def victim_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class ReporterIntakeForm(forms.ModelForm):
    """Who told us. Optional as a whole, but a reporter needs at least a name and a relationship."""

    class Meta:
        model = Reporter
        fields = ["name", "relationship", "contact_channels", "language", "safe_to_contact", "safe_contact_times"]
        widgets = {
            "contact_channels": forms.Textarea(attrs={"rows": 2}),
            "safe_to_contact": NullBooleanSelect(),
        }
        labels = {"name": _("Reporter's name"), "language": _("Reporter's language")}
        help_texts = {"safe_contact_times": _("For example: “after 20:00 Bangkok time, never on weekends”.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reporter")
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["relationship"].required = False
        self.fields["relationship"].choices = [("", _("– choose –")), *Reporter.Relationship.choices]
        self.fields["language"].choices = [
            ("", _("– choose –")),
            *[(value, label) for value, label in self.fields["language"].choices if value],
        ]

    def has_reporter(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "") for name in self.Meta.fields)

    def clean(self):
        cleaned = super().clean()
        if self.has_reporter():
            if not (cleaned.get("name") or "").strip():
                self.add_error("name", _("Give the reporter's name (or how they introduce themselves)."))
            if not cleaned.get("relationship"):
                self.add_error("relationship", _("Say how the reporter knows the person."))
        return cleaned

    def _post_clean(self):
        # An empty reporter section means "no reporter": skip the model's own checks (required fields) then.
        if self.has_reporter():
            super()._post_clean()

    def reporter_fields(self) -> dict | None:
        if not self.has_reporter():
            return None
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class RescueRequestIntakeForm(forms.Form):
    """Open a rescue request at once, with its priority (its first follow-up is one cadence away)."""

    open_request = forms.BooleanField(label=_("Open a rescue request now"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=RescueRequest.Priority.choices, initial=RescueRequest.Priority.HIGH
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "request")
        super().__init__(*args, **kwargs)


class DuplicateDecisionForm(forms.Form):
    """The caseworker's answer when possible duplicates were shown: save anyway as a new person."""

    confirm_new = forms.BooleanField(label=_("This is a new person: save anyway"), required=False)
    shown_duplicates = forms.CharField(required=False, widget=forms.HiddenInput)

    def shown_ids(self) -> set[int]:
        raw = self.cleaned_data.get("shown_duplicates", "") if hasattr(self, "cleaned_data") else ""
        return {number for part in raw.split(",") if (number := plain_number(part)) is not None}


@dataclass
class IntakeForms:
    victim: VictimIntakeForm
    reporter: ReporterIntakeForm
    request: RescueRequestIntakeForm
    decision: DuplicateDecisionForm

    @classmethod
    def build(cls, *, organization: Organization, user: User, data=None) -> "IntakeForms":
        return cls(
            victim=VictimIntakeForm(data, organization=organization, user=user),
            reporter=ReporterIntakeForm(data),
            request=RescueRequestIntakeForm(data),
            decision=DuplicateDecisionForm(data),
        )

    def all(self) -> list[forms.BaseForm]:
        return [self.victim, self.reporter, self.request, self.decision]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all()])  # validate every form, so every error shows

    def error_count(self) -> int:
        return sum(len(form.errors) for form in self.all())


def _apply_service_error(forms_: IntakeForms, error: ValidationError) -> None:
    """Put an error raised by a service next to the field it concerns (or at the top of the form)."""
    if not hasattr(error, "error_dict"):
        forms_.victim.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = forms_.victim if name in forms_.victim.fields else None
        if target is None and name in forms_.reporter.fields:
            target = forms_.reporter
        (target or forms_.victim).add_error(name if target else None, errors)


@transaction.atomic
def save_intake(
    *, forms_: IntakeForms, organization: Organization, user: User, now: datetime
) -> tuple[Victim, RescueRequest | None]:
    """Create the victim (and reporter) and, when asked, a rescue request. Raises ValidationError in user terms."""
    victim = services.victim_create(
        organization=organization,
        created_by=user,
        now=now,
        reporter=forms_.reporter.reporter_fields(),
        **forms_.victim.victim_fields(),
    )
    request = None
    if forms_.request.cleaned_data.get("open_request"):
        request = services.rescue_request_open(
            victim=victim, opened_by=user, priority=forms_.request.cleaned_data["priority"], now=now
        )
    return victim, request


def save_intake_or_report(
    *, forms_: IntakeForms, organization: Organization, user: User, now: datetime
) -> tuple[Victim, RescueRequest | None] | None:
    """`save_intake`, turning a service's ValidationError into form errors (and returning None)."""
    try:
        return save_intake(forms_=forms_, organization=organization, user=user, now=now)
    except ValidationError as error:
        _apply_service_error(forms_, error)
        return None
