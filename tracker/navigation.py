"""The navigation's counts (overdue, due today, awaiting an agency) of one member, kept briefly in the shared cache.

Every signed-in page shows them, and their query (four counts) was about a third of a small page's CPU. With
`NAVIGATION_COUNTS_CACHE_SECONDS` above 0 (the default when REDIS_URL gives every worker one cache), a member's
counts are reused until the first of:
- a rescue request assigned to them (before or after the change) or a referral they sent is saved or deleted, once
  that transaction commits: their generation changes (the organisation's, for every member, when the organisation
  itself is saved, e.g. its time zone, or when a row was loaded without the member it had);
- a count would change by the clock alone: one of the member's open requests falls due, or the local day ends;
  `audit.trail.audited_update()` (a case's requests following its new assignee) says so too (`rows_updated`);
- NAVIGATION_COUNTS_CACHE_SECONDS pass (a plain `QuerySet.update()` bypasses the signals: it shows by then).
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


def _generation_key(organization_id: int, user_id: int | None = None) -> str:
    """The organisation's generation (every member), or one member's in it."""
    return f"nav-counts-generation:{organization_id}" + ("" if user_id is None else f":{user_id}")


def _entry_key(organization_id: int, user_id: int) -> str:
    return f"nav-counts:{organization_id}:{user_id}"


def _generations(found: dict, keys: list[str]) -> list[str]:
    """The generations under `keys`, starting any that is missing (never written, or evicted)."""
    generations = []
    for key in keys:
        if found.get(key) is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
        generations.append(found[key])
    return generations


def navigation_counts(*, user: User, organization: Organization, now: datetime) -> dict[str, int]:
    """The member's four navigation counts, from the cache while still right (module docstring), else counted."""
    seconds = settings.NAVIGATION_COUNTS_CACHE_SECONDS
    if seconds <= 0:
        return my_work(user=user, organization=organization, now=now, limit=0).counts
    keys = [_generation_key(organization.pk), _generation_key(organization.pk, user.pk)]
    entry_key = _entry_key(organization.pk, user.pk)
    found = cache.get_many([*keys, entry_key])
    entry = found.get(entry_key)
    if entry is not None and entry["generations"] == [found.get(key) for key in keys] and now < entry["until"]:
        return entry["counts"]
    generations = _generations(found, keys)  # read before counting, so a write meanwhile shows next time
    also = {"next_change": next_count_change_expression(user=user, organization=organization, now=now)}
    counts = my_work(user=user, organization=organization, now=now, limit=0, also=also).counts
    next_change = counts.pop("next_change")
    until = min(now + timedelta(seconds=seconds), end_of_local_day(now=now, organization=organization))
    if next_change is not None:
        until = min(until, next_change)
    cache.set(entry_key, {"generations": generations, "until": until, "counts": counts}, timeout=seconds)
    return counts


def work_changed(organization_id: int | None, user_ids=()) -> None:
    """These members' cached counts in this organisation (every member's, without `user_ids`) are out of date
    once the current transaction commits."""
    if organization_id is None or settings.NAVIGATION_COUNTS_CACHE_SECONDS <= 0:
        return
    keys = [_generation_key(organization_id, user_id) for user_id in set(user_ids)] or [
        _generation_key(organization_id)
    ]
    transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), timeout=None))


# The member fields whose users' counts a row counts in: the assignee of a request, the sender of a referral.
MEMBER_FIELDS = {"RescueRequest": "assigned_to_id", "AgencyReferral": "sent_by_id"}
LOADED = "_navigation_member_at_load"


def _remember_member(sender, instance, **kwargs) -> None:
    # From __dict__: a field left out of the query (.only()) is not loaded here, and is then "unknown".
    instance.__dict__[LOADED] = instance.__dict__.get(MEMBER_FIELDS[sender.__name__], "unknown")


def _row_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Organization):
        work_changed(instance.pk)
        return
    before = instance.__dict__.get(LOADED, None if kwargs.get("created") else "unknown")
    now = instance.__dict__.get(MEMBER_FIELDS[sender.__name__], "unknown")
    if "unknown" in (before, now):
        work_changed(instance.organization_id)
    elif members := [user_id for user_id in (before, now) if user_id is not None]:
        work_changed(instance.organization_id, members)  # nobody's counts change for a row no member holds
    instance.__dict__[LOADED] = now


def _rows_updated(sender, rows, values, **kwargs) -> None:
    """`audit.trail.audited_update()` of requests or referrals (a case's requests following its new assignee)."""
    field = MEMBER_FIELDS.get(sender.__name__)
    if field is None:
        return
    written = values.get(field.removesuffix("_id"), values.get(field, "unchanged"))
    for row in rows:
        members = {row.__dict__.get(field, "unknown"), getattr(written, "pk", written)} - {"unchanged", None}
        if "unknown" in members:
            work_changed(row.organization_id)
        elif members:
            work_changed(row.organization_id, members)


def connect_signals() -> None:
    """Called from TrackerConfig.ready(): the writes that change someone's counts."""
    from django.db.models.signals import post_delete, post_init, post_save

    from audit.trail import rows_updated
    from cases.models import AgencyReferral, RescueRequest

    rows_updated.connect(_rows_updated, dispatch_uid="nav-counts-rows-updated")

    for model in (RescueRequest, AgencyReferral):
        post_init.connect(_remember_member, sender=model, dispatch_uid=f"nav-counts-{model.__name__}-loaded")
    for model in (RescueRequest, AgencyReferral, Organization):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"nav-counts-{model.__name__}-saved")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"nav-counts-{model.__name__}-deleted")
