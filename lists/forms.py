"""The upload form and the column-mapping confirmation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReleasedList
from .reading import FIELDS
from .reading.rows import FIELD_LABELS


class UploadForm(forms.Form):
    file = forms.FileField(label=_("List file (CSV or XLSX)"))
    source = forms.CharField(label=_("Published by"), max_length=300)
    published = forms.DateField(label=_("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind of list"), choices=ReleasedList.Kind.choices)
    shared_with_all = forms.BooleanField(label=_("Share with every organisation"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not (user and user.is_superuser):
            del self.fields["shared_with_all"]


class CaseUploadForm(forms.Form):
    file = forms.FileField(label=_("Case spreadsheet (CSV or XLSX)"))


FIELD_CHOICES = [("", _("– not imported –"))] + [(f, FIELD_LABELS[f]) for f in FIELDS]


class MappingForm(forms.Form):
    """One choice per column, prefilled with the guess; hidden fields carry the upload and its details."""

    upload = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    source = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    published = forms.DateField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ReleasedList.Kind.choices, required=False, widget=forms.HiddenInput)
    shared_with_all = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, headers=(), guess=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        guess = guess or {}
        for index, heading in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=heading or _("(no heading)"), choices=FIELD_CHOICES, required=False, initial=guess.get(index, "")
            )

    def column_fields(self):
        return [self[f"column_{i}"] for i in range(len(self.headers))]

    def mapping(self) -> dict[int, str]:
        return {
            i: self.cleaned_data[f"column_{i}"] for i in range(len(self.headers)) if self.cleaned_data[f"column_{i}"]
        }
