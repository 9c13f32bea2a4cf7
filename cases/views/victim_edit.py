"""Editing a person's details: a save based on an old version is refused and the differences are shown."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.decorators import organization_required
from audit import trail as audit

from .. import services
from ..forms import VictimEditForm, add_service_errors
from ..models import StaleRecordError, Victim
from .case_page import back_to_case, victim_or_404


def _display(form: VictimEditForm, name: str, value) -> str:
    """A field's value as a person reads it (choice labels, dates), for the conflict comparison."""
    if value in (None, "", [], ()):
        return "—"
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = dict(getattr(form.fields[name], "choices", []) or [])
    if isinstance(value, list | tuple | set):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def _conflicts(form: VictimEditForm, stored: Victim) -> list[dict]:
    """Fields where what is stored now differs from what the user typed."""
    rows = []
    for name in form.changes():
        typed = form.cleaned_data[name]
        current = getattr(stored, name)
        if isinstance(current, list | tuple):
            same = sorted(current) == sorted(typed or [])
        else:
            same = current == typed or (current in (None, "") and typed in (None, ""))
        if not same:
            rows.append(
                {
                    "field": form[name],
                    "stored": _display(form, name, current),
                    "typed": _display(form, name, typed),
                }
            )
    return rows


@organization_required
def victim_edit(request, pk: int):
    """Edit the person's details. A save based on an old version is refused and the differences are shown."""
    victim = victim_or_404(request, pk)
    conflicts = None
    if request.method == "POST":
        form = VictimEditForm(request.POST, instance=victim)
        if form.is_valid():
            fresh = victim_or_404(request, pk)
            try:
                services.victim_update(
                    victim=fresh,
                    editor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except StaleRecordError:
                stored = victim_or_404(request, pk)
                conflicts = _conflicts(form, stored)
                # Keep everything typed; the form now carries the stored version, so saving again applies it.
                data = request.POST.copy()
                data["version"] = stored.version
                form = VictimEditForm(data, instance=stored)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved this case while you were editing it. Nothing you typed is lost: "
                        "compare with what is stored now below, then save again to keep your version."
                    ),
                )
                victim = stored
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Details saved."))
                return back_to_case(victim, "summary")
    elif request.method == "GET":
        form = VictimEditForm(instance=victim)
        audit.record_case_read(request, victim, view="edit_page")
    else:
        return HttpResponseBadRequest()
    return render(request, "cases/victim_edit.html", {"victim": victim, "form": form, "conflicts": conflicts})
