"""The manifest downloads: printable page, PDF and CSV. Each is written to the export log before it leaves."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import permission_required
from accounts.permissions import Action
from audit.models import DataAccessLog
from cases.exports import csv_lines
from core.client_ip import client_ip

from .manifest import manifest_csv_rows, manifest_header, manifest_pdf, manifest_rows
from .models import RepatriationBatch


def _log(request, batch, rows, file_format: str) -> None:
    bases: dict[str, int] = {}
    for row in rows:
        bases[row.basis] = bases.get(row.basis, 0) + 1
    DataAccessLog.objects.create(
        kind=DataAccessLog.Kind.MANIFEST,
        user=request.user,
        organization=request.organization,
        object_count=len(rows),
        detail={"dataset": "manifest", "batch": batch.pk, "format": file_format, "consent_bases": bases},
        ip_address=client_ip(request),
    )


def _file_name(request, batch, extension: str) -> str:
    return f"homeward-{request.organization.slug}-manifest-{batch.pk}-{batch.departs_on.isoformat()}.{extension}"


def _prepare(request, batch_pk, file_format):
    batch = get_object_or_404(
        RepatriationBatch.objects.visible_to(request.organization).select_related("agency"), pk=batch_pk
    )
    rows = manifest_rows(batch)
    _log(request, batch, rows, file_format)
    return batch, rows


@require_GET
@permission_required(Action.DOWNLOAD_MANIFEST)
def manifest_page(request, batch_pk):
    batch, rows = _prepare(request, batch_pk, "html")
    response = render(
        request,
        "homecoming/manifest.html",
        {"batch": batch, "rows": rows, "organization": request.organization, "generated_at": timezone.now()},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(Action.DOWNLOAD_MANIFEST)
def manifest_pdf_view(request, batch_pk):
    batch, rows = _prepare(request, batch_pk, "pdf")
    pdf = manifest_pdf(batch=batch, rows=rows, organization=request.organization, generated_at=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(request, batch, "pdf")}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(Action.DOWNLOAD_MANIFEST)
def manifest_csv(request, batch_pk):
    batch, rows = _prepare(request, batch_pk, "csv")
    response = StreamingHttpResponse(
        csv_lines(header=manifest_header(), rows=manifest_csv_rows(rows), organization=request.organization),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(request, batch, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response
