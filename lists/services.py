"""Every write of the lists app: importing a list, sharing it, and deciding on its matches."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.permissions import Action, require
from cases import services as case_services
from cases.models import CaseNote, RescueRequest, Victim
from cases.services import VICTIM_TRANSITIONS
from cases.signals import list_match_confirmed
from places.codes import COUNTRY_NAMES_EN

from . import chunks
from .models import ListEntry, Match, ReleasedList
from .reading import Message, Table, validate
from .reading.rows import FIELD_LABELS

# The status a confirmed match on each kind of list offers the case next.
NEXT_STATUS = {
    ReleasedList.Kind.RELEASED: Victim.Status.RELEASED,
    ReleasedList.Kind.ARRIVED: Victim.Status.IN_SCREENING,
    ReleasedList.Kind.REPATRIATED: Victim.Status.REPATRIATED,
}
MESSAGES_KEPT = 500  # per import report; every row keeps its own messages on its entry


@dataclass
class ListImport:
    released_list: ReleasedList
    created: bool
    messages: list[Message] = field(default_factory=list)
    chunk_ids: list[int] = field(default_factory=list)


def _entry(released_list: ReleasedList, row) -> ListEntry:
    values = row.values
    birth = values.get("birth")
    kept = {k: v for k, v in values.items() if k not in ("birth", "full_name", "nationality", "sex")}
    if birth is not None:
        written = birth.date.isoformat() if birth.date else birth.age if birth.age is not None else birth.year
        kept["birth"] = str(written)
    return ListEntry(
        released_list=released_list,
        line=row.line,
        raw=json.dumps(list(row.raw), ensure_ascii=False),
        name=values.get("full_name", ""),
        values=json.dumps(kept, ensure_ascii=False, default=str),
        messages=chunks.dump_messages(row.messages),
        nationality=values.get("nationality", ""),
        birth_year=birth.year if birth and birth.age is None else None,
        age=birth.age if birth else None,
        sex=values.get("sex") or "",
        has_errors=not row.ok,
    )


def list_import(
    *,
    organization: Organization,
    uploaded_by: User | None,
    table: Table,
    mapping: dict[int, str],
    source: str,
    kind: str = ReleasedList.Kind.RELEASED,
    published: date | None = None,
    shared_with_all: bool = False,
    now: datetime | None = None,
) -> ListImport:
    """Store a list with its provenance and every row, plan its matching and queue it after the commit.

    The same file (same SHA-256) for the same organisation is recognised and returned, not imported twice.
    `uploaded_by=None` is the system (a command run by the platform's operator).
    """
    if uploaded_by is not None:
        require(uploaded_by, Action.IMPORT_LISTS, organization)
    if shared_with_all and uploaded_by is not None and not uploaded_by.is_superuser:
        raise ValidationError({"shared_with_all": _("Only a platform admin can share a list with every organisation.")})
    if not source.strip():
        raise ValidationError({"source": _("Say who published the list.")})
    if kind not in ReleasedList.Kind.values:
        raise ValidationError({"kind": _("Choose released, arrived, repatriated or other.")})
    existing = ReleasedList.objects.filter(organization=organization, sha256=table.sha256).first()
    if existing is not None:
        return ListImport(existing, created=False)
    rows = list(validate(table, mapping, published=published, countries=COUNTRY_NAMES_EN))
    messages = [m for row in rows for m in row.messages]
    with transaction.atomic():
        released_list = ReleasedList(
            organization=organization,
            kind=kind,
            source=source.strip(),
            published=published,
            file_name=table.filename[:255],
            sha256=table.sha256,
            uploaded_by=uploaded_by,
            uploaded_at=now or timezone.now(),
            shared_with_all=shared_with_all,
            headers=list(table.headers),
            mapping={str(k): v for k, v in mapping.items()},
            rows_total=len(rows),
            rows_with_errors=sum(1 for row in rows if not row.ok),
        )
        released_list.full_clean()
        released_list.save()
        ListEntry.objects.bulk_create([_entry(released_list, row) for row in rows], batch_size=1000)
        chunk_ids = [c.pk for c in chunks.plan_chunks(released_list)]
        chunks.queue_chunks(chunk_ids)
    return ListImport(released_list, created=True, messages=messages[:MESSAGES_KEPT], chunk_ids=chunk_ids)


def describe_mapping(table: Table, mapping: dict[int, str]) -> list[tuple[str, str]]:
    return [(table.column_label(i), str(FIELD_LABELS.get(f, f))) for i, f in sorted(mapping.items())]


def _decide(match: Match, *, status: str, user: User | None, now: datetime) -> Match:
    locked = Match.objects.select_for_update().get(pk=match.pk)
    if locked.status != Match.Status.SUGGESTED:
        raise ValidationError(_("This suggestion was already decided."))
    locked.status = status
    locked.decided_by = user
    locked.decided_at = now
    locked.save()
    return locked


def timeline_text(match: Match) -> str:
    released_list = match.entry.released_list
    return _("On the %(kind)s list #%(id)s (%(source)s), published %(published)s, row %(line)s.") % {
        "kind": released_list.get_kind_display().lower(),
        "id": released_list.pk,
        "source": released_list.source,
        "published": released_list.published.isoformat() if released_list.published else _("date unknown"),
        "line": match.entry.line,
    }


@transaction.atomic
def match_confirm(*, match: Match, confirmed_by: User | None, now: datetime | None = None) -> Match:
    """Confirm that the entry is this case's person: a note on the timeline, the follow-up becomes "confirm
    arrival" on a released list, and `list_match_confirmed` tells the apps above.
    """
    now = now or timezone.now()
    if confirmed_by is not None:
        require(confirmed_by, Action.REVIEW_MATCHES, match.organization)
    decided = _decide(match, status=Match.Status.CONFIRMED, user=confirmed_by, now=now)
    victim = decided.victim
    text = timeline_text(decided)
    open_request = RescueRequest.objects.filter(victim=victim).open().order_by("opened_at").first()
    if open_request is not None and decided.entry.released_list.kind == ReleasedList.Kind.RELEASED:
        case_services.rescue_request_log_update(
            request=open_request,
            author=confirmed_by,
            note=text + " " + _("Next follow-up: confirm arrival."),
            kind=CaseNote.Kind.AGENCY_UPDATE,
            now=now,
        )
    else:
        case_services.case_note_add(
            victim=victim, author=confirmed_by, body=text, kind=CaseNote.Kind.AGENCY_UPDATE, occurred_at=now
        )
    list_match_confirmed.send(sender=Match, victim=victim, entry=decided.entry, confirmed_by=confirmed_by)
    return decided


@transaction.atomic
def match_reject(*, match: Match, rejected_by: User | None, now: datetime | None = None) -> Match:
    """Say the entry is not this case's person; the suggestion is kept, marked rejected."""
    if rejected_by is not None:
        require(rejected_by, Action.REVIEW_MATCHES, match.organization)
    return _decide(match, status=Match.Status.REJECTED, user=rejected_by, now=now or timezone.now())


def match_bulk_confirm(
    *, match_ids: list[int], organization: Organization, confirmed_by: User, threshold: float, now=None
) -> int:
    """Confirm the suggestions the reviewer looked at a second time, if still suggested and above the threshold."""
    require(confirmed_by, Action.IMPORT_LISTS, organization)
    rows = Match.objects.visible_to(organization).filter(
        pk__in=match_ids, status=Match.Status.SUGGESTED, score__gte=threshold, rank=1
    )
    confirmed = 0
    for match in rows.select_related("entry__released_list", "victim"):
        match_confirm(match=match, confirmed_by=confirmed_by, now=now)
        confirmed += 1
    return confirmed


def next_status_for(match: Match) -> str | None:
    """The status a confirmed match offers its case, when the case may go there from where it is."""
    wanted = NEXT_STATUS.get(match.entry.released_list.kind)
    if wanted and wanted in VICTIM_TRANSITIONS.get(match.victim.status, set()):
        return wanted
    return None


def list_share(*, released_list: ReleasedList, shared_by: User) -> ReleasedList:
    """A platform admin shares a list with every organisation; matching is planned for the others' cases."""
    if not shared_by.is_superuser:
        raise ValidationError(_("Only a platform admin can share a list with every organisation."))
    with transaction.atomic():
        locked = ReleasedList.objects.select_for_update().get(pk=released_list.pk)
        if locked.shared_with_all:
            return locked
        locked.shared_with_all = True
        locked.save()
        planned = set(locked.chunks.values_list("organization_id", flat=True))
        others = [org for org in Organization.objects.order_by("pk") if org.pk not in planned]
        chunks.queue_chunks([c.pk for c in chunks.plan_chunks(locked, others)])
    return locked
