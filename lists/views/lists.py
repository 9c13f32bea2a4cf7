"""Uploading a list (or a case spreadsheet) with the mapping confirmed, the list page and its status poll."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import organization_required, permission_required
from accounts.permissions import Action, request_can
from audit.trail import record_reads

from .. import chunks, reports, uploads
from ..case_imports import cases_import
from ..forms import CaseUploadForm, MappingForm, UploadForm
from ..models import ReleasedList
from ..reading import MappingError, UnreadableFile, guess_mapping, read_table
from ..services import list_import

PREVIEW_ROWS = 5
SHOWN_MESSAGES = 200


def visible_list(request, pk: int) -> ReleasedList:
    return get_object_or_404(ReleasedList.objects.visible_to(request.membership), pk=pk)


@require_GET
@organization_required
def list_index(request):
    lists = list(ReleasedList.objects.visible_to(request.membership).select_related("organization")[:100])
    for released_list in lists:
        released_list.progress = chunks.progress(released_list, request.organization)
    return render(
        request,
        "lists/list_index.html",
        {"lists": lists, "can_import": request_can(request, Action.IMPORT_LISTS), "tab": "lists"},
    )


def _read_upload(request, form):
    upload = form.cleaned_data["file"]
    try:
        data = upload.read()
        table = read_table(data, upload.name)
    except UnreadableFile as error:
        form.add_error("file", str(error))
        return None
    uploads.keep(data, table.sha256)
    return table


def _mapping_page(request, table, initial, *, template, post_form=None):
    form = post_form or MappingForm(initial=initial, headers=table.headers, guess=guess_mapping(table.headers))
    preview = [[str(c) if c is not None else "" for c in cells] for _line, cells in table.rows[:PREVIEW_ROWS]]
    return render(request, template, {"form": form, "table": table, "preview": preview, "tab": "lists"})


@require_http_methods(["GET", "POST"])
@permission_required(Action.IMPORT_LISTS)
def upload(request):
    """Step one: the file and where it came from. Step two (the same URL): confirm or change the columns."""
    if request.method == "POST" and "upload" in request.POST:
        return _confirm_list(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        table = _read_upload(request, form)
        if table is not None:
            initial = {**form.cleaned_data, "upload": table.sha256, "file_name": table.filename}
            initial.pop("file")
            return _mapping_page(request, table, initial, template="lists/mapping.html")
    return render(request, "lists/upload.html", {"form": form, "tab": "lists"})


def _table_again(form):
    try:
        data = uploads.load(form.cleaned_data["upload"])
    except (FileNotFoundError, ValueError):
        return None
    return read_table(data, form.cleaned_data["file_name"])


def _confirm_list(request):
    bare = MappingForm(request.POST)
    bare.is_valid()  # only the hidden fields, to find the upload again
    table = _table_again(bare) if "upload" in bare.cleaned_data and "file_name" in bare.cleaned_data else None
    if table is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("lists:upload")
    form = MappingForm(request.POST, headers=table.headers)
    if not form.is_valid():
        return _mapping_page(request, table, {}, template="lists/mapping.html", post_form=form)
    data = form.cleaned_data
    try:
        result = list_import(
            organization=request.organization,
            uploaded_by=request.user,
            table=table,
            mapping=form.mapping(),
            source=data["source"],
            kind=data["kind"] or ReleasedList.Kind.RELEASED,
            published=data["published"],
            shared_with_all=data["shared_with_all"],
        )
    except (MappingError, ValidationError) as error:
        form.add_error(None, "; ".join(getattr(error, "messages", [str(error)])))
        return _mapping_page(request, table, {}, template="lists/mapping.html", post_form=form)
    uploads.discard(table.sha256)
    if not result.created:
        messages.info(request, _("This file was already imported: it is the list below, not a new one."))
    return redirect("lists:list_detail", list_pk=result.released_list.pk)


@require_GET
@organization_required
def list_detail(request, list_pk: int):
    released_list = visible_list(request, list_pk)
    entries_with_errors = list(released_list.entries.filter(has_errors=True)[:SHOWN_MESSAGES])
    unknown = list(reports.unmatched_entries(released_list, request.organization)[:100])
    for entry in unknown:
        entry.shown_name, entry.zawgyi = entry.readable_name()
    record_reads(request, [*entries_with_errors, *unknown], view="list_detail", organization_id=request.organization.pk)
    return render(
        request,
        "lists/list_detail.html",
        {
            "list": released_list,
            "progress": chunks.progress(released_list, request.organization),
            "counts": reports.counts(released_list, request.organization),
            "entries_with_errors": entries_with_errors,
            "unknown": unknown,
            "can_review": request_can(request, Action.REVIEW_MATCHES),
            "can_create": request_can(request, Action.CREATE),
            "tab": "lists",
        },
    )


@require_GET
@organization_required
def list_status(request, list_pk: int):
    """Matching progress as JSON, for the list page's poll (static/js/list_progress.js)."""
    released_list = visible_list(request, list_pk)
    state = chunks.progress(released_list, request.organization)
    counts = reports.counts(released_list, request.organization) if state["finished"] else {}
    return JsonResponse({**state, "suggestions": counts.get("suggestions"), "unknown": counts.get("unknown")})


@require_http_methods(["GET", "POST"])
@permission_required(Action.IMPORT_LISTS)
def case_upload(request):
    """Import existing case files: upload, confirm the columns, then every row becomes a case or none does."""
    if request.method == "POST" and "upload" in request.POST:
        bare = MappingForm(request.POST)
        bare.is_valid()
        table = _table_again(bare) if "upload" in bare.cleaned_data and "file_name" in bare.cleaned_data else None
        if table is None:
            messages.error(request, _("The uploaded file is no longer here; upload it again."))
            return redirect("lists:case_upload")
        form = MappingForm(request.POST, headers=table.headers)
        if not form.is_valid():
            return _mapping_page(request, table, {}, template="lists/case_mapping.html", post_form=form)
        try:
            report = cases_import(
                organization=request.organization, imported_by=request.user, table=table, mapping=form.mapping()
            )
        except MappingError as error:
            form.add_error(None, str(error))
            return _mapping_page(request, table, {}, template="lists/case_mapping.html", post_form=form)
        if report.ok:
            uploads.discard(table.sha256)
        return render(request, "lists/case_report.html", {"report": report, "table": table, "tab": "lists"})
    form = CaseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        table = _read_upload(request, form)
        if table is not None:
            initial = {"upload": table.sha256, "file_name": table.filename}
            return _mapping_page(request, table, initial, template="lists/case_mapping.html")
    return render(request, "lists/case_upload.html", {"form": form, "tab": "lists"})
