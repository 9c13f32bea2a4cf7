"""Export pages: the supervisors' CSV/XLSX working exports and the org admins' de-identified statistics.

Every download writes a `DataAccessLog` row (who, when, which export, filters, rows, IP) before the first byte
leaves, so an export interrupted half-way is still on record.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import permission_required
from accounts.permissions import Action, request_can
from audit.models import DataAccessLog
from core.client_ip import client_ip

from .. import exports, statistics

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _file_name(request, name: str, extension: str) -> str:
    # Slug and date only: a file name ends up in download folders and mail attachments, never personal data.
    stamp = timezone.localtime(timezone.now(), request.organization.tzinfo).strftime("%Y-%m-%d-%H%M")
    return f"homeward-{request.organization.slug}-{name}-{stamp}.{extension}"


def _statuses(request, dataset: exports.Dataset) -> list[str]:
    statuses = request.GET.getlist("status")
    unknown = sorted(set(statuses) - set(dataset.statuses.values))
    if unknown:
        raise ValueError(", ".join(unknown))
    return sorted(set(statuses))


@require_GET
@permission_required(Action.EXPORT)
def export_page(request):
    """Links to every export the user may download, with the optional status filter per dataset."""
    return render(
        request,
        "cases/exports.html",
        {
            "datasets": list(exports.DATASETS.values()),
            "can_download_statistics": request_can(request, Action.EXPORT_STATISTICS),
            "min_group": statistics.STATISTICS_MIN_GROUP,
            "recent": DataAccessLog.objects.visible_to(request.organization)
            .select_related("user")
            .order_by("-created_at")[:10],
        },
    )


def _export(request, name: str):
    dataset = exports.DATASETS.get(name)
    if dataset is None:
        raise Http404
    file_format = request.GET.get("format", "csv")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    try:
        statuses = _statuses(request, dataset)
    except ValueError:
        return HttpResponseBadRequest(_("Unknown status in the filter. Go back to the exports page and try again."))
    organization = request.organization
    queryset = exports.export_queryset(dataset=dataset, organization=organization, statuses=statuses)
    DataAccessLog.objects.create(
        kind=DataAccessLog.Kind.EXPORT,
        user=request.user,
        organization=organization,
        object_count=queryset.count(),
        detail={"dataset": dataset.name, "format": file_format, "filters": {"status": statuses}},
        ip_address=client_ip(request),
    )
    header = exports.dataset_header(dataset)
    rows = exports.dataset_rows(dataset=dataset, queryset=queryset)
    if file_format == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(header=header, rows=rows, organization=organization), content_type=CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{_file_name(request, dataset.name, "csv")}"'
        return response
    handle = exports.xlsx_file(title=str(dataset.title), header=header, rows=rows, organization=organization)
    return FileResponse(
        handle, as_attachment=True, filename=_file_name(request, dataset.name, "xlsx"), content_type=XLSX_TYPE
    )


@require_GET
@permission_required(Action.EXPORT)
def export_victims(request):
    return _export(request, "victims")


@require_GET
@permission_required(Action.EXPORT)
def export_requests(request):
    return _export(request, "requests")


@require_GET
@permission_required(Action.EXPORT)
def export_referrals(request):
    return _export(request, "referrals")


@require_GET
@permission_required(Action.EXPORT)
def export_statistics(request):
    """De-identified counts an organisation admin may share outside (see `statistics.statistics`)."""
    if not request_can(request, Action.EXPORT_STATISTICS):
        raise PermissionDenied
    file_format = request.GET.get("format", "csv")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    organization = request.organization
    rows, people = statistics.statistics(organization=organization)
    DataAccessLog.objects.create(
        kind=DataAccessLog.Kind.STATISTICS,
        user=request.user,
        organization=organization,
        object_count=people,
        detail={
            "dataset": "statistics",
            "format": file_format,
            "filters": {},
            "min_group": statistics.STATISTICS_MIN_GROUP,
            "rows": len(rows),
        },
        ip_address=client_ip(request),
    )
    header = statistics.statistics_header()
    if file_format == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(header=header, rows=rows, organization=organization), content_type=CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{_file_name(request, "statistics", "csv")}"'
        return response
    handle = exports.xlsx_file(title=_("Statistics"), header=header, rows=rows, organization=organization)
    return FileResponse(
        handle, as_attachment=True, filename=_file_name(request, "statistics", "xlsx"), content_type=XLSX_TYPE
    )
