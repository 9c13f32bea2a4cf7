"""What the API shows and accepts. Field rules are the pages': identity documents and contacts only for viewers
that may see them (`VIEW_IDENTITY`, see api/permissions.py); restricted notes never."""

from rest_framework import serializers

from accounts.permissions import Action
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim
from cases.services import REQUEST_CLOSING_STATUSES
from places.codes import EXPLOITATION_CHOICES, LANGUAGE_CHOICES, MEANS_OF_CONTROL_CHOICES
from places.models import Agency, BorderRegion, Compound

from .agency_links import AGENCY_ANSWERS
from .permissions import key_can

IDENTITY_FIELDS = ("names_in_compound", "passport_number", "phone_numbers", "messaging_handles", "last_known_location")
CASE_FIELDS = (
    "id",
    "case_number",
    "status",
    "status_changed_at",
    "risk_level",
    "assigned_to",
    "full_name",
    "sex",
    "date_of_birth",
    "estimated_age",
    "citizenship",
    "languages",
    "passport_held_by_traffickers",
    "compound",
    "border_region",
    "recruitment_method",
    "recruitment_platform",
    "recruited_on",
    "arrived_on",
    "released_on",
    "means_of_control",
    "exploitation_types",
    "injured",
    "needs_medical_care",
    "is_minor",
    "pregnant",
    "threatened",
    "ransom_demanded",
    "ransom_amount",
    "ransom_currency",
    "sold_between_compounds",
    "consent",
    "consent_given_by",
    "last_contact_at",
    "created_at",
    "updated_at",
    "version",
    *IDENTITY_FIELDS,
)
READ_ONLY_CASE_FIELDS = (
    "id",
    "case_number",
    "status",
    "status_changed_at",
    "assigned_to",
    "last_contact_at",
    "created_at",
    "updated_at",
)


def may_see_identity(context) -> bool:
    request = context.get("request")
    return request is not None and key_can(request.auth, Action.VIEW_IDENTITY)


class IdentityGated(serializers.ModelSerializer):
    """Drops the identity fields (from output and input) for a viewer without VIEW_IDENTITY."""

    identity_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if not may_see_identity(self.context):
            for name in self.identity_fields:
                fields.pop(name, None)
        return fields


class CaseSerializer(IdentityGated):
    identity_fields = IDENTITY_FIELDS
    languages = serializers.MultipleChoiceField(choices=LANGUAGE_CHOICES, required=False)
    means_of_control = serializers.MultipleChoiceField(choices=MEANS_OF_CONTROL_CHOICES, required=False)
    exploitation_types = serializers.MultipleChoiceField(choices=EXPLOITATION_CHOICES, required=False)
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    border_region = serializers.PrimaryKeyRelatedField(
        queryset=BorderRegion.objects.all(), required=False, allow_null=True
    )
    names_in_compound = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    passport_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone_numbers = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    messaging_handles = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    last_known_location = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="On update: the version you read (a newer one gives 409)."
    )

    class Meta:
        model = Victim
        fields = CASE_FIELDS
        read_only_fields = READ_ONLY_CASE_FIELDS


class CaseCreateSerializer(CaseSerializer):
    version = serializers.IntegerField(read_only=True)


class ReporterSerializer(IdentityGated):
    identity_fields = ("contact_channels",)
    contact_channels = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    relationship = serializers.ChoiceField(choices=Reporter.Relationship.choices, default=Reporter.Relationship.HOTLINE)

    class Meta:
        model = Reporter
        fields = ("name", "relationship", "contact_channels", "language", "safe_to_contact", "safe_contact_times")


class ReportSerializer(serializers.Serializer):
    """A hotline's report: the person as far as known, and who reported them."""

    person = CaseCreateSerializer()
    reporter = ReporterSerializer()
    hotline_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)


class PossibleDuplicateSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class ReportResultSerializer(serializers.Serializer):
    case = CaseSerializer()
    possible_duplicates = PossibleDuplicateSerializer(many=True)


class RescueRequestSerializer(serializers.ModelSerializer):
    case = serializers.PrimaryKeyRelatedField(source="victim", queryset=Victim.objects.none())

    class Meta:
        model = RescueRequest
        fields = (
            "id",
            "case",
            "priority",
            "status",
            "assigned_to",
            "opened_at",
            "closed_at",
            "outcome",
            "next_follow_up_at",
            "last_update_at",
            "version",
        )
        read_only_fields = tuple(f for f in fields if f not in ("case", "priority"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.auth is not None:
            self.fields["case"].queryset = Victim.objects.visible_to(request.auth.as_viewer())


class LogContactSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10000)
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in (CaseNote.Kind.CONTACT_PERSON, CaseNote.Kind.CONTACT_FAMILY)],
        default=CaseNote.Kind.CONTACT_PERSON,
    )
    mark_in_progress = serializers.BooleanField(default=False)


class CloseRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in REQUEST_CLOSING_STATUSES])
    outcome = serializers.CharField(max_length=10000)


