"""The weekly digest: what each member should know, rendered without personal data, sent once per ISO week.

A member is due a digest when the organisation's digest weekday and hour (in its time zone) has come since the
last digest slot handled for them, and that slot lies in an ISO week they have not had a digest for. A member
without a checkpoint (new, or a fresh installation) is due the most recent slot right away: they get this
week's digest now instead of waiting up to seven days. A scheduler that was down for days finds only the
latest slot, so it catches up once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization
from accounts.permissions import Action, membership_can
from cases.models import AgencyReferral, RescueRequest, Victim, VictimStatusChange
from cases.models.requests import overdue_condition
from homecoming.selectors import digest_counts as homecoming_counts
from lists.transit import missing_in_transit

from .calendar import iso_week_key, latest_digest_slot
from .dashboard import team_load, unassigned_counts
from .links import case_link
from .models import DigestCheckpoint, OutboxMessage
from .outbox import Draft, enqueue, render_email
from .sweeps import Planned, SweepResult

LIST_LIMIT = 50  # rows per section; the counts always give the full number
SILENT_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class CaseLine:
    """One row in a digest section: a case number and what to say about it. Never a name or a place."""

    case_number: str
    url: str
    detail: str = ""
    when: datetime | None = None


@dataclass(frozen=True)
class Section:
    count: int
    lines: list[CaseLine]

    @property
    def more(self) -> int:
        return max(self.count - len(self.lines), 0)


def overdue_by(request: RescueRequest, *, now: datetime) -> str:
    days = request.days_overdue(now=now)
    if days == 0:
        return _("overdue since today")
    return ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def _section(queryset, count: int, line) -> Section:
    return Section(count=count, lines=[line(row) for row in queryset[:LIST_LIMIT]] if count else [])


def digest_context(*, membership: Membership, now: datetime) -> dict:
    """Everything a member's digest shows, scoped to what they may see; a fixed number of queries."""
    user, organization = membership.user, membership.organization
    is_supervisor = membership_can(membership, Action.VIEW_TEAM)
    week_start = now - timedelta(days=7)

    requests = RescueRequest.objects.visible_to(user).visible_to(organization).open()
    victims = Victim.objects.visible_to(user).visible_to(organization)
    referrals = AgencyReferral.objects.visible_to(user).visible_to(organization)
    changes = VictimStatusChange.objects.visible_to(user).visible_to(organization)
    if not is_supervisor:
        requests = requests.filter(assigned_to=user)
        victims = victims.filter(assigned_to=user)
        referrals = referrals.filter(sent_by=user)
        changes = changes.filter(victim__assigned_to=user)

    request_counts = requests.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_condition(now)),
        urgent=Count("pk", filter=Q(priority=RescueRequest.Priority.URGENT)),
        high=Count("pk", filter=Q(priority=RescueRequest.Priority.HIGH)),
        normal=Count("pk", filter=Q(priority=RescueRequest.Priority.NORMAL)),
    )
    overdue = _section(
        requests.filter(overdue_condition(now))
        .select_related("victim")
        .only("pk", "priority", "status", "next_follow_up_at", "victim_id", "victim__case_number")
        .order_by("next_follow_up_at", "pk"),
        request_counts["overdue"],
        lambda r: CaseLine(
            r.victim.case_number,
            case_link(r.victim_id),
            f"{overdue_by(r, now=now)}, {r.get_priority_display()}",
            r.next_follow_up_at,
        ),
    )
    awaiting_qs = referrals.filter(status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES)
    awaiting = _section(
        awaiting_qs.select_related("victim")
        .only("pk", "response_due_at", "victim_id", "victim__case_number")
        .order_by("response_due_at", "pk"),
        awaiting_qs.count(),
        lambda r: CaseLine(r.victim.case_number, case_link(r.victim_id), _("response due"), r.response_due_at),
    )
    new_qs = victims.filter(created_at__gt=week_start, created_at__lte=now)
    new_cases = _section(
        new_qs.only("pk", "case_number", "created_at").order_by("created_at", "pk"),
        new_qs.count(),
        lambda v: CaseLine(v.case_number, case_link(v.pk), "", v.created_at),
    )
    changes_qs = changes.filter(changed_at__gt=week_start, changed_at__lte=now)
    status_changes = _section(
        changes_qs.select_related("victim")
        .only("pk", "from_status", "to_status", "changed_at", "victim_id", "victim__case_number")
        .order_by("changed_at", "pk"),
        changes_qs.count(),
        lambda c: CaseLine(
            c.victim.case_number,
            case_link(c.victim_id),
            f"{c.get_from_status_display()} → {c.get_to_status_display()}",
            c.changed_at,
        ),
    )
    silent_since = now - SILENT_AFTER
    silent_qs = victims.exclude(status__in=Victim.CLOSED_STATUSES).filter(
        Q(last_contact_at__lt=silent_since) | Q(last_contact_at__isnull=True, created_at__lt=silent_since)
    )
    silent = _section(
        silent_qs.only("pk", "case_number", "last_contact_at").order_by("last_contact_at", "pk"),
        silent_qs.count(),
        lambda v: CaseLine(
            v.case_number,
            case_link(v.pk),
            _("last contact") if v.last_contact_at else _("no contact recorded"),
            v.last_contact_at,
        ),
    )
    # Counts only: who is missing in transit is for the signed-in pages, not for an email.
    missing = missing_in_transit(victims, organization=organization, now=now).count()
    context = {
        "organization": organization,
        "timezone": organization.timezone,
        "member_name": user.display_name,
        "is_supervisor": is_supervisor,
        "now": now,
        "week_start": week_start,
        "request_counts": request_counts,
        "overdue": overdue,
        "awaiting": awaiting,
        "new_cases": new_cases,
        "status_changes": status_changes,
        "silent": silent,
        "missing_in_transit": missing,
    }
    nothing = not any(
        [request_counts["open"], awaiting.count, new_cases.count, status_changes.count, silent.count, missing]
    )
    if is_supervisor:
        escalated_ids = (
            OutboxMessage.objects.filter(
                organization=organization,
                kind=OutboxMessage.Kind.ESCALATION,
                created_at__gt=week_start,
                created_at__lte=now,
            )
            .values_list("object_id", flat=True)
            .distinct()
        )
        escalated_qs = RescueRequest.objects.visible_to(organization).filter(pk__in=escalated_ids)
        context["escalations"] = _section(
            escalated_qs.select_related("victim")
            .only("pk", "priority", "status", "next_follow_up_at", "victim_id", "victim__case_number")
            .order_by("next_follow_up_at", "pk"),
            escalated_qs.count(),
            lambda r: CaseLine(
                r.victim.case_number,
                case_link(r.victim_id),
                r.get_status_display() if not r.is_open else overdue_by(r, now=now),
                r.next_follow_up_at,
            ),
        )
        context["team"] = [
            {"name": row["user"].display_name, **{k: v for k, v in row.items() if k != "user"}}
            for row in team_load(organization=organization, now=now)
        ]
        context["unassigned"] = unassigned_counts(organization=organization, now=now)
        context["homecoming"] = homecoming_counts(organization=organization, now=now)
        home = context["homecoming"]
        on_the_way_home = any(count for _label, count in home["stages"]) or bool(home["batches"])
        nothing = nothing and not context["escalations"].count and not any(context["unassigned"].values())
        nothing = nothing and not on_the_way_home
    context["nothing_this_week"] = nothing
    return context


