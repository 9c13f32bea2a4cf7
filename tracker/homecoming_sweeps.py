"""Homecoming's due items on the follow-up engine: batch members stuck on a step (a reminder to the caseworker,
then an escalation to the supervisors) and the contacts due after return (30 and 90 days, risk flags).

Same guarantees as the other sweeps (tracker/sweeps.py): outbox rows with a dedupe key, so a sweep run twice or
two at once queues each email once; emails carry case numbers, counts and links only.
"""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from accounts.models import Organization
from homecoming.models import BatchMember, ReturnFollowUp, ReturnSettings

from .links import site_link
from .models import OutboxMessage
from .outbox import Draft
from .sweeps.common import Planned, SweepResult, Team, _finish, chunks, key_time, rendered


def _thresholds(organization_ids) -> dict[int, ReturnSettings]:
    found = {s.organization_id: s for s in ReturnSettings.objects.filter(organization_id__in=organization_ids)}
    return {pk: found.get(pk) or ReturnSettings(organization_id=pk) for pk in organization_ids}


def _member_link(member_id: int) -> str:
    return site_link(f"/home/members/{member_id}/")


def sweep_homecoming(*, now: datetime, dry_run: bool = False, organization: Organization | None = None) -> SweepResult:
    """Stuck members (no step for N days: caseworker; 2N days: supervisors) and due contacts after return."""
    result = SweepResult(planned=[] if dry_run else None)
    members = BatchMember.objects.filter(status=BatchMember.Status.ACTIVE, arrived_at__isnull=True)
    follow_ups = ReturnFollowUp.objects.filter(done_at__isnull=True, due_at__lte=now)
    if organization is not None:
        members, follow_ups = members.filter(organization=organization), follow_ups.filter(organization=organization)
    org_ids = set(members.values_list("organization_id", flat=True)) | set(
        follow_ups.values_list("organization_id", flat=True)
    )
    settings_of = _thresholds(org_ids)
    team = Team(org_ids)
    members = members.select_related("victim", "batch", "organization").only(
        "pk",
        "last_step_at",
        "organization_id",
        "victim_id",
        "victim__case_number",
        "victim__assigned_to_id",
        "batch_id",
        "batch__departs_on",
        "organization__name",
        "organization__timezone",
    )
    for chunk in chunks(members):
        drafts, plans = [], []
        for member in chunk:
            days = settings_of[member.organization_id].stuck_after_days
            stuck_since = member.last_step_at + timedelta(days=days)
            if now < stuck_since:
                continue
            result.found += 1
            escalate = now >= member.last_step_at + timedelta(days=2 * days)
            caseworker = team.member(member.organization_id, member.victim.assigned_to_id)
            recipients = team.supervisors(member.organization_id) if escalate or not caseworker else [caseworker]
            context = {
                "case_number": member.victim.case_number,
                "days": (now - member.last_step_at).days,
                "batch": str(member.batch),
                "case_url": _member_link(member.pk),
                "escalation": escalate,
                "organization": member.organization,
                "timezone": member.organization.timezone,
            }
            content = rendered(
                "homecoming_stuck",
                context,
                lambda c: _("No step for %(days)s days: %(case)s") % {"days": c["days"], "case": c["case_number"]},
            )
            kind = OutboxMessage.Kind.ESCALATION if escalate else OutboxMessage.Kind.REMINDER
            for membership in recipients:
                drafts.append(
                    Draft(
                        organization_id=member.organization_id,
                        kind=kind,
                        dedupe_key=f"stuck:{kind}:{member.pk}:{key_time(member.last_step_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=member,
                        due_at=stuck_since,
                    )
                )
                plans.append(Planned(f"stuck_{kind}", member.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    follow_ups = follow_ups.select_related("victim", "organization").only(
        "pk",
        "due_at",
        "reason",
        "days_after_return",
        "organization_id",
        "victim_id",
        "victim__case_number",
        "victim__assigned_to_id",
        "organization__name",
        "organization__timezone",
    )
    for chunk in chunks(follow_ups):
        drafts, plans = [], []
        for follow_up in chunk:
            result.found += 1
            caseworker = team.member(follow_up.organization_id, follow_up.victim.assigned_to_id)
            recipients = [caseworker] if caseworker else team.supervisors(follow_up.organization_id)
            context = {
                "case_number": follow_up.victim.case_number,
                "reason": follow_up.get_reason_display(),
                "days_after_return": follow_up.days_after_return,
                "due_at": follow_up.due_at,
                "case_url": site_link(f"/home/case/{follow_up.victim_id}/"),
                "organization": follow_up.organization,
                "timezone": follow_up.organization.timezone,
            }
            content = rendered(
                "homecoming_follow_up",
                context,
                lambda c: _("Contact due after return: %(case)s") % {"case": c["case_number"]},
            )
            for membership in recipients:
                drafts.append(
                    Draft(
                        organization_id=follow_up.organization_id,
                        kind=OutboxMessage.Kind.REMINDER,
                        dedupe_key=f"return:{follow_up.pk}:{key_time(follow_up.due_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=follow_up,
                        due_at=follow_up.due_at,
                    )
                )
                plans.append(Planned("return_follow_up", follow_up.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    return result
