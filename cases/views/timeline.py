"""The case page's timeline: notes, evidence, status changes, rescue requests and referrals merged, newest first.

Status changes and the entries of the apps above (TIMELINE_SOURCES) are read in one UNION ALL of rows of one shape
(`timeline_rows`); the case page adds the referral form's agencies to the same query (`timeline_and_extra_rows`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import VictimStatusChange


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # note, evidence, status, request, referral: also the CSS modifier
    title: str
    body: str = ""
    by: object = None
    restricted: bool = False


@dataclass(frozen=True)
class TimelineSource:
    """An app's entries on the timeline: `rows(victim)` gives querysets in `timeline_rows`' shape whose `origin`
    is one of `names`; `entry(row, TimelineEntry)` makes each row an entry."""

    names: tuple[str, ...]
    rows: Callable
    entry: Callable


#: Apps above the case file add their entries here (in their ready()).
TIMELINE_SOURCES: list[TimelineSource] = []


def timeline_rows(queryset, *, origin: str, when, code, text, by: str | None):
    """A table's rows in the shape every timeline query shares: (origin, when, code, text, by_id, by_name)."""
    empty = Value("", output_field=CharField())
    return queryset.order_by().values(
        origin=Value(origin, output_field=CharField()),
        when=F(when) if isinstance(when, str) else when,
        code=F(code) if isinstance(code, str) else code,
        text=F(text) if isinstance(text, str) else text,
        by_id=F(by) if by else Value(None, output_field=CharField()),
        by_name=F(f"{by}__display_name") if by else empty,
    )


def _status_rows(victim):
    return timeline_rows(
        VictimStatusChange.objects.filter(victim=victim),
        origin="status",
        when="changed_at",
        code=Concat("from_status", Value(" "), "to_status", output_field=CharField()),
        text="reason",
        by="changed_by",
    )


def _status_entry(row, entry_type) -> TimelineEntry:
    from_status, to_status = row["code"].split(" ")
    change = VictimStatusChange(from_status=from_status, to_status=to_status)
    by = User(pk=row["by_id"], display_name=row["by_name"]) if row["by_id"] else None
    return entry_type(
        when=row["when"],
        kind="status",
        title=_("Status: %(from)s → %(to)s")
        % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
        body=row["text"] or "",
        by=by,
    )


@dataclass
class TimelineRows:
    status: list[TimelineEntry]  # the case's status changes
    apps: list[TimelineEntry]  # the entries of TIMELINE_SOURCES
    extra: list[dict]  # the rows of the `extra` querysets, ordered by origin, code and text


def timeline_and_extra_rows(victim, *extra) -> TimelineRows:
    """The case's status changes and the other apps' timeline entries, read in one query together with `extra`
    querysets of the same shape (the case page's agencies)."""
    status = TimelineSource(("status",), _status_rows, _status_entry)
    querysets = [queryset for source in (status, *TIMELINE_SOURCES) for queryset in _as_list(source.rows(victim))]
    querysets += extra
    union = querysets[0].union(*querysets[1:], all=True).order_by("origin", "code", "text")
    entry_of = {name: source.entry for source in TIMELINE_SOURCES for name in source.names}
    rows = TimelineRows(status=[], apps=[], extra=[])
    for row in union:
        if row["origin"] == "status":
            rows.status.append(_status_entry(row, TimelineEntry))
        elif row["origin"] in entry_of:
            rows.apps.append(entry_of[row["origin"]](row, TimelineEntry))
        else:
            rows.extra.append(row)
    rows.status.sort(key=lambda entry: entry.when, reverse=True)
    return rows


def _as_list(rows) -> list:
    return list(rows) if isinstance(rows, list | tuple) else [rows]


def build_timeline(*, notes, rows: TimelineRows, requests, referrals, evidence=()) -> list[TimelineEntry]:
    """Everything that happened on a case, newest first. `rows`: the status changes and the other apps' entries
    (`timeline_and_extra_rows`); `evidence`: the files this viewer may see."""
    entries: list[TimelineEntry] = list(rows.apps)
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
    entries.extend(rows.status)
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