def render_digest(*, membership: Membership, now: datetime, week: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a member's digest, dates shown in the organisation's time zone."""
    organization = membership.organization
    with translation.override(membership.user.preferred_language), timezone.override(organization.tzinfo):
        context = digest_context(membership=membership, now=now)
        context["week"] = week
        template = "digest_supervisor" if membership_can(membership, Action.VIEW_TEAM) else "digest_caseworker"
        text, html = render_email(template=template, context=context)
        subject = _("Homeward weekly digest, %(week)s – %(organization)s") % {
            "week": week,
            "organization": organization.name,
        }
    return subject, text, html


def digest_due(*, checkpoint: DigestCheckpoint | None, slot: datetime, week: str) -> bool:
    """Due if this slot is newer than the last one handled and falls in a week without a digest."""
    if checkpoint is None:
        return True
    return slot > checkpoint.last_slot_at and week != checkpoint.last_week


def sweep_digests(*, now: datetime, dry_run: bool = False, organization: Organization | None = None) -> SweepResult:
    """Queue the weekly digest for every member whose organisation's digest time has come since their last one."""
    result = SweepResult(planned=[] if dry_run else None)
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        slot = latest_digest_slot(organization=org, now=now)
        week = iso_week_key(moment=slot, organization=org)
        checkpoints = {c.user_id: c for c in DigestCheckpoint.objects.filter(organization=org)}
        members = (
            Membership.objects.filter(
                organization=org, is_active=True, user__is_active=True, user__receives_digest=True
            )
            .select_related("user", "organization")
            .order_by("pk")
        )
        for membership in members:
            if not digest_due(checkpoint=checkpoints.get(membership.user_id), slot=slot, week=week):
                continue
            result.found += 1
            if dry_run:
                result.planned.append(Planned("digest", week, membership.user_id))
                result.queued += 1
                continue
            subject, text, html = render_digest(membership=membership, now=now, week=week)
            with transaction.atomic():
                result.queued += enqueue(
                    [
                        Draft(
                            organization_id=org.pk,
                            kind=OutboxMessage.Kind.DIGEST,
                            dedupe_key=f"digest:{org.pk}:{membership.user_id}:{week}",
                            recipient_id=membership.user_id,
                            recipient_email=membership.user.email,
                            subject=subject,
                            body_text=text,
                            body_html=html,
                            about=membership,
                            due_at=slot,
                        )
                    ],
                    now=now,
                )
                DigestCheckpoint.objects.update_or_create(
                    user_id=membership.user_id,
                    organization=org,
                    defaults={"last_slot_at": slot, "last_week": week},
                )
    return result
