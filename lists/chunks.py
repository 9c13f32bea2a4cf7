"""Matching split into chunks: planned per list and organisation, each claimed once by a worker (or the
command that imported the list), progress counted from the chunks that are done.
"""

import json
from datetime import timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Organization
from cases.models import Victim
from core import crypto

from .matching import MAX_CANDIDATES, CaseFacts, EntryFacts, case_person, entry_person, identifier_hits, reasons_json
from .matching import suggest as suggest_for
from .models import ListEntry, Match, MatchChunk, ReleasedList

CHUNK_SIZE = 500
STALE_AFTER = timedelta(minutes=15)  # a chunk claimed this long ago by a worker that died is claimed again


def organizations_for(released_list: ReleasedList) -> list[Organization]:
    """Whose cases a list is matched against: its organisation's, or every organisation's when shared."""
    if released_list.shared_with_all:
        return list(Organization.objects.order_by("pk"))
    return [released_list.organization]


def plan_chunks(released_list: ReleasedList, organizations: list[Organization] | None = None) -> list[MatchChunk]:
    """Cut the list's matchable rows (those with a name) into chunks, one set per organisation."""
    lines = list(
        released_list.entries.exclude(name="").order_by("line").values_list("line", flat=True)
    )  # name is encrypted: "" is the only value that can be compared
    chunks = []
    for organization in organizations or organizations_for(released_list):
        for start in range(0, len(lines), CHUNK_SIZE):
            part = lines[start : start + CHUNK_SIZE]
            chunks.append(
                MatchChunk(
                    released_list=released_list,
                    organization=organization,
                    first_line=part[0],
                    last_line=part[-1],
                    size=len(part),
                )
            )
    return MatchChunk.objects.bulk_create(chunks)


def queue_chunks(chunk_ids: list[int]) -> None:
    """Queue one Celery task per chunk once the transaction that created them commits."""
    from .tasks import match_chunk_task

    def send():
        for chunk_id in chunk_ids:
            match_chunk_task.delay(chunk_id)

    transaction.on_commit(send)


def claim(chunk_id: int, *, now=None) -> bool:
    """Take a chunk for this process; False when another took it (and is not stale) or it is done."""
    now = now or timezone.now()
    stale = Q(status=MatchChunk.Status.RUNNING, claimed_at__lt=now - STALE_AFTER)
    claimable = Q(status=MatchChunk.Status.PENDING) | stale
    return bool(
        MatchChunk.objects.filter(claimable, pk=chunk_id).update(status=MatchChunk.Status.RUNNING, claimed_at=now)
    )


