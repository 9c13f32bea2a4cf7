"""The manifest downloads: printable page, PDF and CSV. Each is written to the export log before it leaves.

The page and the CSV are made in the request; the PDF by a worker (homecoming/manifest_exports.py).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import permission_required
from accounts.permissions import Action
from audit.models import DataAccessLog
from cases.exports import csv_lines
from core.client_ip import client_ip

from . import manifest_exports
from .manifest import manifest_csv_rows, manifest_header, manifest_rows
from .models import ManifestExport, RepatriationBatch


def _log(request, batch, rows, file_format: str) -> None:
    bases = manifest_exports.consent_bases(rows)
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
    batch = _batch(request, batch_pk)
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


def _batch(request, batch_pk):
    return get_object_or_404(
        RepatriationBatch.objects.visible_to(request.organization).select_related("agency"), pk=batch_pk
    )


@require_http_methods(["GET", "POST"])
@permission_required(Action.DOWNLOAD_MANIFEST)
def manifest_pdf_view(request, batch_pk):
    """The PDF is made by a worker: POST asks for it; GET shows "being prepared", then the download link."""
    batch = _batch(request, batch_pk)
    if request.method == "POST":
        manifest_exports.manifest_pdf_request(batch=batch, requested_by=request.user)
        return redirect("homecoming:manifest_pdf", batch_pk=batch.pk)
    export = (
        ManifestExport.objects.visible_to(request.organization)
        .filter(batch=batch, requested_by=request.user)
        .order_by("-requested_at", "-pk")
        .first()
    )
    response = render(request, "homecoming/manifest_pdf.html", {"batch": batch, "export": export})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(Action.DOWNLOAD_MANIFEST)
def manifest_pdf_download(request, batch_pk):
    """The requester's ready PDF of this batch, once; it is deleted as it is sent and the download is logged."""
    batch = _batch(request, batch_pk)
    export = (
        ManifestExport.objects.visible_to(request.organization)
        .filter(batch=batch, requested_by=request.user, status=ManifestExport.Status.READY)
        .order_by("-ready_at", "-pk")
        .first()
    )
    if export is None:
        raise Http404("no manifest PDF ready")
    try:
        pdf = manifest_exports.manifest_pdf_download(export=export, user=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("homecoming:manifest_pdf", batch_pk=batch.pk)
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
