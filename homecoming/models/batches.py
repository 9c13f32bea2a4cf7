"""Repatriation batches (an embassy or agency, a date, a way home) and the people in them, step by step."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationOwned
from places.codes import CITIZENSHIP_CHOICES
from places.models import Agency, Crossing


class TransportMode(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    BUS = "bus", _("Bus")
    CROSSING = "crossing", _("On foot or by road over a crossing point")


class RepatriationBatch(OrganizationOwned):
    """People going home together, arranged by one embassy or agency on one date."""

    Mode = TransportMode

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("embassy or agency"))
    departs_on = models.DateField(_("departure date"))
    mode = models.CharField(_("transport"), max_length=10, choices=TransportMode, default=TransportMode.FLIGHT)
    reference = models.CharField(
        _("flight, bus or reference"), max_length=60, blank=True, help_text=_("E.g. a flight number.")
    )
    crossing = models.ForeignKey(
        Crossing, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("crossing point")
    )
    destination = models.CharField(_("going to"), max_length=2, choices=CITIZENSHIP_CHOICES, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("repatriation batch")
        verbose_name_plural = _("repatriation batches")
        ordering = ["departs_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(mode__in=TransportMode.values), name="batch_mode_valid")
        ]

    def __str__(self) -> str:
        return _("Batch #%(id)s (%(date)s)") % {"id": self.pk or "–", "date": self.departs_on}


class TravelDocument(models.TextChoices):
    UNKNOWN = "unknown", _("Not known yet")
    HELD = "held", _("Passport held by traffickers")
    RECOVERED = "recovered", _("Passport recovered")
    EMERGENCY = "emergency", _("Emergency travel document issued")


class Clearance(models.TextChoices):
    PENDING = "pending", _("Pending")
    WAIVED = "waived", _("Overstay fine waived")
    PAID = "paid", _("Overstay fine paid")


class Consent(models.TextChoices):
    PENDING = "pending", _("Not asked yet")
    GIVEN = "given", _("Consents to travel")
    REFUSED = "refused", _("Does not consent")


class Fitness(models.TextChoices):
    PENDING = "pending", _("Not examined yet")
    FIT = "fit", _("Fit to travel")
    UNFIT = "unfit", _("Not fit to travel")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("In this batch")
    MOVED = "moved", _("Moved to another batch")
    REMOVED = "removed", _("Removed from the batch")


class ManifestBasis(models.TextChoices):
    """The referral rules (cases/services/referrals.py) applied to the embassy's manifest."""

    NO_IDENTITY = "no_identity", _("No identity shared")
    CONSENT = "consent", _("Consent of the person (or family/guardian)")
    VITAL_INTEREST = "vital_interest", _("Vital-interest override")


class BatchMember(OrganizationOwned):
    """One person in one batch, and where they are on the way home."""

    Document = TravelDocument
    Clearance = Clearance
    Consent = Consent
    Fitness = Fitness
    Status = MemberStatus
    Basis = ManifestBasis

    batch = models.ForeignKey(
        RepatriationBatch, on_delete=models.PROTECT, related_name="members", verbose_name=_("batch")
    )
    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="batch_memberships")
    status = models.CharField(_("status"), max_length=10, choices=MemberStatus, default=MemberStatus.ACTIVE)
    travel_document = models.CharField(
        _("travel document"), max_length=10, choices=TravelDocument, default=TravelDocument.UNKNOWN
    )
    clearance = models.CharField(_("immigration clearance"), max_length=10, choices=Clearance, default="pending")
    consent_to_travel = models.CharField(_("consent to travel"), max_length=10, choices=Consent, default="pending")
    medical_fitness = models.CharField(_("medical fitness"), max_length=10, choices=Fitness, default="pending")
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived home"), null=True, blank=True)
    handed_to = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handed to")
    )
    manifest_basis = models.CharField(
        _("manifest consent basis"), max_length=20, choices=ManifestBasis, default=ManifestBasis.NO_IDENTITY
    )
    override_reason = models.TextField(_("reason for the vital-interest override"), blank=True)
    moved_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("moved to")
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    last_step_at = models.DateTimeField(_("last step"), default=timezone.now)

    class Meta:
        verbose_name = _("batch member")
        verbose_name_plural = _("batch members")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim"], condition=models.Q(status="active"), name="batchmember_one_active_batch"
            ),
            models.CheckConstraint(
                condition=models.Q(arrived_at__isnull=True) | models.Q(departed_at__isnull=False),
                name="batchmember_arrived_after_departed",
            ),
            models.CheckConstraint(
                condition=~models.Q(manifest_basis="vital_interest") | ~models.Q(override_reason=""),
                name="batchmember_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "last_step_at"], name="batchmember_org_stuck")]

    def __str__(self) -> str:
        return _("%(case)s in %(batch)s") % {"case": self.victim, "batch": self.batch}


class Step(models.TextChoices):
    ADDED = "added", _("Added to the batch")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    CLEARANCE = "clearance", _("Immigration clearance")
    CONSENT = "consent_to_travel", _("Consent to travel")
    MEDICAL = "medical_fitness", _("Medical fitness")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived home")
    HANDED_OVER = "handed_to", _("Handed over at home")
    MOVED = "moved", _("Moved to another batch")
    MANIFEST = "manifest_basis", _("Manifest consent basis")


class StepRecord(OrganizationOwned):
    """One recorded step, for the case timeline: which step, its new value (a label, never personal data), who."""

    Step = Step

    member = models.ForeignKey(BatchMember, on_delete=models.CASCADE, related_name="steps")
    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("step"), max_length=20, choices=Step)
    value = models.CharField(_("value"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("batch step")
        verbose_name_plural = _("batch steps")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["victim", "-recorded_at"], name="steprecord_victim_recorded")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.value}"
