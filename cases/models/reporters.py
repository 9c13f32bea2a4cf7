"""Who told us about the person: a relative, a friend, a hotline, another NGO."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import SecretTextField
from core.names.zawgyi import to_unicode
from core.text import SHORT_TEXT_MAX_CHARS, max_chars, strip_bidi_controls
from places.codes import LANGUAGE_CHOICES

from .base import OrganizationOwned, Timestamped
from .victims import Victim


class Reporter(OrganizationOwned, Timestamped):
    """Who told us about the person: a relative, a friend, a hotline, another NGO."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        SPOUSE = "spouse", _("Spouse or partner")
        SIBLING = "sibling", _("Sibling")
        CHILD = "child", _("Child")
        OTHER_RELATIVE = "relative", _("Other relative")
        FRIEND = "friend", _("Friend")
        SELF = "self", _("The person themself")
        HOTLINE = "hotline", _("Hotline")
        NGO = "ngo", _("Another NGO")
        AUTHORITY = "authority", _("Authority")
        OTHER = "other", _("Other")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="reporters", verbose_name=_("case"))
    # Encrypted at rest: a reporter is usually family, and language and contact times say who and where they are.
    name = SecretTextField(_("name"), max_length=200, blank=False)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship)
    contact_channels = SecretTextField(
        _("contact channels"),
        help_text=_("Phone, messaging handles; one per line."),
        validators=[max_chars(SHORT_TEXT_MAX_CHARS)],
    )
    language = SecretTextField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    safe_to_contact = models.BooleanField(_("safe to contact"), null=True, blank=True)
    safe_contact_times = SecretTextField(_("when it is safe to contact"), max_length=200)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")
        ordering = ["created_at"]

    def save(self, *args, **kwargs):
        self.name = to_unicode(strip_bidi_controls(self.name))[0]  # as for the person's own name (Victim.save)
        return super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} ({self.victim})"
