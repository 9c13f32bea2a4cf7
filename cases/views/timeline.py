"""The case page's timeline: notes, evidence, status changes, rescue requests and referrals merged, newest first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # note, evidence, status, request, referral: also the CSS modifier
    title: str
    body: str = ""
    by: object = None
    restricted: bool = False


#: Apps above the case file add their entries here (in their ready()): `source(victim, TimelineEntry) -> list`.
TIMELINE_SOURCES: list[Callable] = []


def build_timeline(*, notes, status_changes, requests, referrals, victim=None, evidence=()) -> list[TimelineEntry]:
    """Everything that happened on a case, newest first. `evidence`: the files this viewer may see."""
    entries: list[TimelineEntry] = []
    for source in TIMELINE_SOURCES if victim is not None else ():
        entries.extend(source(victim, TimelineEntry))
    for note in notes:
        entries.append(
            TimelineEntry(
                when=note.occurred_at,
                kind="note",
                title=note.get_kind_display(),
                body=note.body,
                by=note.author,
                restricted=note.is_restricted,
            )
        )
    for item in evidence:
        who = item.added_by.display_name or item.added_by.email
        entries.append(
            TimelineEntry(
                when=item.added_at,
                kind="evidence",
                title=_("Evidence added by %(who)s: %(kind)s") % {"who": who, "kind": item.get_kind_display()},
                body=item.description,
                restricted=item.is_restricted,
            )
        )
    for change in status_changes:
        entries.append(
            TimelineEntry(
                when=change.changed_at,
                kind="status",
                title=_("Status: %(from)s → %(to)s")
                % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
                body=change.reason,
                by=change.changed_by,
            )
        )
    for rescue in requests:
        entries.append(
            TimelineEntry(
                when=rescue.opened_at,
                kind="request",
                title=_("Rescue request #%(id)s opened (%(priority)s)")
                % {"id": rescue.pk, "priority": rescue.get_priority_display()},
                by=rescue.created_by,
            )
        )
        if rescue.closed_at:
            entries.append(
                TimelineEntry(
                    when=rescue.closed_at,
                    kind="request",
                    title=_("Rescue request #%(id)s closed: %(status)s")
                    % {"id": rescue.pk, "status": rescue.get_status_display()},
                    body=rescue.outcome,
                )
            )
    for referral in referrals:
        agency = referral.agency.name
        entries.append(
            TimelineEntry(
                when=referral.created_at,
                kind="referral",
                title=_("Referral to %(agency)s drafted") % {"agency": agency},
                body=referral.override_reason
                and _("Vital-interest override: %(reason)s") % {"reason": referral.override_reason},
                by=referral.created_by,
            )
        )
        if referral.sent_at:
            entries.append(
                TimelineEntry(
                    when=referral.sent_at,
                    kind="referral",
                    title=_("Referral sent to %(agency)s") % {"agency": agency},
                    by=referral.sent_by,
                )
            )
        if referral.acknowledged_at:
            entries.append(
                TimelineEntry(
                    when=referral.acknowledged_at,
                    kind="referral",
                    title=_("%(agency)s acknowledged the referral") % {"agency": agency},
                    body=referral.agency_reference
                    and _("Their reference: %(ref)s") % {"ref": referral.agency_reference},
                )
            )
        if referral.closed_at:
            entries.append(
                TimelineEntry(
                    when=referral.closed_at,
                    kind="referral",
                    title=_("Referral to %(agency)s: %(status)s")
                    % {"agency": agency, "status": referral.get_status_display()},
                    body=referral.decline_reason or referral.response_note,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
