"""Rescue requests: opened, chased (each logged contact moves the follow-up), closed."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import CaseNote, RescueRequest, Victim
from .notes import case_note_add
from .numbering import next_follow_up
from .rules import REQUEST_CLOSING_STATUSES
from .victims import _require_member

# --- Rescue requests ------------------------------------------------------------------------------


@transaction.atomic
def rescue_request_open(
    *,
    victim: Victim,
    opened_by: User | None,
    priority: str = RescueRequest.Priority.NORMAL,
    assigned_to: User | None = None,
    now: datetime | None = None,
) -> RescueRequest:
    """Open a rescue request; its first follow-up is due one cadence from now."""
    now = now or timezone.now()
    if victim.is_closed:
        raise ValidationError(_("This case is closed; reopen it before opening a rescue request."))
    assigned_to = assigned_to or victim.assigned_to
    _require_member(user=assigned_to, organization=victim.organization)
    request = RescueRequest(
        organization_id=victim.organization_id,
        victim=victim,
        priority=priority,
        assigned_to=assigned_to,
        opened_at=now,
        created_by=opened_by,
        last_update_at=now,
        next_follow_up_at=next_follow_up(organization=victim.organization, priority=priority, after=now),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def rescue_request_log_update(
    *,
    request: RescueRequest,
    author: User | None,
    note: str,
    now: datetime | None = None,
    kind: str = CaseNote.Kind.CONTACT_PERSON,
    mark_in_progress: bool = False,
    expected_version: int | None = None,
) -> CaseNote:
    """Record contact on an open request and push its next follow-up out by its cadence."""
    now = now or timezone.now()
    request.check_version(expected_version)
    locked = RescueRequest.objects.select_for_update().select_related("organization").get(pk=request.pk)
    locked.check_version(request.version)
    if not locked.is_open:
        raise ValidationError(_("This rescue request is closed; open a new one to keep chasing."))
    if not note.strip():
        raise ValidationError({"note": _("Write what happened.")})
    case_note = case_note_add(
        victim=locked.victim, author=author, body=note, kind=kind, occurred_at=now, rescue_request=locked
    )
    locked.last_update_at = now
    locked.next_follow_up_at = next_follow_up(organization=locked.organization, priority=locked.priority, after=now)
    if mark_in_progress and locked.status == RescueRequest.Status.OPEN:
        locked.status = RescueRequest.Status.IN_PROGRESS
    locked.save()
    request.refresh_from_db()
    return case_note


@transaction.atomic
def rescue_request_change_priority(
    *, request: RescueRequest, priority: str, changed_by: User | None, now: datetime | None = None
) -> RescueRequest:
    """Re-prioritise an open request; its follow-up is re-planned from the last update with the new cadence."""
    now = now or timezone.now()
    if not request.is_open:
        raise ValidationError(_("This rescue request is closed."))
    request.priority = priority
    base = request.last_update_at or request.opened_at
    request.next_follow_up_at = min(
        next_follow_up(organization=request.organization, priority=priority, after=base),
        next_follow_up(organization=request.organization, priority=priority, after=now),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def rescue_request_close(
    *,
    request: RescueRequest,
    status: str,
    outcome: str,
    closed_by: User | None,
    now: datetime | None = None,
) -> RescueRequest:
    """Close an open request as rescued, unsuccessful or withdrawn. Closed requests are no longer chased."""
    now = now or timezone.now()
    if status not in REQUEST_CLOSING_STATUSES:
        raise ValidationError({"status": _("Choose how the request ended: rescued, unsuccessful or withdrawn.")})
    locked = RescueRequest.objects.select_for_update().get(pk=request.pk)
    locked.check_version(request.version)
    if not locked.is_open:
        raise ValidationError(_("This rescue request is already closed."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    if now < locked.opened_at:
        raise ValidationError(_("A request cannot be closed before it was opened."))
    locked.status = status
    locked.outcome = outcome.strip()
    locked.closed_at = now
    locked.last_update_at = now
    locked.next_follow_up_at = None
    locked.save()
    request.refresh_from_db()
    return request


@transaction.atomic
def rescue_request_assign(*, request: RescueRequest, assignee: User | None, assigned_by: User | None) -> RescueRequest:
    """Give a rescue request to a member of its organisation (or to nobody)."""
    _require_member(user=assignee, organization=request.organization)
    request.assigned_to = assignee
    request.full_clean()
    request.save()
    return request
