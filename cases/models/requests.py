"""Rescue requests (the open asks to get one person out) and referrals of a case to agencies."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationScopedQuerySet
from core.fields import SecretTextField
from core.text import LONG_TEXT_MAX_CHARS, max_chars
from places.models import Agency

from .base import OrganizationOwned, Timestamped, Versioned
from .victims import Victim


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class RescueRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESCUED = "rescued", _("Rescued")
    CLOSED_UNSUCCESSFUL = "closed_unsuccessful", _("Closed unsuccessful")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REQUEST_STATUSES = (RescueRequestStatus.OPEN, RescueRequestStatus.IN_PROGRESS)


def open_condition(prefix: str = "") -> models.Q:
    """ "Open request", defined once: open or in progress. `prefix` reaches the request through a relation."""
    return models.Q(**{f"{prefix}status__in": OPEN_REQUEST_STATUSES})


def overdue_condition(now, prefix: str = "") -> models.Q:
    """ "Overdue", defined once: the follow-up time has come (`<=`: due at 09:00 is overdue at 09:00).

    The sweeps remind at the same moment the pages start calling the request overdue. Combine with
    `open_condition()` (closed requests are never overdue); `RescueRequest.objects.overdue()` does both.
    """
    return models.Q(**{f"{prefix}next_follow_up_at__lte": now})


class RescueRequestQuerySet(OrganizationScopedQuerySet):
    def open(self):
        return self.filter(open_condition())

    def overdue(self, *, now):
        return self.open().filter(overdue_condition(now))


class RescueRequest(OrganizationOwned, Versioned, Timestamped):
    """An open ask to get one person out, chased until it is closed."""

    Priority = Priority
    Status = RescueRequestStatus
    OPEN_STATUSES = OPEN_REQUEST_STATUSES

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="rescue_requests", verbose_name=_("case"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=RescueRequestStatus, default=RescueRequestStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_rescue_requests",
        verbose_name=_("assigned caseworker"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, validators=[max_chars(LONG_TEXT_MAX_CHARS)])
    next_follow_up_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    last_update_at = models.DateTimeField(_("last update"), null=True, blank=True)

    objects = RescueRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rescue request")
        verbose_name_plural = _("rescue requests")
        ordering = ["next_follow_up_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="rescuerequest_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RescueRequestStatus.values), name="rescuerequest_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OPEN_REQUEST_STATUSES, closed_at__isnull=True)
                | (~models.Q(status__in=OPEN_REQUEST_STATUSES) & models.Q(closed_at__isnull=False)),
                name="rescuerequest_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=OPEN_REQUEST_STATUSES) | models.Q(next_follow_up_at__isnull=False),
                name="rescuerequest_open_has_follow_up",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("opened_at")),
                name="rescuerequest_closed_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_follow_up_at"], name="rescuerequest_due"),
            models.Index(fields=["organization", "status", "priority"], name="rescuerequest_org_status"),
            models.Index(fields=["assigned_to", "status", "next_follow_up_at"], name="rescuerequest_assigned_due"),
            # Team's open and overdue requests per member, counted from the index alone (with the scoping's org)
            models.Index(
                fields=["assigned_to", "organization", "status", "next_follow_up_at"],
                name="rescuerequest_assigned_org_due",
            ),
        ]

    def __str__(self) -> str:
        return _("Rescue request #%(id)s for %(case)s") % {"id": self.pk or "–", "case": self.victim}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def days_overdue(self, *, now) -> int:
        """Whole days past the follow-up due time; 0 when not yet due or closed."""
        if not self.is_open or self.next_follow_up_at is None or self.next_follow_up_at >= now:
            return 0
        return (now - self.next_follow_up_at).days


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTING = "acting", _("Acting")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentBasis(models.TextChoices):
    NO_IDENTITY = "no_identity", _("No identity shared")
    CONSENT = "consent", _("Consent of the person (or family/guardian)")
    VITAL_INTEREST = "vital_interest", _("Vital-interest override")


SENT_REFERRAL_STATUSES = tuple(s for s in ReferralStatus if s not in (ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN))
AWAITING_RESPONSE_STATUSES = (ReferralStatus.SENT, ReferralStatus.NO_RESPONSE)
CLOSED_REFERRAL_STATUSES = (
    ReferralStatus.COMPLETED,
    ReferralStatus.DECLINED,
    ReferralStatus.WITHDRAWN,
)


class AgencyReferral(OrganizationOwned, Timestamped):
    """The case sent to an agency. Only the sending organisation changes it."""

    Status = ReferralStatus
    ConsentBasis = ConsentBasis
    AWAITING_RESPONSE_STATUSES = AWAITING_RESPONSE_STATUSES
    DEFAULT_RESPONSE_DAYS = 3

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case"))
    rescue_request = models.ForeignKey(
        RescueRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("rescue request"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("agency"))
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus, default=ReferralStatus.DRAFT)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sent_referrals",
        verbose_name=_("sent by"),
    )
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    agency_reference = models.CharField(_("agency's reference"), max_length=100, blank=True)
    shared_information = SecretTextField(_("what was shared"), validators=[max_chars(LONG_TEXT_MAX_CHARS)])
    shares_identity = models.BooleanField(
        _("shares identity"), default=False, help_text=_("Name, documents, contacts or photos go to the agency.")
    )
    consent_basis = models.CharField(
        _("consent basis"), max_length=20, choices=ConsentBasis, default=ConsentBasis.NO_IDENTITY
    )
    # Free text that names people and circumstances: encrypted at rest like the notes.
    override_reason = SecretTextField(
        _("reason for the vital-interest override"), validators=[max_chars(LONG_TEXT_MAX_CHARS)]
    )
    decline_reason = SecretTextField(_("reason the agency declined"), validators=[max_chars(LONG_TEXT_MAX_CHARS)])
    response_note = SecretTextField(_("agency's response"), validators=[max_chars(LONG_TEXT_MAX_CHARS)])

    class Meta:
        verbose_name = _("agency referral")
        verbose_name_plural = _("agency referrals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(
                condition=models.Q(consent_basis__in=ConsentBasis.values), name="referral_consent_basis_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(shares_identity=False)
                | models.Q(consent_basis=ConsentBasis.CONSENT)
                | (models.Q(consent_basis=ConsentBasis.VITAL_INTEREST) & ~models.Q(override_reason="")),
                name="referral_identity_needs_consent_or_override",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=SENT_REFERRAL_STATUSES) | models.Q(sent_at__isnull=False),
                name="referral_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReferralStatus.DECLINED) | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=CLOSED_REFERRAL_STATUSES) | models.Q(closed_at__isnull=False),
                name="referral_closed_has_closed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "response_due_at"], name="referral_due"),
            models.Index(fields=["organization", "status"], name="referral_org_status"),
        ]

    def __str__(self) -> str:
        return _("Referral of %(case)s to %(agency)s") % {"case": self.victim, "agency": self.agency}

    @property
    def is_awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE_STATUSES
