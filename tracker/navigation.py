"""The navigation's counts (overdue, due today, awaiting an agency) of one member, kept briefly in the shared cache.

Every signed-in page shows them, and their query (four counts) was about a third of a small page's CPU. With
`NAVIGATION_COUNTS_CACHE_SECONDS` above 0 (the default when REDIS_URL gives every worker one cache), a member's
counts are reused until the first of:
- a rescue request or referral of the organisation (or the organisation itself: its time zone) is saved or deleted,
  once that transaction commits: the organisation's generation changes, and every member's counts with it;
- a count would change by the clock alone: one of the member's open requests falls due, or the local day ends;
- NAVIGATION_COUNTS_CACHE_SECONDS pass (a write that bypasses the signals, `QuerySet.update()`, shows by then).
Without a shared cache (one process memory per gunicorn worker) a write in one worker would not reach the
others, so the setting is 0 there and every page counts afresh.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import Organization, User

from .dashboard import end_of_local_day, my_work, next_count_change_expression


def _generation_key(organization_id: int) -> str:
    return f"nav-counts-generation:{organization_id}"


def _entry_key(organization_id: int, user_id: int) -> str:
    return f"nav-counts:{organization_id}:{user_id}"


def navigation_counts(*, user: User, organization: Organization, now: datetime) -> dict[str, int]:
    """The member's four navigation counts, from the cache while still right (module docstring), else counted."""
    seconds = settings.NAVIGATION_COUNTS_CACHE_SECONDS
    if seconds <= 0:
        return my_work(user=user, organization=organization, now=now, limit=0).counts
    generation_key, entry_key = _generation_key(organization.pk), _entry_key(organization.pk, user.pk)
    found = cache.get_many([generation_key, entry_key])
    generation, entry = found.get(generation_key), found.get(entry_key)
    if entry is not None and generation is not None and entry["generation"] == generation and now < entry["until"]:
        return entry["counts"]
    if generation is None:  # never written, or evicted: start one (read before counting, so a write meanwhile shows)
        cache.add(generation_key, uuid.uuid4().hex, timeout=None)
        generation = cache.get(generation_key)
    also = {"next_change": next_count_change_expression(user=user, organization=organization, now=now)}
    counts = my_work(user=user, organization=organization, now=now, limit=0, also=also).counts
    next_change = counts.pop("next_change")
    until = min(now + timedelta(seconds=seconds), end_of_local_day(now=now, organization=organization))
    if next_change is not None:
        until = min(until, next_change)
    cache.set(entry_key, {"generation": generation, "until": until, "counts": counts}, timeout=seconds)
    return counts


def organization_work_changed(organization_id: int | None) -> None:
    """Every member's cached counts in this organisation are out of date once the current transaction commits."""
    if organization_id is None or settings.NAVIGATION_COUNTS_CACHE_SECONDS <= 0:
        return
    transaction.on_commit(lambda: cache.set(_generation_key(organization_id), uuid.uuid4().hex, timeout=None))


def _row_changed(sender, instance, **kwargs) -> None:
    organization_work_changed(instance.pk if isinstance(instance, Organization) else instance.organization_id)


def connect_signals() -> None:
    """Called from TrackerConfig.ready(): the writes that change someone's counts."""
    from django.db.models.signals import post_delete, post_save

    from cases.models import AgencyReferral, RescueRequest

    for model in (RescueRequest, AgencyReferral, Organization):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"nav-counts-{model.__name__}-saved")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"nav-counts-{model.__name__}-deleted")
