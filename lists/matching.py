"""Score one chunk of a list against one organisation's cases: candidates from the name index and the blind
indexes (passport, phone), never a cross product; rapidfuzz scores on the transliterated names plus evidence.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core import crypto
from core.names import THRESHOLD, Person, best_possible, parse, score

MAX_CANDIDATES = 30  # per entry, the victims sharing most name keys
MAX_SUGGESTIONS = 3  # per entry and organisation
SUGGESTION_FLOOR = 0.6  # below this a suggestion only wastes a reviewer's time
IDENTIFIER_SCORE = 1.0  # an equal passport or phone number decides

# HTCDS sex codes on a case -> the M/F a list gives.
CASE_SEX = {"Masculine": "M", "TransgenderMasculine": "M", "Feminine": "F", "TransgenderFeminine": "F"}


@dataclass
class EntryFacts:
    """What matching needs of a list row, decrypted in memory only."""

    entry_id: int
    name: str
    person: Person
    passport: str = ""
    phones: tuple[str, ...] = ()


@dataclass
class CaseFacts:
    """A candidate case. Its names may come later: `load_names` decrypts them when the case is scored at all."""

    victim_id: int
    names: tuple[str, ...] | None  # the full name, then the names used in the compound (None: not read yet)
    person: Person
    load_names: Callable[[], tuple[str, ...]] | None = None

    def name_list(self) -> tuple[str, ...]:
        if self.names is None:
            self.names = self.load_names() if self.load_names else ()
        return self.names


@dataclass
class Suggestion:
    entry_id: int
    victim_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


def entry_person(*, birth_year, age, sex, nationality, published: date) -> Person:
    if age is not None:
        return Person(age=age, age_in_year=published.year, sex=sex or None, nationality=nationality or None)
    return Person(birth_year=birth_year, sex=sex or None, nationality=nationality or None)


def case_person(*, date_of_birth=None, estimated_age, created_at, sex, citizenship, birth_year=None) -> Person:
    """`birth_year` (the case's clear year column) stands for `date_of_birth`, which is encrypted."""
    if date_of_birth or birth_year:
        return Person(
            birth_year=date_of_birth.year if date_of_birth else birth_year,
            sex=CASE_SEX.get(sex),
            nationality=citizenship or None,
        )
    if estimated_age is not None:
        return Person(
            age=estimated_age, age_in_year=created_at.year, sex=CASE_SEX.get(sex), nationality=citizenship or None
        )
    return Person(sex=CASE_SEX.get(sex), nationality=citizenship or None)


def identifier_hits(entries: list[EntryFacts], *, organization_id: int, victims) -> dict[int, dict[int, str]]:
    """entry id -> {victim id: reason} for equal passports and phone numbers, two queries for the chunk."""
    hits: dict[int, dict[int, str]] = {}
    by_passport: dict[str, list[int]] = {}
    for entry in entries:
        digest = crypto.passport_index(organization_id=organization_id, passport_number=entry.passport)
        if digest:
            by_passport.setdefault(digest, []).append(entry.entry_id)
    if by_passport:
        rows = victims.filter(passport_index__in=list(by_passport)).values_list("pk", "passport_index")
        for victim_id, digest in rows:
            for entry_id in by_passport.get(digest, ()):
                hits.setdefault(entry_id, {})[victim_id] = "same passport number"
    by_phone: dict[str, list[int]] = {}
    for entry in entries:
        if entry.phones:
            numbers = "\n".join(entry.phones)
            for digest in crypto.phone_lookup_digests(organization_id=organization_id, phone_numbers=numbers):
                by_phone.setdefault(digest, []).append(entry.entry_id)
    if by_phone:
        from django.db.models import Q

        condition = Q()
        for digest in by_phone:
            condition |= Q(phone_index__contains=digest)
        for victim_id, stored in victims.filter(condition).values_list("pk", "phone_index"):
            for digest in set(stored.split()) & set(by_phone):
                for entry_id in by_phone[digest]:
                    hits.setdefault(entry_id, {}).setdefault(victim_id, "same phone number")
    return hits


def _ranked(found: list[Suggestion]) -> list[Suggestion]:
    return sorted(found, key=lambda s: (-s.score, s.victim_id))


def suggest(
    entry: EntryFacts, candidates: list[CaseFacts], identifiers: dict[int, str] | None = None
) -> list[Suggestion]:
    """The entry's best suggestions among its candidates, best first, each with its reasons.

    A candidate is compared by name only when it could still be kept: the evidence alone (birth year, sex,
    nationality) bounds its score, so one that cannot reach SUGGESTION_FLOOR, or the third best found so far,
    is never scored and its names are never decrypted. The result is what scoring every candidate would give.
    """
    identifiers = identifiers or {}
    bounded = []
    for case in candidates:
        best = IDENTIFIER_SCORE if case.victim_id in identifiers else best_possible(entry.person, case.person)
        if best >= SUGGESTION_FLOOR:
            bounded.append((best, case))
    bounded.sort(key=lambda item: (-item[0], item[1].victim_id))
    parsed = parse(entry.name) if bounded else None
    found: list[Suggestion] = []
    for best, case in bounded:
        if len(found) >= MAX_SUGGESTIONS and best < _ranked(found)[MAX_SUGGESTIONS - 1].score:
            break  # every candidate left scores below the three kept
        names = case.name_list()
        results = [score(parsed, parse(name), a_person=entry.person, b_person=case.person) for name in names]
        if not results:
            continue
        result = max(results, key=lambda r: r.score)
        if result is not results[0]:
            result.reasons.insert(0, "matches a name used in the compound")
        reasons = list(result.reasons)
        total = result.score
        if case.victim_id in identifiers:
            reasons.insert(0, identifiers[case.victim_id])
            total = IDENTIFIER_SCORE
        if total >= SUGGESTION_FLOOR:
            found.append(Suggestion(entry.entry_id, case.victim_id, round(total, 4), reasons))
    return _ranked(found)[:MAX_SUGGESTIONS]


def reasons_json(reasons: list[str]) -> str:
    return json.dumps(reasons, ensure_ascii=False)


__all__ = [
    "MAX_CANDIDATES",
    "THRESHOLD",
    "CaseFacts",
    "EntryFacts",
    "Suggestion",
    "case_person",
    "entry_person",
    "identifier_hits",
    "reasons_json",
    "suggest",
]
