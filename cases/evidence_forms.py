"""The case page's evidence form: files from the gallery or the camera, optionally on one of the case's notes."""

from django import forms
from django.conf import settings
from django.db.models import Subquery
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.text import SHORT_TEXT_MAX_CHARS

from .models import CaseNote

ACCEPT = "image/*,audio/*,application/pdf"
RECENT_NOTES = 50  # the notes offered to attach to, newest first


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the list may be empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class NoteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, note: CaseNote) -> str:
        when = date_format(timezone.localtime(note.occurred_at), "SHORT_DATETIME_FORMAT")
        return f"{when} · {note.get_kind_display()}"


class EvidenceForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("Photos, screenshots, PDFs or voice messages; you may choose several."),
    )
    camera = forms.FileField(
        label=_("Or take a photo now"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = NoteChoiceField(
        label=_("Attach to"), queryset=CaseNote.objects.none(), required=False, empty_label=_("The case itself")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=SHORT_TEXT_MAX_CHARS,
        help_text=_("Optional, e.g. “passport, photo page”. Stored encrypted."),
    )

    def __init__(self, *args, victim, can_restrict: bool, **kwargs):
        super().__init__(*args, **kwargs)
        notes = CaseNote.objects.filter(victim=victim).order_by("-occurred_at", "-pk")
        if not can_restrict:
            notes = notes.filter(is_restricted=False)
        # the newest notes as a subquery: the page asks once for the options, not first for their ids
        self.fields["note"].queryset = notes.filter(pk__in=Subquery(notes.values("pk")[:RECENT_NOTES]))
        limit = filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES)
        self.fields["files"].help_text = _(
            "Photos, screenshots, PDFs or voice messages; you may choose several, each at most %(limit)s. "
            "Location and camera details are removed from photos."
        ) % {"limit": limit}

    def clean(self):
        cleaned = super().clean()
        chosen = [*cleaned.get("files", []), *([cleaned["camera"]] if cleaned.get("camera") else [])]
        if not chosen and not self.errors:
            self.add_error("files", _("Choose at least one file, or take a photo."))
        limit = settings.EVIDENCE_MAX_FILES_PER_UPLOAD
        if len(chosen) > limit:
            self.add_error("files", _("Add at most %(limit)d files at a time.") % {"limit": limit})
        cleaned["chosen"] = chosen
        return cleaned
