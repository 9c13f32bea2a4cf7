"""A synthetic published list for the demo: rows that are demo cases (to confirm), strangers, and one person
confirmed as released ten days ago who has not arrived nor been heard from since (missing in transit).

Matched in this process, chunk by chunk, as a worker would: seeding needs no broker.
"""

import hashlib
import json
import random
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organization, User
from cases.models import CaseNote, Victim
from lists import chunks, services
from lists.models import ListEntry, Match, ReleasedList

RELEASED_DAYS_AGO = 10
LISTED_CASES = 6
STRANGERS = (("Synthetic Unknown Ko Ko", "M", 31), ("Demo Stranger Mai Lan", "F", 24), ("Sample Nobody Tran", "M", 40))


# A list writes sex as M or F (lists.ListEntry.sex); the case file keeps HTCDS codes.
AS_LISTED_SEX = {"Masculine": "M", "Feminine": "F"}


def _as_listed(name: str, rng: random.Random) -> str:
    """The name as a list would write it: capitals, or the family name moved, or as it is."""
    parts = name.split()
    pick = rng.random()
    if pick < 0.34 and len(parts) > 1:
        return " ".join(parts[1:] + parts[:1])
    return name.upper() if pick < 0.67 else name


def _listed_cases(organization: Organization, released_on) -> list[Victim]:
    """Open cases with no contact logged since the list date, so the one confirmed stays missing in transit."""
    contact_since = CaseNote.objects.filter(
        victim=OuterRef("pk"),
        kind__in=(CaseNote.Kind.CONTACT_PERSON, CaseNote.Kind.CONTACT_FAMILY),
        occurred_at__date__gte=released_on,
    )
    return list(
        Victim.objects.filter(organization=organization, redacted_at__isnull=True)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .exclude(Exists(contact_since))
        .order_by("pk")[:LISTED_CASES]
    )


def seed_list(
    *, organization: Organization, supervisor: User, now: datetime, rng: random.Random
) -> ReleasedList | None:
    """The organisation's demo released list, matched, with the first suggestion confirmed. None if no cases."""
    released_on = timezone.localtime(now, organization.tzinfo).date() - timedelta(days=RELEASED_DAYS_AGO)
    victims = _listed_cases(organization, released_on)
    if not victims:
        return None
    rows = []
    for victim in victims:
        year = victim.date_of_birth.year if victim.date_of_birth else None
        age = victim.estimated_age if year is None else None
        rows.append(
            (_as_listed(victim.full_name, rng), AS_LISTED_SEX.get(victim.sex, ""), year, age, victim.citizenship)
        )
    rows += [(name, sex, None, age, "") for name, sex, age in STRANGERS]
    digest = hashlib.sha256(json.dumps([organization.slug, rows], default=str).encode()).hexdigest()
    released = ReleasedList.objects.create(
        organization=organization, kind=ReleasedList.Kind.RELEASED, source="Demo embassy (synthetic list)",
        published=released_on, file_name="demo-released-list.csv", sha256=digest, uploaded_by=supervisor,
        uploaded_at=now - timedelta(days=RELEASED_DAYS_AGO - 1), headers=["No.", "Name", "Sex", "Birth", "Nationality"],
        mapping={"1": "full_name", "2": "sex", "3": "birth", "4": "nationality"}, rows_total=len(rows),
    )  # fmt: skip
    ListEntry.objects.bulk_create(
        ListEntry(
            released_list=released,
            line=line,
            raw=json.dumps([line - 1, *row], default=str),
            name=row[0],
            values="{}",
            messages="[]",
            sex=row[1] or "",
            birth_year=row[2],
            age=row[3],
            nationality=row[4] or "",
        )  # fmt: skip
        for line, row in enumerate(rows, start=2)
    )
    for chunk in chunks.plan_chunks(released):
        chunks.work_chunk(chunk.pk)
    first = Match.objects.filter(entry__released_list=released, victim=victims[0], rank=1).first()
    if first is not None:
        services.match_confirm(match=first, confirmed_by=supervisor, now=now)
    return released
