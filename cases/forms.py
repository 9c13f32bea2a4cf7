"""Forms for the case page's actions and the victim edit form. Writes go through `cases.services`.

Each form validates what it can alone (required fields, choices in the user's terms); the service then
enforces the rules that need the database, and its errors are put next to the matching field.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from places.models import Agency, BorderRegion, Compound

from .models import AgencyReferral, CaseNote, RescueRequest, Victim
from .services import REFERRAL_RESPONSES, REQUEST_CLOSING_STATUSES, VICTIM_TRANSITIONS
from .victim_fields import DETAIL_FIELDS

TEXTAREA_SMALL = forms.Textarea(attrs={"rows": 3})


def request_label(request: RescueRequest) -> str:
    """How a rescue request is named in a picker: number, priority and when it is next due (local time)."""
    due = (
        date_format(timezone.localtime(request.next_follow_up_at), "SHORT_DATETIME_FORMAT")
        if request.next_follow_up_at
        else "–"
    )
    return _("Request #%(id)s, %(priority)s, follow-up due %(due)s") % {
        "id": request.pk,
        "priority": request.get_priority_display(),
        "due": due,
    }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names; anything else goes on top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def organization_members(organization) -> "forms.QuerySet[User]":
    return User.objects.filter(
        memberships__organization=organization, memberships__is_active=True, is_active=True
    ).order_by("display_name", "email")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name or obj.email


NO_REQUEST = "none"


def offer_options(field: forms.ModelChoiceField, options: list[tuple[int, str]]) -> None:
    """Render a model choice field's options from (pk, label) pairs already loaded, instead of querying them again.

    Only what the page shows: a submitted value is still checked against the field's queryset.
    """
    blank = [("", field.empty_label)] if field.empty_label is not None else []
    forms.ChoiceField.choices.fset(field, blank + options)  # plain choices (django-filter wraps its own setter)


def offer_choices(field: forms.ModelChoiceField, objects) -> None:
    """`offer_options` for model instances the page has already loaded, labelled as the field labels them."""
    offer_options(field, [(obj.pk, field.label_from_instance(obj)) for obj in objects])


class LogContactForm(forms.Form):
    """Contact with the person or their family; on an open request it moves the next follow-up.

    With open requests the caseworker must say which one the contact is about (the most overdue listed first,
    the only one chosen already): a contact logged on no request moves no follow-up, so that is an explicit choice,
    never the default.
    """

    rescue_request = forms.ChoiceField(
        label=_("Rescue request"),
        help_text=_("The follow-up of the request you choose moves forward by its cadence."),
    )
    kind = forms.ChoiceField(
        label=_("Contact with"),
        choices=[
            (CaseNote.Kind.CONTACT_PERSON, _("The person")),
            (CaseNote.Kind.CONTACT_FAMILY, _("Family or reporter")),
            (CaseNote.Kind.AGENCY_UPDATE, _("An agency")),
        ],
        initial=CaseNote.Kind.CONTACT_PERSON,
    )
    note = forms.CharField(label=_("What happened"), widget=TEXTAREA_SMALL)
    mark_in_progress = forms.BooleanField(label=_("Mark the request as in progress"), required=False)

    def __init__(self, *args, open_requests, **kwargs):
        """`open_requests`: the case's open requests in follow-up order (`open_requests_of()`, or those loaded)."""
        super().__init__(*args, **kwargs)
        self.open_requests = {str(r.pk): r for r in open_requests}
        if not self.open_requests:  # nothing to move: just a contact note
            del self.fields["rescue_request"], self.fields["mark_in_progress"]
            return
        field = self.fields["rescue_request"]
        requests = [(pk, request_label(r)) for pk, r in self.open_requests.items()]
        no_request = [(NO_REQUEST, _("No request (contact note only: no follow-up moves)"))]
        if len(self.open_requests) == 1:
            field.choices = requests + no_request
            field.initial = next(iter(self.open_requests))
            only = next(iter(self.open_requests.values()))
            field.help_text = _("This moves the follow-up of request #%(id)s forward by its cadence.") % {"id": only.pk}
        else:
            field.choices = [("", _("Choose the request this contact is about"))] + requests + no_request
            field.help_text = _(
                "%(count)s requests are open, the most overdue first. The follow-up of the one you choose moves "
                "forward by its cadence."
            ) % {"count": len(self.open_requests)}

    def clean_rescue_request(self):
        """The chosen open request, or None for a contact note on no request."""
        value = self.cleaned_data["rescue_request"]
        return None if value == NO_REQUEST else self.open_requests[value]


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseNote.Kind.choices, initial=CaseNote.Kind.INTERNAL)
    body = forms.CharField(label=_("Note"), widget=TEXTAREA_SMALL)
    is_restricted = forms.BooleanField(
        label=_("Restricted to supervisors"),
        required=False,
        help_text=_("Only supervisors and organisation admins will see this note."),
    )

    def __init__(self, *args, can_restrict: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_restrict:
            del self.fields["is_restricted"]


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when closing a case for another reason."),
    )

    def __init__(self, *args, victim: Victim, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = VICTIM_TRANSITIONS.get(victim.status, set())
        self.fields["to_status"].choices = [(v, label) for v, label in Victim.Status.choices if v in allowed]

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Victim.Status.CLOSED and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the case is closed."))
        return data


class AssignForm(forms.Form):
    assignee = MemberChoiceField(
        label=_("Caseworker"), queryset=User.objects.none(), required=False, empty_label=_("Nobody (unassigned)")
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = organization_members(organization)


class RequestOpenForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=RescueRequest.Priority.choices,
        initial=RescueRequest.Priority.NORMAL,
        help_text=_("Urgent requests are followed up every day, high every 3 days, normal every 7 (by default)."),
    )


class RequestCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[(v, label) for v, label in RescueRequest.Status.choices if v in REQUEST_CLOSING_STATUSES],
    )
    outcome = forms.CharField(label=_("Outcome"), widget=TEXTAREA_SMALL)


