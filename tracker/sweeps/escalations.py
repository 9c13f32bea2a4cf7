"""Escalations: the supervisors hear of requests overdue past the organisation's threshold, once per due date."""

from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import Organization
from cases.models import RescueRequest

from ..email_shapes import ShapeRenderer
from ..models import OutboxMessage, ReminderItem
from ..outbox import Draft
from .common import (
    Planned,
    SweepResult,
    Team,
    _due_chunks,
    _due_requests,
    _finish,
    _request_context,
    key_time,
    rendered,
)


def should_escalate(*, request: RescueRequest, now: datetime, reminders_sent: int) -> bool:
    """Overdue by more than its cadence again, or, if the organisation says so, after N unanswered reminders."""
    organization = request.organization
    if organization.escalate_after_reminders:
        return reminders_sent >= organization.escalate_after_reminders
    return now - request.next_follow_up_at > organization.cadence_for(request.priority)


def _reminder_rounds(requests: list[RescueRequest]) -> dict[tuple[int, datetime], int]:
    """How many reminder rounds went out for each request at its current due date (one query)."""
    if not requests:
        return {}
    rows = (
        ReminderItem.objects.filter(request_id__in=[r.pk for r in requests])
        .values("request_id", "due_at")
        .annotate(rounds=Count("sequence", distinct=True))
    )
    return {(row["request_id"], row["due_at"]): row["rounds"] for row in rows}


def sweep_escalations(
    *, now: datetime, dry_run: bool = False, organization: Organization | None = None, render_by_shape: bool = True
) -> SweepResult:
    """Tell the supervisors about requests overdue past the organisation's threshold, once per due date."""
    result = SweepResult(planned=[] if dry_run else None)
    shapes = ShapeRenderer() if render_by_shape else None
    due = _due_requests(now=now, organization=organization)
    team = Team(set(due.values_list("organization_id", flat=True).distinct()))
    for chunk in _due_chunks(due, team):
        rounds = _reminder_rounds(chunk)
        drafts, plans = [], []
        for request in chunk:
            reminders_sent = rounds.get((request.pk, request.next_follow_up_at), 0)
            if not should_escalate(request=request, now=now, reminders_sent=reminders_sent):
                continue
            result.found += 1
            context = {**_request_context(request=request, now=now), "reminders_sent": reminders_sent}
            content = rendered(
                "escalation",
                context,
                lambda c: (
                    _("Escalation: %(case)s is %(days)s days overdue")
                    % {"case": c["case_number"], "days": c["days_overdue"]}
                ),
                shapes=shapes,
            )
            for membership in team.supervisors(request.organization_id):
                drafts.append(
                    Draft(
                        organization_id=request.organization_id,
                        kind=OutboxMessage.Kind.ESCALATION,
                        dedupe_key=f"escalation:{request.pk}:{key_time(request.next_follow_up_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=request,
                        due_at=request.next_follow_up_at,
                    )
                )
                plans.append(Planned("escalation", request.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    return result
