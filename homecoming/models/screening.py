"""A victim-identification interview, the national referral (NRM) it leads to and what the person needs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from multiselectfield import MultiSelectField

from accounts.scoping import OrganizationOwned
from core.fields import SecretTextField
from places.codes import LANGUAGE_CHOICES
from places.models import Agency


class ScreeningOutcome(models.TextChoices):
    IDENTIFIED = "identified", _("Identified as a victim of trafficking")
    NOT_IDENTIFIED = "not_identified", _("Not identified")
    REFERRED = "referred", _("Referred elsewhere")
    DECLINED = "declined", _("Declined by the person")


class Need(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    SHELTER = "shelter", _("Shelter")
    LEGAL = "legal", _("Legal help")
    DOCUMENTS = "documents", _("Documents")
    CALL_HOME = "call_home", _("A call home")


class Screening(OrganizationOwned):
    """One screening of one person: when, by whom or which agency, in which language, with what outcome."""

    Outcome = ScreeningOutcome
    Need = Need

    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="screenings")
    screened_at = models.DateTimeField(_("screened"), default=timezone.now)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screened by"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("screening agency")
    )
    interpreter_language = models.CharField(
        _("interpreter's language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ScreeningOutcome)
    notes = SecretTextField(_("screening notes"))
    nrm_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("national referral to"),
    )
    nrm_reference = models.CharField(_("national referral reference"), max_length=100, blank=True)
    nrm_referred_on = models.DateField(_("referred on"), null=True, blank=True)
    needs = MultiSelectField(_("needs"), choices=Need, max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=ScreeningOutcome.values), name="screening_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(screened_by__isnull=False) | models.Q(agency__isnull=False),
                name="screening_has_screener",
            ),
        ]
        indexes = [models.Index(fields=["organization", "victim"], name="screening_org_victim")]

    def __str__(self) -> str:
        return _("Screening of %(case)s") % {"case": self.victim}
