"""What is recorded over a case's life: its status changes and its dated notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import SecretTextField
from core.text import LONG_TEXT_MAX_CHARS, max_chars

from .base import OrganizationOwned
from .victims import Victim


class VictimStatusChange(OrganizationOwned):
    """One step in a victim's status history, for the timeline and the weekly digest."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Victim.Status)
    to_status = models.CharField(_("to"), max_length=20, choices=Victim.Status)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["organization", "changed_at"], name="statuschange_org_changed")]

    def __str__(self) -> str:
        return f"{self.victim} {self.from_status} → {self.to_status}"


class CaseNote(OrganizationOwned):
    """A dated entry on a victim's case. Secret; may be restricted to supervisors."""

    class Kind(models.TextChoices):
        CONTACT_PERSON = "contact_person", _("Contact with the person")
        CONTACT_FAMILY = "contact_family", _("Contact with family")
        AGENCY_UPDATE = "agency_update", _("Agency update")
        INTERNAL = "internal", _("Internal")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    rescue_request = models.ForeignKey(
        "cases.RescueRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("rescue request"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.INTERNAL)
    body = SecretTextField(_("note"), blank=False, validators=[max_chars(LONG_TEXT_MAX_CHARS)])
    is_restricted = models.BooleanField(_("restricted to supervisors"), default=False)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    author = models.ForeignKey(  # empty: written by the system (an API key, an agency's response link)
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["contact_person", "contact_family", "agency_update", "internal"]),
                name="casenote_kind_valid",
            )
        ]
        indexes = [models.Index(fields=["victim", "-occurred_at"], name="casenote_victim_occurred")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.victim}"
