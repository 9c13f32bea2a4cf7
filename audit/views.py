"""The audit trail page: an organisation admin reads their organisation's audit entries, filtered.

Only entries whose `organization` is the one the admin works in are ever loaded (the filter is applied before any
user-chosen filter), so an admin of one organisation never sees another's entries, even by crafting the URL.
"""

import ast
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.decorators import organization_required
from accounts.models import User
from accounts.permissions import Action, require_request

from .models import AuditEntry, DataAccessLog
from .models.entries import MASK
from .trail import AUDITED

PAGE_SIZE = 50


def audited_content_types() -> list[ContentType]:
    models = [*AUDITED, DataAccessLog]
    by_model = ContentType.objects.get_for_models(*models)
    return sorted(by_model.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("", _("Any")), *AuditEntry.Action.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone who was ever a member (also removed ones: their entries stay), never another organisation's people.
        self.fields["actor"].queryset = User.objects.filter(memberships__organization=organization).order_by(
            "display_name", "email"
        )
        self.fields["actor"].label_from_instance = lambda user: user.display_name or user.email
        self.content_types = {str(ct.pk): ct for ct in audited_content_types()}
        self.fields["record_type"].choices = [("", _("Any"))] + [
            (key, str(ct.model_class()._meta.verbose_name).capitalize()) for key, ct in self.content_types.items()
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filter(self, queryset, *, tzinfo):
        data = self.cleaned_data
        if data.get("actor"):
            queryset = queryset.filter(actor=data["actor"])
        if data.get("record_type"):
            queryset = queryset.filter(content_type=self.content_types[data["record_type"]])
        if data.get("action") is not None:
            queryset = queryset.filter(action=data["action"])
        if data.get("date_from"):
            queryset = queryset.filter(timestamp__gte=datetime.combine(data["date_from"], time.min, tzinfo))
        if data.get("date_to"):
            end = datetime.combine(data["date_to"], time.min, tzinfo) + timedelta(days=1)
            queryset = queryset.filter(timestamp__lt=end)
        return queryset


def _shown(value, field=None) -> str:
    """A stored value as the reader's language says it: a choice's label, Yes/No, "[hidden]" translated."""
    if value in (None, "", "None", "[]"):
        return "—"
    if value == MASK:
        return str(_("[hidden]"))
    if isinstance(value, bool) or value in ("True", "False"):
        return str(_("Yes") if value in ("True", True) else _("No"))
    choices = dict(getattr(field, "flatchoices", None) or ())
    if not choices:
        return str(value)
    codes = value
    if isinstance(value, str) and value.startswith("["):  # a multiple choice, stored as "['debts', 'threats']"
        try:
            codes = ast.literal_eval(value)
        except (SyntaxError, ValueError):
            codes = value
    if isinstance(codes, list | tuple):
        return ", ".join(str(choices.get(code, code)) for code in codes)
    return str(choices.get(value, value))


LIST_VIEWS = {
    "victim_list": _("case list"),
    "request_list": _("requests list"),
    "referral_list": _("referrals list"),
    "my_work": _("My work"),
    "team": _("Team"),
    "intake_duplicates": _("possible duplicates at intake"),
    "admin_list": _("admin list"),
    "admin_change": _("admin page"),
}


def _describe(entry: AuditEntry) -> list[str]:
    """What an entry says, in a line per item: changed fields with (masked) values, or what was read."""
    lines = []
    if entry.action == AuditEntry.Action.ACCESS:
        extra = entry.additional_data or {}
        if "note_ids" in extra:
            lines.append(
                _("%(view)s; %(notes)s notes shown (%(restricted)s restricted)")
                % {
                    "view": {"case_page": _("case page"), "edit_page": _("edit page")}.get(extra.get("view"), ""),
                    "notes": len(extra.get("note_ids") or []),
                    "restricted": extra.get("restricted_notes_shown", 0),
                }
            )
        elif "ids" in extra:  # a list page: which rows it showed (case numbers, never names)
            shown = extra.get("shown") or [str(pk) for pk in extra["ids"]]
            lines.append(
                _("%(view)s; %(count)s shown: %(rows)s")
                % {
                    "view": LIST_VIEWS.get(extra.get("view"), extra.get("view", "")),
                    "count": len(shown),
                    "rows": ", ".join(shown),
                }
            )
        elif extra.get("dataset"):
            lines.append(
                _("%(dataset)s (%(format)s), %(count)s rows")
                % {"dataset": extra["dataset"], "format": extra.get("format", ""), "count": extra.get("object_count")}
            )
        return lines
    model = entry.content_type.model_class()
    for field_name, values in (entry.changes or {}).items():
        try:
            field = model._meta.get_field(field_name) if model else None
        except Exception:  # noqa: BLE001 - a field removed since the entry was written
            field = None
        if field is not None and field.auto_created and not field.concrete:
            continue  # the other side of a relation ("notes: cases.CaseNote.None"): the note has its own entry
        label = str(field.verbose_name) if field is not None else field_name
        if isinstance(values, list | tuple) and len(values) == 2:
            old, new = values
            lines.append(f"{label}: {_shown(old, field)} → {_shown(new, field)}")
        else:
            lines.append(label)
    return lines


@require_GET
@organization_required
def audit_log(request):
    """The organisation's audit trail, newest first, 50 per page, filtered by who, record type, action, dates."""
    require_request(request, Action.VIEW_AUDIT)
    organization = request.organization
    form = AuditFilterForm(request.GET or None, organization=organization)
    entries = (
        AuditEntry.objects.visible_to(organization)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    if form.is_bound and form.is_valid():
        entries = form.filter(entries, tzinfo=organization.tzinfo)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "record_type": str(entry.content_type.model_class()._meta.verbose_name).capitalize()
            if entry.content_type.model_class()
            else entry.content_type.model,
            "lines": _describe(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page_obj": page, "rows": rows, "now": timezone.now()},
    )
