"""Possible duplicates of a person being logged: same passport, same phone, or the same name in any script.

Only the user's own organisation is searched. Matching stays cheap at any caseload: passports and phone
numbers are compared through their blind index (keyed digests, `cases.identifiers`) in one SQL query; names
through the name index (`cases.name_index`: keyed digests of name-part pairs, so "Li Wei", "李伟" and "Wei Li"
meet) in another. The few cases found are loaded once and scored by `core.names.score`, where birth year, sex
and nationality count as evidence: the same name twenty years apart, or of another sex, is another person.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import Organization
from core import crypto
from core.names import THRESHOLD, Person, parse, score

from . import name_index
from .identifiers import victims_with_same_identifiers
from .models import Victim

AGE_TOLERANCE_YEARS = 2
MAX_NAME_CANDIDATES = 200  # the cases sharing the most name pairs; a common surname alone does not reach them
MAX_RESULTS = 10
NAME_SEPARATORS = name_index.NAME_SEPARATORS


def _years_before(day: date, years: int) -> date:
    year = day.year - years
    if year < date.min.year:  # an absurd age: every date is after it
        return date.min
    if year > date.max.year:
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=year, day=28)


def age_on(*, date_of_birth: date | None, estimated_age: int | None, today: date) -> int | None:
    if date_of_birth:
        return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    return estimated_age


@dataclass
class PossibleDuplicate:
    victim: Victim | None = None
    identifier_reasons: list[str] = field(default_factory=list)  # "same passport number", "same phone number"
    name_reason: str = ""  # the best name similarity found, e.g. "similar name (92% alike)"
    name_score: int = 0

    @property
    def reasons(self) -> list[str]:
        return [*self.identifier_reasons, *([self.name_reason] if self.name_reason else [])]


@dataclass
class DuplicateSearch:
    matches: list[PossibleDuplicate]
    name_candidates_capped: bool = False

    @property
    def victim_ids(self) -> list[int]:
        return [match.victim.pk for match in self.matches]


def find_possible_duplicates(
    *,
    organization: Organization,
    today: date,
    full_name: str = "",
    names_in_compound: str = "",
    citizenship: str = "",
    date_of_birth: date | None = None,
    estimated_age: int | None = None,
    passport_number: str = "",
    phone_numbers: str = "",
    sex: str = "",
    exclude_pk: int | None = None,
) -> DuplicateSearch:
    """Cases of `organization` that may be the same person, strongest evidence first. At most three queries."""
    victims = Victim.objects.visible_to(organization)
    if exclude_pk is not None:
        victims = victims.exclude(pk=exclude_pk)
    found: dict[int, PossibleDuplicate] = {}

    def note_identifier(pk: int, reason: str) -> None:
        match = found.setdefault(pk, PossibleDuplicate())
        if reason not in match.identifier_reasons:
            match.identifier_reasons.append(reason)

    def note_name(pk: int, score: int) -> None:
        match = found.setdefault(pk, PossibleDuplicate())
        if score > match.name_score:
            match.name_score = score
            match.name_reason = _("similar name (%(score)d%% alike)") % {"score": score}

    # 1. Identifiers: the same passport, or a phone number that is the same line, by blind-index digests.
    passport_digest = crypto.passport_index(organization_id=organization.pk, passport_number=passport_number)
    phone_digests = set(crypto.phone_lookup_digests(organization_id=organization.pk, phone_numbers=phone_numbers))
    rows = victims_with_same_identifiers(
        organization=organization, passport_number=passport_number, phone_numbers=phone_numbers, exclude_pk=exclude_pk
    ).values_list("pk", "passport_index", "phone_index")[: MAX_RESULTS * 5]
    for pk, stored_passport, stored_phones in rows:
        if passport_digest and stored_passport == passport_digest:
            note_identifier(pk, _("same passport number"))
        if phone_digests.intersection(stored_phones.split()):
            note_identifier(pk, _("same phone number"))

    # 2. Names: candidates from the name index, the few sharing the most name pairs with any of the names.
    names = name_index.names_of(full_name, names_in_compound)
    ranked = [
        pk
        for pk, _shared in name_index.candidates_for_names(organization.pk, names, limit=MAX_NAME_CANDIDATES + 2)
        if pk != exclude_pk
    ]
    capped = len(ranked) > MAX_NAME_CANDIDATES
    candidate_pks = ranked[:MAX_NAME_CANDIDATES]

    # 3. One query loads the identifier matches and the name candidates; names are scored here, decrypted.
    loaded = victims.select_related("assigned_to", "compound").in_bulk([*found, *candidate_pks])
    born = date_of_birth.year if date_of_birth else None
    new_person = Person(
        birth_year=born,
        age=None if born else estimated_age,
        age_in_year=today.year,
        sex=sex or None,
        nationality=citizenship or None,
    )
    parsed = [parse(name) for name in names]
    for pk in candidate_pks:
        victim = loaded.get(pk)
        if victim is None:
            continue
        person = Person(
            birth_year=victim.birth_year,
            age=None if victim.birth_year else victim.estimated_age,
            age_in_year=victim.created_at.year if victim.created_at else today.year,
            sex=victim.sex,
            nationality=victim.citizenship or None,
        )
        best = max(
            (
                score(mine, theirs, a_person=new_person, b_person=person).score
                for mine in parsed
                for theirs in name_index.names_of(victim.full_name, victim.names_in_compound)
            ),
            default=0.0,
        )
        if best >= THRESHOLD:
            note_name(pk, round(best * 100))

    if not found:
        return DuplicateSearch(matches=[], name_candidates_capped=capped)

    # Identifier matches first, then by name similarity.
    matches = []
    for pk, match in found.items():
        if pk in loaded:
            match.victim = loaded[pk]
            matches.append(match)

    matches.sort(key=lambda m: (-len(m.identifier_reasons), -m.name_score, -m.victim.pk))
    return DuplicateSearch(matches=matches[:MAX_RESULTS], name_candidates_capped=capped)