def next_pending(released_list_id: int) -> int | None:
    return (
        MatchChunk.objects.filter(released_list_id=released_list_id, status=MatchChunk.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _entry_facts(released_list: ReleasedList, entries) -> list[EntryFacts]:
    published = released_list.published_or_uploaded
    facts = []
    for entry in entries:
        values = entry.value_dict()
        facts.append(
            EntryFacts(
                entry_id=entry.pk,
                name=entry.name,
                person=entry_person(
                    birth_year=entry.birth_year,
                    age=entry.age,
                    sex=entry.sex,
                    nationality=entry.nationality,
                    published=published,
                ),
                passport=values.get("passport_number", ""),
                phones=tuple(values.get("phone", ())),
            )
        )
    return facts


def _stored_names(full_name: str, names_in_compound: str) -> tuple[str, ...]:
    """Decrypt a candidate's names (their ciphertexts, as stored) when it is scored."""
    from cases import name_index

    full = crypto.decrypt(full_name, label="cases.Victim.full_name") if full_name else ""
    aliases = crypto.decrypt(names_in_compound, label="cases.Victim.names_in_compound") if names_in_compound else ""
    return tuple(name_index.names_of(full, aliases))


def match_entries(released_list: ReleasedList, organization: Organization, entries) -> list[Match]:
    """Suggestions for these entries among the organisation's cases (unsaved Match rows).

    Three queries for the chunk, whatever its size: the candidates of every entry from the name index (one
    grouped lookup), the identifiers (passport, phone), and the candidates' facts with their names still
    encrypted; a name is decrypted only when its case is scored (see lists.matching.suggest).
    """
    from cases import name_index  # the case file's one name index (cases/name_index.py)

    facts = _entry_facts(released_list, entries)
    victims = Victim.objects.visible_to(organization).filter(redacted_at__isnull=True)
    identifiers = identifier_hits(facts, organization_id=organization.pk, victims=victims)
    shared = name_index.candidates_for_each(organization.pk, [entry.name for entry in facts], limit=MAX_CANDIDATES)
    wanted: dict[int, set[int]] = {}
    for entry, found in zip(facts, shared, strict=True):
        wanted[entry.entry_id] = {victim_id for victim_id, _count in found} | set(identifiers.get(entry.entry_id, {}))
    all_ids = set().union(*wanted.values()) if wanted else set()
    cases: dict[int, CaseFacts] = {}
    columns = ("pk", "birth_year", "estimated_age", "created_at", "sex", "citizenship", "stored_name", "stored_aliases")
    ids = sorted(all_ids)
    stored = {"stored_name": Cast("full_name", TextField()), "stored_aliases": Cast("names_in_compound", TextField())}
    batch = 900 if connection.features.max_query_params else max(len(ids), 1)  # SQLite: 999 parameters a query
    for start in range(0, len(ids), batch):
        rows = victims.filter(pk__in=ids[start : start + batch]).annotate(**stored).values_list(*columns)
        for pk, birth_year, age, created_at, sex, citizenship, full_name, aliases in rows:
            person = case_person(
                birth_year=birth_year, estimated_age=age, created_at=created_at, sex=sex, citizenship=citizenship
            )
            cases[pk] = CaseFacts(pk, None, person, load_names=partial(_stored_names, full_name, aliases))
    now = timezone.now()
    matches = []
    for entry in facts:
        candidates = [cases[pk] for pk in sorted(wanted[entry.entry_id]) if pk in cases]
        for rank, found in enumerate(suggest_for(entry, candidates, identifiers.get(entry.entry_id)), start=1):
            matches.append(
                Match(
                    organization=organization,
                    entry_id=found.entry_id,
                    victim_id=found.victim_id,
                    score=found.score,
                    rank=rank,
                    reasons=reasons_json(found.reasons),
                    created_at=now,
                )
            )
    return matches


def run_chunk(chunk_id: int) -> dict[str, int]:
    """Match one claimed chunk and mark it done. Running it again replaces its suggestions, never its decisions."""
    chunk = MatchChunk.objects.select_related("released_list", "organization").get(pk=chunk_id)
    entries = list(
        ListEntry.objects.filter(
            released_list=chunk.released_list, line__gte=chunk.first_line, line__lte=chunk.last_line
        )
        .exclude(name="")
        .only("pk", "line", "name", "values", "birth_year", "age", "sex", "nationality")
    )  # the row as written and its messages stay encrypted: matching needs neither
    matches = match_entries(chunk.released_list, chunk.organization, entries)
    with transaction.atomic():
        existing = Match.objects.filter(organization=chunk.organization, entry__in=entries)
        existing.filter(status=Match.Status.SUGGESTED).delete()
        decided = set(existing.values_list("entry_id", "victim_id"))
        Match.objects.bulk_create([m for m in matches if (m.entry_id, m.victim_id) not in decided])
        MatchChunk.objects.filter(pk=chunk_id).update(status=MatchChunk.Status.DONE, finished_at=timezone.now())
    return {"rows": len(entries), "suggestions": len(matches)}


def work_chunk(chunk_id: int) -> dict[str, int]:
    """Claim and run a chunk; nothing when another process has it."""
    if not claim(chunk_id):
        return {"rows": 0, "suggestions": 0, "skipped": 1}
    return run_chunk(chunk_id)


def progress(released_list: ReleasedList, organization: Organization | None = None) -> dict:
    """Rows matched out of rows to match, for one organisation or (None) every organisation the list goes to."""
    chunks = MatchChunk.objects.filter(released_list=released_list)
    if organization is not None:
        chunks = chunks.filter(organization=organization)
    totals = chunks.aggregate(total=Sum("size"), done=Sum("size", filter=Q(status=MatchChunk.Status.DONE)))
    total, done = totals["total"] or 0, totals["done"] or 0
    return {"done": done, "total": total, "finished": done >= total}


def dump_messages(messages) -> str:
    return json.dumps([{"level": m.level, "text": m.text} for m in messages], ensure_ascii=False)
