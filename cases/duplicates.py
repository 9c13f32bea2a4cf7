"""Possible duplicates of a person being logged: same passport, same phone, or a very similar name.

Only the user's own organisation is searched. Matching stays cheap at any caseload: passports and phone
numbers are encrypted, so they are compared through their blind index (keyed digests, `cases.identifiers`) in
one SQL query; names are fuzzy-matched (rapidfuzz) only on the small subset with the same nationality and an
age within ±2 years, selected in SQL.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from accounts.models import Organization
from core import crypto

from .identifiers import victims_with_same_identifiers
from .models import Victim

NAME_SCORE_CUTOFF = 85  # token_sort_ratio: "Nguyen Van An" ~ "Van An Nguyen" = 100, ~ "Nguyen Van Anh" = 96
AGE_TOLERANCE_YEARS = 2
MAX_NAME_CANDIDATES = 5000  # a safety net: nationality + age keep the subset far smaller in practice
MAX_RESULTS = 10
NAME_SEPARATORS = re.compile(r"[\n\r,;]+")


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


def similar_age_q(*, age: int, today: date) -> Q:
    """Victims whose age (from the date of birth, else the estimate) is within ±AGE_TOLERANCE_YEARS of `age`."""
    low, high = max(age - AGE_TOLERANCE_YEARS, 0), age + AGE_TOLERANCE_YEARS
    # Age is between low and high  <=>  born after (today - (high + 1) years) and on or before (today - low years).
    born_after = _years_before(today, high + 1)
    born_by = _years_before(today, low)
    return Q(date_of_birth__gt=born_after, date_of_birth__lte=born_by) | Q(
        date_of_birth__isnull=True, estimated_age__gte=low, estimated_age__lte=high
    )


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

    # 2. Names: fuzzy match only among people of the same nationality and about the same age.
    names = [n for n in [full_name, *NAME_SEPARATORS.split(names_in_compound or "")] if n.strip()]
    capped = False
    age = age_on(date_of_birth=date_of_birth, estimated_age=estimated_age, today=today)
    if names and citizenship:
        candidates = victims.filter(citizenship=citizenship)
        if age is not None:
            candidates = candidates.filter(similar_age_q(age=age, today=today))
        rows = list(
            candidates.order_by("-created_at").values_list("pk", "full_name", "names_in_compound")[
                : MAX_NAME_CANDIDATES + 1
            ]
        )
        capped = len(rows) > MAX_NAME_CANDIDATES
        choices: dict[tuple[int, int], str] = {}
        for pk, stored_name, stored_aliases in rows[:MAX_NAME_CANDIDATES]:
            for index, candidate in enumerate([stored_name, *NAME_SEPARATORS.split(stored_aliases or "")]):
                if candidate.strip():
                    choices[(pk, index)] = candidate
        for name in names:
            for _choice, score, (pk, _index) in process.extract(
                name,
                choices,
                scorer=fuzz.token_sort_ratio,
                processor=utils.default_process,
                score_cutoff=NAME_SCORE_CUTOFF,
                limit=MAX_RESULTS * 3,
            ):
                note_name(pk, round(score))

    if not found:
        return DuplicateSearch(matches=[], name_candidates_capped=capped)

    # 3. Load the matched cases for display; identifier matches first, then by name similarity.
    loaded = victims.select_related("assigned_to", "compound").in_bulk(list(found))
    matches = []
    for pk, match in found.items():
        if pk in loaded:
            match.victim = loaded[pk]
            matches.append(match)

    matches.sort(key=lambda m: (-len(m.identifier_reasons), -m.name_score, -m.victim.pk))
    return DuplicateSearch(matches=matches[:MAX_RESULTS], name_candidates_capped=capped)
