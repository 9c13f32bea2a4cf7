"""Where the released lists meet the way home: a confirmed match on an arrived or repatriated list completes
the step it proves. Listens to `cases.signals.list_match_confirmed`; never imports the lists app."""

import logging
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from .models import BatchMember, ListSighting
from .services import member_record_steps

logger = logging.getLogger(__name__)


def _entry_facts(entry) -> tuple[str, date | None]:
    """The kind and publication date of the list an entry is on (lists.ListEntry.released_list: kind, published)."""
    published = getattr(entry, "list", None) or getattr(entry, "released_list", None) or entry
    kind = str(getattr(published, "kind", "") or "other")
    if kind not in ListSighting.Kind.values:
        kind = ListSighting.Kind.OTHER
    when = getattr(published, "published", None) or getattr(published, "published_on", None)
    if isinstance(when, datetime):
        when = when.date()
    return kind, when


def on_list_match_confirmed(sender, *, victim, entry, confirmed_by=None, **kwargs) -> None:
    """Remember the sighting; an arrived list records the arrival (and the departure if none was recorded),
    a repatriated list the departure, of the person's active batch membership."""
    if entry is None or getattr(entry, "pk", None) is None:
        return  # a confirmation without a stored list entry (e.g. announced by another app) proves no step
    kind, published_on = _entry_facts(entry)
    now = timezone.now()
    with transaction.atomic():
        ListSighting.objects.get_or_create(
            victim=victim,
            entry_id=entry.pk,
            defaults={
                "organization_id": victim.organization_id,
                "list_kind": kind,
                "published_on": published_on,
                "confirmed_by": confirmed_by,
                "confirmed_at": now,
            },
        )
        if kind not in (ListSighting.Kind.ARRIVED, ListSighting.Kind.REPATRIATED):
            return
        member = BatchMember.objects.filter(victim=victim, status=BatchMember.Status.ACTIVE).first()
        if member is None:
            return
        tz = victim.organization.tzinfo
        moment = now
        if published_on is not None and published_on < timezone.localdate(now, tz):
            moment = timezone.make_aware(datetime.combine(published_on, time(12)), tz)
        changes = {}
        if member.departed_at is None:
            changes["departed_at"] = min(moment, now)
        if kind == ListSighting.Kind.ARRIVED and member.arrived_at is None:
            changes["arrived_at"] = max(moment, member.departed_at or changes["departed_at"])
        if changes:
            try:
                with transaction.atomic():
                    member_record_steps(member=member, recorded_by=confirmed_by, now=now, **changes)
            except Exception as error:  # a blocked member keeps the sighting; the caseworker completes the step
                logger.info("list match for batch member %s left the step open: %s", member.pk, type(error).__name__)
