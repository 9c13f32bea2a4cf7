"""Reads: the screening queue (longest waits first, missing in transit), people per stage, batch pages."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from cases.models import Victim

from .models import BatchMember, ListSighting, ReturnSettings, Screening
from .steps import STAGES, blockers, current_step, stage_of

WAITING = (Victim.Status.RELEASED, Victim.Status.RESCUED, Victim.Status.IN_SCREENING, Victim.Status.IN_SHELTER)
ON_THE_WAY = (*WAITING, Victim.Status.REPATRIATED)


def _waiting_since(victim: Victim, tz) -> datetime:
    if victim.released_on:
        return timezone.make_aware(datetime.combine(victim.released_on, datetime.min.time()), tz)
    return victim.status_changed_at


def missing_in_transit(*, organization, now: datetime) -> set[int]:
    """Victim ids seen on a released list, on no arrived/repatriated list, not heard from for N days."""
    days = ReturnSettings.for_organization(organization.pk).missing_after_days
    cutoff = now - timedelta(days=days)
    later = ListSighting.objects.filter(
        victim=OuterRef("victim"), list_kind__in=(ListSighting.Kind.ARRIVED, ListSighting.Kind.REPATRIATED)
    )
    departed = BatchMember.objects.filter(victim=OuterRef("victim"), departed_at__isnull=False)
    rows = (
        ListSighting.objects.visible_to(organization)
        .filter(list_kind=ListSighting.Kind.RELEASED, confirmed_at__lte=cutoff)
        .filter(~Exists(later), ~Exists(departed))
        .filter(Q(victim__last_contact_at__isnull=True) | Q(victim__last_contact_at__lte=cutoff))
        .values_list("victim_id", flat=True)
    )
    return set(rows)


@dataclass
class Waiting:
    victim: Victim
    since: datetime
    days: int
    missing: bool


def screening_queue(*, organization, now: datetime) -> list[Waiting]:
    """Released and rescued people with no screening yet, plus anyone missing in transit; longest wait first."""
    tz = organization.tzinfo
    missing = missing_in_transit(organization=organization, now=now)
    screened = Screening.objects.filter(victim=OuterRef("pk"))
    victims = (
        Victim.objects.visible_to(organization)
        .filter(Q(status__in=WAITING, redacted_at__isnull=True) & ~Exists(screened) | Q(pk__in=missing))
        .select_related("assigned_to")
        .only(
            "pk",
            "case_number",
            "full_name",
            "status",
            "status_changed_at",
            "released_on",
            "citizenship",
            "assigned_to__display_name",
            "organization_id",
        )
    )
    rows = []
    for victim in victims:
        since = _waiting_since(victim, tz)
        days = (timezone.localdate(now, tz) - timezone.localtime(since, tz).date()).days
        rows.append(Waiting(victim, since, max(days, 0), victim.pk in missing))
    rows.sort(key=lambda row: (not row.missing, row.since, row.victim.pk))
    return rows


@dataclass
class MemberRow:
    member: BatchMember
    blockers: list[str]
    stuck_days: int
    step: str = ""


def batch_rows(*, batch, now: datetime) -> list[MemberRow]:
    members = list(
        batch.members.filter(status=BatchMember.Status.ACTIVE).select_related("victim", "handed_to").order_by("pk")
    )
    screened = set(
        Screening.objects.filter(victim__in=[m.victim_id for m in members]).values_list("victim_id", flat=True)
    )
    return [
        MemberRow(
            m, blockers(m, screened=m.victim_id in screened), max((now - m.last_step_at).days, 0), current_step(m)
        )
        for m in members
    ]


@dataclass
class Overview:
    stages: list[tuple[str, str]]
    nationalities: list[str]
    counts: dict[str, Counter] = field(default_factory=dict)  # stage -> nationality -> people
    median_days: dict[str, float | None] = field(default_factory=dict)
    total: int = 0


def people_by_stage(*, organization, now: datetime) -> list[tuple[str, str, int]]:
    """(stage, nationality code, days in the stage) for everyone between release and the return."""
    tz = organization.tzinfo
    last_screening = dict(
        Screening.objects.visible_to(organization)
        .values("victim_id")
        .annotate(at=Max("screened_at"))
        .values_list("victim_id", "at")
    )
    members = {
        m.victim_id: m for m in BatchMember.objects.visible_to(organization).filter(status=BatchMember.Status.ACTIVE)
    }
    people = []
    victims = (
        Victim.objects.visible_to(organization)
        .filter(status__in=ON_THE_WAY)
        .only("pk", "citizenship", "status", "status_changed_at", "released_on")
    )
    for victim in victims:
        member = members.get(victim.pk)
        if victim.status == Victim.Status.REPATRIATED and member is None:
            continue
        found = stage_of(
            member=member, screened_at=last_screening.get(victim.pk), waiting_since=_waiting_since(victim, tz)
        )
        people.append((found.stage, victim.citizenship or "", max((now - found.since).days, 0)))
    return people


def overview(*, organization, now: datetime) -> Overview:
    people = people_by_stage(organization=organization, now=now)
    counts: dict[str, Counter] = {code: Counter() for code, _label in STAGES}
    days: dict[str, list[int]] = defaultdict(list)
    for stage, nationality, in_stage in people:
        counts[stage][nationality] += 1
        days[stage].append(in_stage)
    nationalities = sorted({n for _s, n, _d in people}, key=lambda n: (n == "", n))
    return Overview(
        stages=[(code, str(label)) for code, label in STAGES],
        nationalities=nationalities,
        counts=counts,
        median_days={code: (median(days[code]) if days[code] else None) for code, _label in STAGES},
        total=len(people),
    )


def digest_counts(*, organization, now: datetime) -> dict:
    """Counts only, for the weekly digest: people per stage, and per batch how many are active/departed/arrived."""
    per_stage = Counter(stage for stage, _n, _d in people_by_stage(organization=organization, now=now))
    per_batch = []
    for batch in organization_batches(organization).filter(departs_on__gte=(now - timedelta(days=30)).date()):
        members = [m for m in batch.members.all() if m.status == BatchMember.Status.ACTIVE]
        per_batch.append(
            {
                "batch": str(batch),
                "members": len(members),
                "departed": sum(1 for m in members if m.departed_at),
                "arrived": sum(1 for m in members if m.arrived_at),
            }
        )
    return {"stages": [(str(label), per_stage.get(code, 0)) for code, label in STAGES], "batches": per_batch}


def organization_batches(organization):
    from .models import RepatriationBatch

    return RepatriationBatch.objects.visible_to(organization).select_related("agency").prefetch_related("members")
