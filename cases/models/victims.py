"""The person at the centre of a case: their record, status and risk choices, and case numbers."""

import unicodedata
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from multiselectfield import MultiSelectField

from core.fields import BlindIndexField, SecretDateField, SecretTextField
from core.names import latin_reading
from core.names.zawgyi import to_unicode
from core.text import SHORT_TEXT_MAX_CHARS, max_chars, strip_bidi_controls
from places.codes import (
    CITIZENSHIP_CHOICES,
    EXPLOITATION_CHOICES,
    LANGUAGE_CHOICES,
    MEANS_OF_CONTROL_CHOICES,
    RECRUITMENT_METHOD_CHOICES,
    SEX_CHOICES,
)
from places.models import BorderRegion, Compound

from .base import OrganizationOwned, Timestamped, Versioned


class BirthYearField(models.PositiveSmallIntegerField):
    """The year of the date field `source`, recomputed on every save and bulk_create (the date is encrypted)."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("null", "blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        born = getattr(model_instance, self.source)
        value = born.year if born else None
        setattr(model_instance, self.attname, value)
        return value


class CaseNumberSequence(models.Model):
    """The last case number handed out per organisation and year. Numbers only ever go up: never reused."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="casenumbersequence_unique_org_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_value}"


class VictimStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    IN_CONTACT = "in_contact", _("In contact")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    RELEASED = "released", _("Released")
    RESCUED = "rescued", _("Rescued")
    IN_SCREENING = "in_screening", _("In screening")
    IN_SHELTER = "in_shelter", _("In shelter")
    REPATRIATED = "repatriated", _("Repatriated")
    REINTEGRATED = "reintegrated", _("Reintegrated (closed)")
    DECEASED = "deceased", _("Deceased")
    CLOSED = "closed", _("Closed (other reason)")


