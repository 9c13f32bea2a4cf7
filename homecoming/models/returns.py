"""After return: the organisation's settings, follow-up contacts, re-trafficking flags, sightings on lists."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from multiselectfield import MultiSelectField

from accounts.scoping import OrganizationOwned
from core.fields import SecretTextField


class ReturnSettings(OrganizationOwned):
    """An organisation's homecoming settings; an organisation without a row gets the defaults."""

    follow_up_days = models.CharField(
        _("follow-up contacts after return (days)"),
        max_length=60,
        default="30,90",
        help_text=_("Days after arrival, separated by commas, e.g. 30,90."),
    )
    stuck_after_days = models.PositiveSmallIntegerField(
        _("a batch member is stuck after (days without a step)"), default=7
    )
    missing_after_days = models.PositiveSmallIntegerField(
        _("missing in transit after (days)"),
        default=7,
        help_text=_("On a released list, on no arrival list and not heard from for this many days."),
    )

    class Meta:
        verbose_name = _("homecoming settings")
        verbose_name_plural = _("homecoming settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="returnsettings_one_per_org")]

    def __str__(self) -> str:
        return str(_("Homecoming settings"))

    def follow_up_offsets(self) -> list[int]:
        days = []
        for part in self.follow_up_days.split(","):
            part = part.strip()
            if part.isdigit() and 0 < int(part) <= 3650:
                days.append(int(part))
        return sorted(set(days))

    def clean(self):
        from django.core.exceptions import ValidationError

        parts = [p.strip() for p in self.follow_up_days.split(",") if p.strip()]
        if not parts or any(not p.isdigit() or not 0 < int(p) <= 3650 for p in parts):
            raise ValidationError({"follow_up_days": _("Give whole days between 1 and 3650, e.g. 30,90.")})

    @classmethod
    def for_organization(cls, organization_id: int) -> "ReturnSettings":
        found = cls.objects.filter(organization_id=organization_id).first()
        return found or cls(organization_id=organization_id)


class FollowUpReason(models.TextChoices):
    SCHEDULED = "scheduled", _("Contact after return")
    RISK = "risk", _("Re-trafficking risk")


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, doing well")
    REACHED_NEEDS_HELP = "needs_help", _("Reached, needs help")
    UNREACHABLE = "unreachable", _("Could not be reached")


class ReturnFollowUp(OrganizationOwned):
    """A contact due with a returned person; the follow-up engine reminds until it is done."""

    Reason = FollowUpReason
    Outcome = FollowUpOutcome

    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="return_follow_ups")
    member = models.ForeignKey(
        "homecoming.BatchMember", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=FollowUpReason, default=FollowUpReason.SCHEDULED)
    days_after_return = models.PositiveSmallIntegerField(_("days after return"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome, blank=True)
    note = SecretTextField(_("note"))

    class Meta:
        verbose_name = _("follow-up after return")
        verbose_name_plural = _("follow-ups after return")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "days_after_return"],
                condition=models.Q(reason="scheduled"),
                name="returnfollowup_one_per_offset",
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True) | ~models.Q(outcome=""), name="returnfollowup_done_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["done_at", "due_at"], name="returnfollowup_due")]

    def __str__(self) -> str:
        return _("Follow-up of %(case)s due %(due)s") % {"case": self.victim, "due": self.due_at.date()}


class RiskSign(models.TextChoices):
    RECRUITED_AGAIN = "recruited_again", _("Recruited again")
    DEBTS = "debts", _("Debts")
    THREATS = "threats", _("Threats")
    OTHER = "other", _("Other sign")


class RetraffickingFlag(OrganizationOwned):
    """Signs that a returned person is at risk of being trafficked again; open until someone resolves it."""

    Sign = RiskSign

    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="retrafficking_flags")
    signs = MultiSelectField(_("signs"), choices=RiskSign, max_length=60)
    note = SecretTextField(_("note"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("re-trafficking risk flag")
        verbose_name_plural = _("re-trafficking risk flags")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return _("Risk flag on %(case)s") % {"case": self.victim}


class ListKind(models.TextChoices):
    RELEASED = "released", _("Released")
    ARRIVED = "arrived", _("Arrived")
    REPATRIATED = "repatriated", _("Repatriated")
    OTHER = "other", _("Other")


class ListSighting(OrganizationOwned):
    """A confirmed match of a case on a published list (sent by the lists app through `list_match_confirmed`)."""

    Kind = ListKind

    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="list_sightings")
    list_kind = models.CharField(_("list kind"), max_length=12, choices=ListKind)
    entry_id = models.PositiveBigIntegerField(_("list entry"))
    published_on = models.DateField(_("list published"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("list sighting")
        verbose_name_plural = _("list sightings")
        ordering = ["-confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["victim", "entry_id"], name="listsighting_once_per_entry")]

    def __str__(self) -> str:
        return f"{self.victim} {self.list_kind}"
