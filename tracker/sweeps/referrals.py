"""Referral chases: whoever sent a referral (else the supervisors) is reminded to chase an agency past its response
date, once per response date."""

from datetime import datetime

from django.utils.translation import gettext as _

from accounts.models import Organization
from cases.models import AgencyReferral

from ..email_shapes import ShapeRenderer
from ..links import case_link
from ..models import OutboxMessage
from ..outbox import Draft
from .common import Planned, SweepResult, Team, _finish, chunks, key_time, rendered


def sweep_referral_chases(
    *, now: datetime, dry_run: bool = False, organization: Organization | None = None, render_by_shape: bool = True
) -> SweepResult:
    """Remind whoever sent a referral (else the supervisors) to chase an agency past its response date."""
    result = SweepResult(planned=[] if dry_run else None)
    shapes = ShapeRenderer() if render_by_shape else None
    due = AgencyReferral.objects.filter(
        status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES, response_due_at__lte=now, acknowledged_at__isnull=True
    )
    if organization is not None:
        due = due.filter(organization=organization)
    due = due.select_related("victim", "agency", "organization").only(
        "pk",
        "status",
        "sent_at",
        "response_due_at",
        "sent_by_id",
        "organization_id",
        "victim_id",
        "victim__case_number",
        "agency__name",
        "organization__name",
        "organization__timezone",
    )
    team = Team(set(due.values_list("organization_id", flat=True).distinct()))
    for chunk in chunks(due):
        drafts, plans = [], []
        for referral in chunk:
            result.found += 1
            sender = team.member(referral.organization_id, referral.sent_by_id)
            recipients = [sender] if sender else team.supervisors(referral.organization_id)
            context = {
                "case_number": referral.victim.case_number,
                "agency": referral.agency.name,
                "sent_at": referral.sent_at,
                "response_due_at": referral.response_due_at,
                "days_late": max((now - referral.response_due_at).days, 0),
                "case_url": case_link(referral.victim_id),
                "organization": referral.organization,
                "timezone": referral.organization.timezone,
            }
            content = rendered(
                "referral_chase",
                context,
                lambda c: _("Chase the agency: referral for %(case)s has no response") % {"case": c["case_number"]},
                shapes=shapes,
                times=("sent_at", "response_due_at"),
            )
            for membership in recipients:
                drafts.append(
                    Draft(
                        organization_id=referral.organization_id,
                        kind=OutboxMessage.Kind.REFERRAL_CHASE,
                        dedupe_key=f"chase:{referral.pk}:{key_time(referral.response_due_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=referral,
                        due_at=referral.response_due_at,
                    )
                )
                plans.append(Planned("referral_chase", referral.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    return result
