"""Builders for homecoming tests: a released case, a batch, a member ready to depart."""

from datetime import date, timedelta

from django.utils import timezone

from cases import services as case_services
from homecoming import services
from homecoming.models import BatchMember, RepatriationBatch
from places.models import Agency
from tests.factories import AgencyFactory, make_victim


def embassy(organization=None) -> Agency:
    return AgencyFactory(kind=Agency.Kind.EMBASSY, organization=organization)


def released_victim(org, *, now=None, days_ago=0, **fields):
    now = now or timezone.now()
    # released_on set here: the case file fills it in the organisation's zone, which Victim.clean() (in UTC)
    # can find to be "tomorrow"; the earlier of the two dates keeps both content.
    day = min(timezone.localdate(now), timezone.localdate(now, org.organization.tzinfo))
    fields.setdefault("released_on", day - timedelta(days=days_ago))
    victim = make_victim(
        organization=org.organization, created_by=org.caseworker, now=now - timedelta(days=days_ago + 1), **fields
    )
    case_services.victim_change_status(
        victim=victim, to_status="released", changed_by=org.caseworker, now=now - timedelta(days=days_ago)
    )
    victim.refresh_from_db()
    return victim


def batch(org, *, departs_on: date | None = None, agency=None) -> RepatriationBatch:
    return services.batch_create(
        organization=org.organization,
        created_by=org.supervisor,
        agency=agency or embassy(),
        departs_on=departs_on or timezone.localdate(),
        mode=RepatriationBatch.Mode.FLIGHT,
        reference="SYN 101",
    )


def screened(org, victim, *, now=None):
    return services.screening_record(
        victim=victim,
        recorded_by=org.caseworker,
        screened_by=org.caseworker,
        outcome="identified",
        now=now,
        screened_at=now or timezone.now(),
    )


def ready_member(org, victim, the_batch, *, now=None) -> BatchMember:
    """A member with every step before departure done (and a screening)."""
    screened(org, victim, now=now)
    member = services.member_add(batch=the_batch, victim=victim, added_by=org.caseworker, now=now)
    return services.member_record_steps(
        member=member,
        recorded_by=org.caseworker,
        now=now,
        travel_document=BatchMember.Document.EMERGENCY,
        clearance=BatchMember.Clearance.WAIVED,
        consent_to_travel=BatchMember.Consent.GIVEN,
        medical_fitness=BatchMember.Fitness.FIT,
    )


def homecoming_rows(world) -> dict:
    """Rows of organisation A for the access matrix: a batch, a member, a follow-up (made once per world)."""
    cached = getattr(world, "_homecoming", None)
    if cached:
        return cached
    the_batch = batch(world.a)
    member = services.member_add(batch=the_batch, victim=world.victim_a, added_by=world.a.caseworker)
    follow_up = services.flag_raise(victim=world.victim_a, raised_by=world.a.caseworker, signs=["debts"])
    world._homecoming = {
        "batch_pk": the_batch.pk,
        "member_pk": member.pk,
        "followup_pk": world.victim_a.return_follow_ups.get().pk,
    }
    del follow_up
    return world._homecoming