def agencies_for(*, victim: Victim, organization):
    """Agencies a case can go to: shared or this organisation's own, active, covering the victim's region
    (or covering no region in particular); embassies only of the person's own country."""
    through = Agency.regions.through
    covers_any = Exists(through.objects.filter(agency_id=OuterRef("pk")))
    base = Agency.objects.filter(Q(organization__isnull=True) | Q(organization=organization), is_active=True)
    if victim.border_region_id:
        covers_region = Exists(
            through.objects.filter(agency_id=OuterRef("pk"), borderregion_id=victim.border_region_id)
        )
        regional = Q(covers_region) | ~Q(covers_any)
    else:
        regional = Q()
    embassy = Q(kind=Agency.Kind.EMBASSY, country=victim.citizenship) if victim.citizenship else Q(pk__in=[])
    return base.filter((~Q(kind=Agency.Kind.EMBASSY) & regional) | embassy).order_by("kind", "name")


class ReferralForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        help_text=_("Agencies covering this case's border region; embassies of the person's own country."),
    )
    rescue_request = forms.ModelChoiceField(
        label=_("For rescue request"), queryset=RescueRequest.objects.none(), required=False
    )
    consent_basis = forms.ChoiceField(
        label=_("What the agency receives"),
        widget=forms.RadioSelect,
        help_text=_(
            "Identity means name, documents, contacts or photos. It needs consent or a vital-interest override."
        ),
    )
    override_reason = forms.CharField(
        label=_("Reason for the vital-interest override"),
        required=False,
        widget=TEXTAREA_SMALL,
        help_text=_("Only when sharing identity without consent because the person's life or safety is at risk."),
    )
    shared_information = forms.CharField(label=_("What is shared"), required=False, widget=TEXTAREA_SMALL)
    send_now = forms.BooleanField(
        label=_("Mark as sent now"),
        required=False,
        initial=True,
        help_text=_("The agency's response is then due in 3 days."),
    )

    def __init__(self, *args, victim: Victim, organization, open_requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.victim = victim
        self.fields["agency"].queryset = agencies_for(victim=victim, organization=organization)
        self.fields["agency"].label_from_instance = lambda a: f"{a.name} ({a.get_kind_display()})"
        self.fields["rescue_request"].queryset = open_requests
        self.fields["rescue_request"].label_from_instance = request_label
        B = AgencyReferral.ConsentBasis
        consented = victim.consent != Victim.Consent.NONE
        self.fields["consent_basis"].choices = [
            (B.NO_IDENTITY, _("No identity: the case number and what is written below")),
            (
                B.CONSENT,
                _("The person's identity, with their recorded consent (%(consent)s)")
                % {"consent": victim.get_consent_display()}
                if consented
                else _("The person's identity, with consent (none is recorded on this case yet)"),
            ),
            (B.VITAL_INTEREST, _("The person's identity without consent: vital-interest override (give the reason)")),
        ]
        # The case's recorded consent is the default; the override is always a deliberate exception.
        self.fields["consent_basis"].initial = B.CONSENT if consented else B.NO_IDENTITY

    def clean(self):
        data = super().clean()
        B = AgencyReferral.ConsentBasis
        basis = data.get("consent_basis")
        data["shares_identity"] = basis in (B.CONSENT, B.VITAL_INTEREST)
        if basis == B.CONSENT and self.victim.consent == Victim.Consent.NONE:
            self.add_error(
                "consent_basis",
                _(
                    "The person has not consented to sharing their identity. Record consent first, "
                    "or use a vital-interest override with its reason."
                ),
            )
        elif basis == B.VITAL_INTEREST and not data.get("override_reason", "").strip():
            self.add_error("override_reason", _("Give the reason for overriding consent."))
        return data


class ReferralResponseForm(forms.Form):
    status = forms.ChoiceField(label=_("The agency's answer"))
    agency_reference = forms.CharField(label=_("Agency's reference"), required=False, max_length=100)
    note = forms.CharField(label=_("What they said"), required=False, widget=TEXTAREA_SMALL)
    decline_reason = forms.CharField(
        label=_("Why they declined"), required=False, widget=TEXTAREA_SMALL, help_text=_("Required when declined.")
    )

    def __init__(self, *args, referral: AgencyReferral, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = REFERRAL_RESPONSES.get(referral.status, set())
        self.fields["status"].choices = [(v, label) for v, label in AgencyReferral.Status.choices if v in allowed]

    def clean(self):
        data = super().clean()
        if data.get("status") == AgencyReferral.Status.DECLINED and not data.get("decline_reason", "").strip():
            self.add_error("decline_reason", _("Record why the agency declined."))
        return data


VICTIM_EDIT_FIELDS = list(DETAIL_FIELDS)  # cases/victim_fields.py

VICTIM_EDIT_SECTIONS = [
    (_("Identity"), VICTIM_EDIT_FIELDS[0:11]),
    (_("Where"), VICTIM_EDIT_FIELDS[11:14]),
    (_("How"), VICTIM_EDIT_FIELDS[14:21]),
    (_("Risk"), VICTIM_EDIT_FIELDS[21:31]),
    (_("Consent"), VICTIM_EDIT_FIELDS[31:33]),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VictimEditForm(forms.ModelForm):
    """The victim's details, with the version they were loaded at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Victim
        fields = VICTIM_EDIT_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "recruited_on": DateInput(),
            "arrived_on": DateInput(),
            "released_on": DateInput(),
            "names_in_compound": forms.Textarea(attrs={"rows": 2}),
            "phone_numbers": forms.Textarea(attrs={"rows": 2}),
            "messaging_handles": forms.Textarea(attrs={"rows": 2}),
            "last_known_location": forms.Textarea(attrs={"rows": 2}),
            "passport_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "passport_held_by_traffickers": forms.NullBooleanSelect(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.select_related("region").order_by("name")
        self.fields["border_region"].queryset = BorderRegion.objects.order_by("name")
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in VICTIM_EDIT_SECTIONS]

    def clean_full_name(self) -> str:
        """One line, as intake stores it: a pasted line break or tab between names becomes one space."""
        return " ".join(self.cleaned_data["full_name"].split())

    def changes(self) -> dict:
        """The cleaned values of the edited fields, ready for `victim_update`."""
        return {name: self.cleaned_data[name] for name in VICTIM_EDIT_FIELDS}
