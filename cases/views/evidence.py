"""Evidence on the case page: the list with thumbnails, adding files, downloading and deleting them.

A file follows its case: another organisation's user gets 404, and a file on a restricted note exists only for
those who may read the note. Every download and thumbnail served is an ACCESS entry in the audit trail.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import organization_required, permission_required
from accounts.permissions import Action, request_can
from audit.models import AuditEntry
from audit.trail import AuditMiddleware

from .. import services
from ..evidence_forms import RECENT_NOTES, EvidenceForm
from ..forms import add_service_errors, offer_choices
from ..models import Evidence, Victim
from ..services import evidence as evidence_files
from . import case_page
from .json_rows import instances, json_rows

EVIDENCE_RELATED = ("added_by", "note")


def visible_evidence(request, victim: Victim):
    """The case's evidence this user may see (files on restricted notes only for those who read them)."""
    restricted = request_can(request, Action.VIEW_RESTRICTED_NOTES)
    return (
        Evidence.objects.visible_to(request.membership, restricted=restricted)
        .filter(victim=victim)
        .select_related(*EVIDENCE_RELATED, "victim")
    )


def evidence_json_rows(request):
    """`visible_evidence` of the outer query's case, as a `json_rows` column (`case_page_victim_or_404`)."""
    restricted = request_can(request, Action.VIEW_RESTRICTED_NOTES)
    visible = Evidence.objects.visible_to(request.membership, restricted=restricted)
    return json_rows(visible, outer="victim", related=EVIDENCE_RELATED)


def _evidence_of(request, victim: Victim) -> list[Evidence]:
    """The evidence this user may see, newest first: from the case's row when the case page loaded it there."""
    if not hasattr(victim, "evidence_rows"):
        return list(visible_evidence(request, victim))
    items = instances(
        Evidence,
        victim.evidence_rows,
        related=EVIDENCE_RELATED,
        ordering=lambda item: (item.added_at, item.pk),
        reverse=True,
    )
    victim_field = Evidence._meta.get_field("victim")
    for item in items:
        victim_field.set_cached_value(item, victim)
    return items


def case_page_evidence(request, victim: Victim, *, bound: EvidenceForm | None = None, notes=None) -> dict:
    """What the case page's evidence partial (templates/cases/evidence/_case_evidence.html) needs.

    `notes`: the notes the page already shows this user, newest first; the blank form offers them to attach to.
    """
    form = bound
    if form is None:
        form = EvidenceForm(victim=victim, can_restrict=request_can(request, Action.VIEW_RESTRICTED_NOTES))
        if notes is not None:
            offer_choices(form.fields["note"], notes[:RECENT_NOTES])
    return {
        "evidence_items": _evidence_of(request, victim),
        "evidence_form": form,
        "can_delete_evidence": request_can(request, Action.DELETE_EVIDENCE),
    }


def evidence_or_404(request, pk: int, evidence_pk: int) -> Evidence:
    victim = case_page.victim_or_404(request, pk)
    return get_object_or_404(visible_evidence(request, victim), pk=evidence_pk)


def _record_read(request, evidence: Evidence, *, view: str) -> None:
    AuditEntry.objects.log_create(
        evidence,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        changes=None,
        actor=request.user,
        actor_email=request.user.email,
        remote_addr=AuditMiddleware._get_remote_addr(request),
        additional_data={"view": view, "victim_id": evidence.victim_id, "note_id": evidence.note_id},
    )


def _file_response(content: bytes, *, content_type: str, filename: str, as_attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # no decrypted copy in a shared or browser cache
    return response


@permission_required(Action.EDIT)
@require_POST
def evidence_upload(request, pk: int):
    victim = case_page.victim_or_404(request, pk)
    form = EvidenceForm(
        request.POST,
        request.FILES,
        victim=victim,
        can_restrict=request_can(request, Action.VIEW_RESTRICTED_NOTES),
    )
    if form.is_valid():
        try:
            added = services.evidence_add(
                victim=victim,
                added_by=request.user,
                files=form.cleaned_data["chosen"],
                note=form.cleaned_data.get("note"),
                description=form.cleaned_data.get("description", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, ngettext("%(count)d file added.", "%(count)d files added.", len(added)) % {"count": len(added)}
            )
            return case_page.back_to_case(victim, "evidence")
    return case_page.render_case_page(request, victim, bound={"evidence": form}, open_action="evidence")


@require_GET
@organization_required
def evidence_download(request, pk: int, evidence_pk: int):
    evidence = evidence_or_404(request, pk, evidence_pk)
    content = evidence_files.evidence_read(evidence)
    _record_read(request, evidence, view="evidence_download")
    return _file_response(
        content, content_type=evidence.content_type, filename=evidence.download_name, as_attachment=True
    )


@require_GET
@organization_required
def evidence_thumbnail(request, pk: int, evidence_pk: int):
    evidence = evidence_or_404(request, pk, evidence_pk)
    if not evidence.thumbnail_name:
        return HttpResponse(status=404)
    content = evidence_files.evidence_read(evidence, thumbnail=True)
    _record_read(request, evidence, view="evidence_thumbnail")
    return _file_response(
        content,
        content_type=evidence_files.THUMBNAIL_CONTENT_TYPE,
        filename=f"thumbnail-{evidence.pk}.webp",
        as_attachment=False,  # shown in an <img> on the case page; nosniff and a fixed image type still apply
    )


@permission_required(Action.DELETE_EVIDENCE)
@require_POST
def evidence_delete(request, pk: int, evidence_pk: int):
    evidence = evidence_or_404(request, pk, evidence_pk)
    if request.POST.get("confirm") != "delete":  # only the page's Delete button, never a stray or empty POST
        return HttpResponseBadRequest(_("Deleting a file needs the Delete button on the case page."))
    victim = evidence.victim
    services.evidence_delete(evidence=evidence, deleted_by=request.user)
    messages.success(request, _("The file was deleted."))
    return case_page.back_to_case(victim, "evidence")