class ReferralSerializer(IdentityGated):
    identity_fields = ("shared_information",)
    case = serializers.PrimaryKeyRelatedField(source="victim", queryset=Victim.objects.none())
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none())
    shared_information = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    send = serializers.BooleanField(default=True, write_only=True, help_text="Send at once (default) or keep a draft.")

    class Meta:
        model = AgencyReferral
        fields = (
            "id",
            "case",
            "agency",
            "status",
            "shares_identity",
            "consent_basis",
            "override_reason",
            "shared_information",
            "sent_at",
            "response_due_at",
            "acknowledged_at",
            "closed_at",
            "agency_reference",
            "response_note",
            "decline_reason",
            "send",
        )
        read_only_fields = (
            "id",
            "status",
            "sent_at",
            "response_due_at",
            "acknowledged_at",
            "closed_at",
            "agency_reference",
            "response_note",
            "decline_reason",
        )
        extra_kwargs = {"override_reason": {"write_only": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.auth is not None:
            viewer = request.auth.as_viewer()
            self.fields["case"].queryset = Victim.objects.visible_to(viewer)
            self.fields["agency"].queryset = Agency.objects.visible_to(viewer)


class ReferralResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (*AGENCY_ANSWERS, AgencyReferral.Status.NO_RESPONSE)]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    agency_reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    decline_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- Released lists, batches, screening (read through the lists and homecoming apps' own queries) -------------


class ReleasedListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    source = serializers.CharField()
    published = serializers.DateField(allow_null=True)
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    rows_total = serializers.IntegerField()
    rows_with_errors = serializers.IntegerField()
    shared_with_all = serializers.BooleanField()
    mapping = serializers.DictField(child=serializers.CharField(), help_text="Column index (from 0) -> field.")


class ListUploadSerializer(serializers.Serializer):
    """The web upload's fields; columns are guessed from the headings as on the web, `map` changes them."""

    file = serializers.FileField(help_text="CSV or XLSX, as on the web upload.")
    source = serializers.CharField(max_length=300, help_text="Who published the list.")
    published = serializers.DateField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=[("released", "released"), ("arrived", "arrived"),
                                            ("repatriated", "repatriated"), ("other", "other")],
                                   default="released")  # fmt: skip
    map = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text='COLUMN=FIELD overrides of the guessed columns, e.g. "C=nationality" (as `import_list --map`).',
    )


class ListUploadResultSerializer(serializers.Serializer):
    list = ReleasedListSerializer()
    already_imported = serializers.BooleanField(help_text="The same file (SHA-256) was imported before: this is it.")
    messages = serializers.IntegerField(help_text="Messages about rows (see the list's status for error rows).")


class MatchingProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    finished = serializers.BooleanField()


class ListStatusSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows read.")
    errors = serializers.IntegerField(help_text="Rows with errors.")
    error_lines = serializers.ListField(child=serializers.IntegerField(), help_text="Their row numbers (first 200).")
    matched_rows = serializers.IntegerField()
    unknown = serializers.IntegerField()
    suggestions = serializers.IntegerField()
    above = serializers.IntegerField(help_text="Best suggestions above the confirmation threshold.")
    confirmed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    matching = MatchingProgressSerializer()


class ListMatchSerializer(serializers.Serializer):
    """What the review page shows of a suggestion: the row, the name (as shown and as written), the case, score and
    reasons."""

    id = serializers.IntegerField()
    line = serializers.IntegerField(source="entry.line")
    name_on_list = serializers.CharField(source="entry_shown")  # in Unicode: a name typed in Zawgyi is converted
    name_on_list_as_written = serializers.CharField(source="entry.name")
    name_on_list_was_zawgyi = serializers.BooleanField(source="entry_zawgyi")
    name_on_list_latin = serializers.CharField(source="entry_reading")
    case = serializers.IntegerField(source="victim_id")
    case_number = serializers.CharField(source="victim.case_number")
    case_name = serializers.CharField(source="victim.full_name")
    case_name_latin = serializers.CharField(source="victim_reading")
    score = serializers.FloatField()
    rank = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField(), source="reason_list")
    status = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class BatchMemberSerializer(serializers.Serializer):
    """A batch page's row: the member's steps, the step reached and what blocks departure."""

    id = serializers.IntegerField(source="member.pk")
    case = serializers.IntegerField(source="member.victim_id")
    case_number = serializers.CharField(source="member.victim.case_number")
    step = serializers.CharField()
    blockers = serializers.ListField(child=serializers.CharField())
    days_since_last_step = serializers.IntegerField(source="stuck_days")
    travel_document = serializers.CharField(source="member.travel_document")
    clearance = serializers.CharField(source="member.clearance")
    consent_to_travel = serializers.CharField(source="member.consent_to_travel")
    medical_fitness = serializers.CharField(source="member.medical_fitness")
    departed_at = serializers.DateTimeField(source="member.departed_at", allow_null=True)
    arrived_at = serializers.DateTimeField(source="member.arrived_at", allow_null=True)
    handed_to = serializers.IntegerField(source="member.handed_to_id", allow_null=True)


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    departs_on = serializers.DateField()
    mode = serializers.CharField()
    reference = serializers.CharField()
    crossing = serializers.IntegerField(source="crossing_id", allow_null=True)
    destination = serializers.CharField()


class BatchDetailSerializer(BatchSerializer):
    members = BatchMemberSerializer(many=True, source="rows")


class ScreeningQueueSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="victim.pk")
    case_number = serializers.CharField(source="victim.case_number")
    case_name = serializers.CharField(source="victim.full_name")
    status = serializers.CharField(source="victim.status")
    waiting_since = serializers.DateTimeField(source="since")
    days_waiting = serializers.IntegerField(source="days")
    missing_in_transit = serializers.BooleanField(source="missing")


class ScreeningSerializer(serializers.Serializer):
    """A screening; its notes (an interview's) only for keys that may see identity (VIEW_IDENTITY + the box)."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="victim_id")
    screened_at = serializers.DateTimeField()
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    interpreter_language = serializers.CharField()
    outcome = serializers.CharField()
    nrm_agency = serializers.IntegerField(source="nrm_agency_id", allow_null=True)
    nrm_reference = serializers.CharField()
    nrm_referred_on = serializers.DateField(allow_null=True)
    needs = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") is not None and not may_see_identity(self.context):
            fields.pop("notes")  # (the schema, generated without a request, names the field)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["needs"] = list(instance.needs or [])
        return data