class RiskLevel(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Consent(models.TextChoices):
    NONE = "none", _("None")
    LIMITED = "limited", _("Limited")
    FULL = "full", _("Full")


class Victim(OrganizationOwned, Versioned, Timestamped):
    """A trapped (or formerly trapped) person, owned by one organisation."""

    Status = VictimStatus

    CLOSED_STATUSES = (VictimStatus.REINTEGRATED, VictimStatus.DECEASED, VictimStatus.CLOSED)
    STILL_TRAPPED_STATUSES = (
        VictimStatus.REPORTED,
        VictimStatus.VERIFIED,
        VictimStatus.IN_CONTACT,
        VictimStatus.LOST_CONTACT,
    )

    RiskLevel = RiskLevel

    Consent = Consent

    class ConsentGivenBy(models.TextChoices):
        SELF = "self", _("The person")
        FAMILY = "family", _("Family")
        GUARDIAN = "guardian", _("Guardian")

    class RecruitmentPlatform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        TELEGRAM = "telegram", "Telegram"
        WHATSAPP = "whatsapp", "WhatsApp"
        LINE = "line", "LINE"
        WECHAT = "wechat", "WeChat"
        TIKTOK = "tiktok", "TikTok"
        JOB_SITE = "job_site", _("Job website")
        AGENT = "agent", _("Recruitment agent in person")
        OTHER = "other", _("Other")

    # --- case ---
    case_number = models.CharField(_("case number"), max_length=32, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_victims",
        verbose_name=_("assigned caseworker"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=VictimStatus.REPORTED)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)

    # --- identity ---
    # Encrypted at rest: found through the name index (cases/name_index.py), never by SQL on the column.
    full_name = SecretTextField(_("full name"), max_length=200, blank=False)
    names_in_compound = SecretTextField(_("names used in the compound"), validators=[max_chars(SHORT_TEXT_MAX_CHARS)])
    sex = models.CharField(_("sex / gender"), max_length=32, choices=SEX_CHOICES, default="NonSpecifiedUnknown")
    date_of_birth = SecretDateField(_("date of birth"), blank=True)
    # The year alone stays in the clear, for the duplicate check and list matching (kept from date_of_birth).
    birth_year = BirthYearField(_("year of birth"), source="date_of_birth")
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    citizenship = models.CharField(_("citizenship"), max_length=2, choices=CITIZENSHIP_CHOICES, blank=True)
    languages = MultiSelectField(_("languages"), choices=LANGUAGE_CHOICES, max_length=200, blank=True)
    passport_number = SecretTextField(_("passport number"), validators=[max_chars(SHORT_TEXT_MAX_CHARS)])
    passport_held_by_traffickers = models.BooleanField(
        _("passport held by traffickers"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    phone_numbers = SecretTextField(
        _("phone numbers"), help_text=_("One per line."), validators=[max_chars(SHORT_TEXT_MAX_CHARS)]
    )
    messaging_handles = SecretTextField(
        _("messaging handles"),
        help_text=_("One per line, e.g. “Telegram: @name”, “LINE: id”."),
        validators=[max_chars(SHORT_TEXT_MAX_CHARS)],
    )
    # Keyed digests of the passport and phone numbers, so exact duplicates can be found (cases/identifiers.py).
    passport_index = BlindIndexField(_("passport number digest"), source="passport_number", kind="passport")
    phone_index = BlindIndexField(_("phone number digests"), source="phone_numbers", kind="phone")

    # --- where ---
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="victims", verbose_name=_("compound")
    )
    border_region = models.ForeignKey(
        BorderRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="victims",
        verbose_name=_("border region"),
    )
    last_known_location = SecretTextField(_("last known location"), validators=[max_chars(SHORT_TEXT_MAX_CHARS)])
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)

    # --- how ---
    recruitment_method = models.CharField(
        _("method of recruitment"), max_length=40, choices=RECRUITMENT_METHOD_CHOICES, blank=True
    )
    recruitment_platform = models.CharField(
        _("recruitment platform"), max_length=20, choices=RecruitmentPlatform, blank=True
    )
    recruited_on = models.DateField(_("recruited on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived at the compound on"), null=True, blank=True)
    released_on = models.DateField(_("released or rescued on"), null=True, blank=True)
    means_of_control = MultiSelectField(
        _("means of control"), choices=MEANS_OF_CONTROL_CHOICES, max_length=400, blank=True
    )
    exploitation_types = MultiSelectField(
        _("type of exploitation"), choices=EXPLOITATION_CHOICES, max_length=300, blank=True
    )

    # --- risk ---
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel, default=RiskLevel.HIGH)
    injured = models.BooleanField(_("injured"), default=False)
    needs_medical_care = models.BooleanField(_("needs medical care"), default=False)
    is_minor = models.BooleanField(_("minor"), default=False)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    threatened = models.BooleanField(_("threatened"), default=False)
    ransom_demanded = models.BooleanField(_("ransom demanded"), default=False)
    ransom_amount = models.DecimalField(_("ransom amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    ransom_currency = models.CharField(
        _("ransom currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. USD.")
    )
    sold_between_compounds = models.BooleanField(_("sold between compounds"), default=False)

    # --- consent ---
    consent = models.CharField(_("consent"), max_length=10, choices=Consent, default=Consent.NONE)
    consent_given_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentGivenBy, blank=True)
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )

    # --- retention (cases/retention.py) ---
    redacted_at = models.DateTimeField(
        _("identity redacted"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the identity and secret fields were removed under the organisation's retention setting."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "case_number"], name="victim_unique_case_number"),
            models.CheckConstraint(condition=models.Q(status__in=VictimStatus.values), name="victim_status_valid"),
            models.CheckConstraint(condition=models.Q(risk_level__in=RiskLevel.values), name="victim_risk_level_valid"),
            models.CheckConstraint(condition=models.Q(consent__in=Consent.values), name="victim_consent_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_reason=""), name="victim_closed_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(ransom_amount__isnull=True) | models.Q(ransom_amount__gte=0),
                name="victim_ransom_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(consent="none") | models.Q(consent_recorded_at__isnull=False),
                name="victim_consent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="victim_org_status"),
            models.Index(fields=["organization", "-created_at"], name="victim_org_created"),
            models.Index(fields=["assigned_to", "status"], name="victim_assigned_status"),
            # Team's open cases per member, counted from the index alone (the scoping adds the organisation)
            models.Index(fields=["assigned_to", "organization", "status"], name="victim_assigned_org_status"),
            models.Index(fields=["organization", "last_contact_at"], name="victim_org_last_contact"),
            models.Index(fields=["organization", "birth_year"], name="victim_org_birth_year"),
            models.Index(fields=["organization", "passport_index"], name="victim_org_passport_index"),
        ]

    def __str__(self) -> str:
        # The case number, never the name: __str__ ends up in logs, admin messages and audit trails.
        return self.case_number or _("new case")

    def save(self, *args, **kwargs):
        # Bidirectional controls in a name could make it display as another name (issue 16): never stored. Burmese
        # typed in the legacy Zawgyi encoding is stored in Unicode, as pages, exports and the API show it.
        self.full_name = to_unicode(strip_bidi_controls(self.full_name))[0]
        self.names_in_compound = to_unicode(strip_bidi_controls(self.names_in_compound))[0]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "date_of_birth" in update_fields:
            kwargs["update_fields"] = {*update_fields, "birth_year"}
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        # "Today" where the organisation works, as the status change that sets released_on reckons it, whether the
        # edit comes from a page (which activates that time zone), the API or a command (which run in UTC).
        today = timezone.localdate(timezone=self.organization.tzinfo if self.organization_id else None)
        born = self.date_of_birth if isinstance(self.date_of_birth, date) else None  # unparsable: clean_fields says so
        if born and born > today:
            errors.setdefault("date_of_birth", []).append(_("The date of birth cannot be in the future."))
        elif born and today.year - born.year > 120:
            errors.setdefault("date_of_birth", []).append(_("Check the year: that makes the person older than 120."))
        for name in ("recruited_on", "arrived_on", "released_on"):
            value = getattr(self, name)
            if isinstance(value, date) and value > today:
                errors.setdefault(name, []).append(_("This date cannot be in the future."))
        if self.recruited_on and self.arrived_on and self.arrived_on < self.recruited_on:
            errors.setdefault("arrived_on", []).append(_("Arrival cannot be before recruitment."))
        if self.recruited_on and self.released_on and self.released_on < self.recruited_on:
            errors.setdefault("released_on", []).append(_("Release cannot be before recruitment."))
        if self.arrived_on and self.released_on and self.released_on < self.arrived_on:
            errors.setdefault("released_on", []).append(_("Release cannot be before arrival."))
        if self.ransom_amount is not None and not self.ransom_demanded:
            errors.setdefault("ransom_amount", []).append(_("Tick “ransom demanded” or leave the amount empty."))
        if self.ransom_amount is not None and not self.ransom_currency:
            errors.setdefault("ransom_currency", []).append(_("Give the currency of the ransom amount."))
        if self.ransom_currency and not (len(self.ransom_currency) == 3 and self.ransom_currency.isalpha()):
            errors.setdefault("ransom_currency", []).append(_("Use a three-letter currency code such as USD or THB."))
        if self.status == self.Status.CLOSED and not self.closed_reason.strip():
            errors.setdefault("closed_reason", []).append(_("Say why the case is closed."))
        if self.consent != self.Consent.NONE and not self.consent_given_by:
            errors.setdefault("consent_given_by", []).append(_("Say who gave consent."))
        if self.compound_id and self.border_region_id and self.compound.region_id not in (None, self.border_region_id):
            errors.setdefault("border_region", []).append(
                _("The compound is in %(region)s; choose that region or leave it empty.")
                % {"region": self.compound.region}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def name_reading(self) -> str:
        """The Latin reading of a name written in another script ("李伟" -> "Li Wei"); "" for a Latin name."""
        name = self.full_name or ""
        if not any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in name):
            return ""  # Latin letters, with or without tone marks: shown as written
        reading = latin_reading(name)
        return "" if reading.casefold() == name.casefold() else reading

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def age(self) -> int | None:
        """Age in years today: from the date of birth when known, else the estimate."""
        if self.date_of_birth:
            today = date.today()
            born = self.date_of_birth
            return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return self.estimated_age
