"""Missing in transit: on a released list, then on no arrival list and not heard from for N days.

A person is missing in transit when a confirmed match puts them on a "released" list published (or, without
a published date, uploaded) at least N days ago (the organisation's ListSettings.missing_after_days, default
7), and since that date no confirmed match puts them on an "arrived" or "repatriated" list and no contact
with them or their family has been logged. The latest release counts; closed cases are never flagged.
One query, whatever the caseload: only cases with a confirmed release match are looked at; the release date is a
subquery, the two "since" checks are EXISTS.
"""

from datetime import date, datetime, timedelta

from django.db.models import DateField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Organization
from cases.models import CaseNote, Victim

from .models import ListKind, ListSettings, Match, MatchStatus

DEFAULT_MISSING_AFTER_DAYS = ListSettings._meta.get_field("missing_after_days").default
CONTACT_KINDS = (CaseNote.Kind.CONTACT_PERSON, CaseNote.Kind.CONTACT_FAMILY)
ARRIVAL_KINDS = (ListKind.ARRIVED, ListKind.REPATRIATED)


def missing_after_days(organization: Organization) -> int:
    """The organisation's setting, or the default when it never changed it."""
    days = ListSettings.objects.filter(organization=organization).values_list("missing_after_days", flat=True)
    return next(iter(days), DEFAULT_MISSING_AFTER_DAYS)


def _confirmed_on(kinds, organization: Organization) -> QuerySet:
    """Confirmed matches of the outer case on lists of these kinds, annotated with the list's date `on`."""
    return (
        Match.objects.filter(victim=OuterRef("pk"), status=MatchStatus.CONFIRMED, entry__released_list__kind__in=kinds)
        .annotate(
            on=Coalesce(
                "entry__released_list__published",
                TruncDate("entry__released_list__uploaded_at", tzinfo=organization.tzinfo),
                output_field=DateField(),
            )
        )
        .order_by()
    )


def missing_in_transit(
    victims: QuerySet, *, organization: Organization, now: datetime, days: int | None = None
) -> QuerySet:
    """The cases of `victims` (already scoped by the caller) missing in transit, each with `listed_released_on`.

    `days` defaults to the organisation's setting; the cut-off is the organisation's local date.
    """
    days = missing_after_days(organization) if days is None else days
    cutoff: date = timezone.localtime(now, organization.tzinfo).date() - timedelta(days=days)
    latest_release = _confirmed_on([ListKind.RELEASED], organization).order_by("-on").values("on")[:1]
    arrived_since = _confirmed_on(ARRIVAL_KINDS, organization).filter(on__gte=OuterRef("listed_released_on"))
    contact_since = (
        CaseNote.objects.filter(victim=OuterRef("pk"), kind__in=CONTACT_KINDS)
        .annotate(on=TruncDate("occurred_at", tzinfo=organization.tzinfo))
        .filter(on__gte=OuterRef("listed_released_on"))
    )
    # Only cases on some released list at all: a semi-join on the few confirmed matches, so the per-case subqueries
    # below run for those and not for every open case (Team at 100,000 cases: 968 ms for this query without it).
    released_ever = Match.objects.filter(status=MatchStatus.CONFIRMED, entry__released_list__kind=ListKind.RELEASED)
    return (
        victims.exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(pk__in=released_ever.values("victim_id"))
        .annotate(listed_released_on=Subquery(latest_release, output_field=DateField()))
        .filter(listed_released_on__lte=cutoff)
        .exclude(Exists(arrived_since))
        .exclude(Exists(contact_since))
    )


def days_since(released: date, *, organization: Organization, now: datetime) -> int:
    return (timezone.localtime(now, organization.tzinfo).date() - released).days
