"""Demo data for the way home: two batches in progress, members at every step, one blocked member.

Written through homecoming's services, so the demo's rows obey the same rules (and reach the case timeline).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from cases.models import Victim
from homecoming import services
from homecoming.models import BatchMember, RepatriationBatch
from places.models import Agency

WAITING = (Victim.Status.RELEASED, Victim.Status.RESCUED, Victim.Status.IN_SCREENING, Victim.Status.IN_SHELTER)
READY = {
    "travel_document": BatchMember.Document.EMERGENCY,
    "clearance": BatchMember.Clearance.WAIVED,
    "consent_to_travel": BatchMember.Consent.GIVEN,
    "medical_fitness": BatchMember.Fitness.FIT,
}


def seed_homecoming(*, organization, caseworker, supervisor, now: datetime) -> int:
    """Create the two demo batches once per organisation; returns how many members were added."""
    if RepatriationBatch.objects.filter(organization=organization).exists():
        return 0
    embassies = list(Agency.objects.filter(kind=Agency.Kind.EMBASSY, organization__isnull=True).order_by("pk")[:2])
    candidates = list(
        Victim.objects.filter(organization=organization, status__in=WAITING, redacted_at__isnull=True).order_by(
            "case_number"
        )
    )
    # Screening moves a released or rescued case on: keep two of each where they are, so the demo still shows them.
    kept = {status: [v for v in candidates if v.status == status][:2] for status in WAITING[:2]}
    people = [v for v in candidates if all(v not in group for group in kept.values())][:7]
    if len(embassies) < 1 or len(people) < 7:
        return 0
    today = timezone.localdate(now, organization.tzinfo)
    flown = services.batch_create(
        organization=organization,
        created_by=supervisor,
        agency=embassies[0],
        departs_on=today - timedelta(days=2),
        mode=RepatriationBatch.Mode.FLIGHT,
        reference="DEMO 451",
    )
    by_road = services.batch_create(
        organization=organization,
        created_by=supervisor,
        agency=embassies[-1],
        departs_on=today + timedelta(days=3),
        mode=RepatriationBatch.Mode.CROSSING,
        reference="Friendship Bridge",
    )
    earlier = now - timedelta(days=6)
    for victim in people:
        services.screening_record(
            victim=victim,
            recorded_by=caseworker,
            screened_by=caseworker,
            outcome="identified",
            screened_at=earlier,
            needs=["documents", "call_home"],
            now=earlier,
        )

    def member(victim, batch, **steps):
        added = services.member_add(batch=batch, victim=victim, added_by=caseworker, now=earlier)
        if steps:
            services.member_record_steps(member=added, recorded_by=caseworker, now=now, **steps)
        return added

    departed = now - timedelta(days=2)
    member(
        people[0],
        flown,
        **READY,
        departed_at=departed,
        arrived_at=departed + timedelta(hours=5),
        handed_to=embassies[0],
    )
    member(people[1], flown, **READY, departed_at=departed, arrived_at=departed + timedelta(hours=5))
    member(people[2], flown, **READY, departed_at=departed)
    member(people[3], by_road, **READY)
    member(people[4], by_road, travel_document=BatchMember.Document.RECOVERED, clearance=BatchMember.Clearance.PAID)
    member(people[5], by_road, consent_to_travel=BatchMember.Consent.GIVEN)
    # The blocked one: passport still with the traffickers and no consent to travel yet.
    member(people[6], by_road, travel_document=BatchMember.Document.HELD)
    return 7
