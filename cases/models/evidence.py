"""Evidence: a file on a case or on one of its notes (photo, screenshot, PDF, voice message), encrypted at rest.

The row holds what the page shows; the file and its thumbnail are ciphertext in the `evidence` storage
(STORAGES["evidence"]), under random names that say nothing about the case. cases/services/evidence.py writes them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import SecretTextField
from core.text import SHORT_TEXT_MAX_CHARS, max_chars

from .base import OrganizationOwned

# What a stored file may be, by its detected content type: (kind, extension of the download).
STORED_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "image/webp": ("image", "webp"),
    "application/pdf": ("document", "pdf"),
    "audio/ogg": ("audio", "ogg"),
    "audio/mp4": ("audio", "m4a"),
    "audio/aac": ("audio", "aac"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/amr": ("audio", "amr"),
}


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, viewer, *, restricted: bool = False) -> "EvidenceQuerySet":
        """The viewer's organisations' evidence; files on restricted notes only with `restricted=True`."""
        from accounts.scoping import organization_ids_of

        ids = organization_ids_of(viewer)
        rows = self if ids is None else self.filter(organization_id__in=ids)
        return rows if restricted else rows.exclude(note__is_restricted=True)


class Evidence(OrganizationOwned):
    """One file attached to a case, or to a note on it (then it is as restricted as the note)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo or screenshot")
        DOCUMENT = "document", _("PDF document")
        AUDIO = "audio", _("Voice message or recording")

    victim = models.ForeignKey(
        "cases.Victim", on_delete=models.CASCADE, related_name="evidence", verbose_name=_("victim")
    )
    note = models.ForeignKey(
        "cases.CaseNote",
        on_delete=models.CASCADE,  # never SET_NULL: a restricted note's file would become visible to everyone
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("note"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    content_type = models.CharField(_("content type"), max_length=50, help_text=_("Detected from the content."))
    size = models.PositiveIntegerField(_("size in bytes"), help_text=_("Of the stored file, before encryption."))
    original_name = SecretTextField(_("file name"), validators=[max_chars(SHORT_TEXT_MAX_CHARS)])
    description = SecretTextField(_("description"), validators=[max_chars(SHORT_TEXT_MAX_CHARS)])
    stored_name = models.CharField(_("stored as"), max_length=200, editable=False)
    thumbnail_name = models.CharField(_("thumbnail stored as"), max_length=200, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["image", "document", "audio"]), name="evidence_kind_valid"
            ),
            models.UniqueConstraint(fields=["stored_name"], name="evidence_stored_name_unique"),
        ]
        indexes = [models.Index(fields=["victim", "-added_at"], name="evidence_victim_added")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk or '–'}"

    @property
    def is_restricted(self) -> bool:
        return bool(self.note_id and self.note.is_restricted)

    @property
    def extension(self) -> str:
        return STORED_TYPES.get(self.content_type, ("", "bin"))[1]

    @property
    def download_name(self) -> str:
        """The name a download is saved under: the case number and the id, never the original (secret) name."""
        return f"{self.victim.case_number}-evidence-{self.pk}.{self.extension}"
