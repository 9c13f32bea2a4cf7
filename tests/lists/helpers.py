"""Helpers for the lists tests: the evaluation set as cases and a CSV, and top-1 predictions."""

from datetime import date

from cases import services
from lists.models import Match

from .builders import csv_bytes
from .evaluation_set import CASES, ROWS

HEADERS = ["No.", "Name", "Sex", "Age/DOB", "Nationality"]


def make_cases(organization, *, created_by=None, cases=CASES) -> dict[str, object]:
    victims = {}
    for key, name, sex, year, age, citizenship in cases:
        victims[key] = services.victim_create(
            organization=organization,
            created_by=created_by,
            full_name=name,
            sex=sex,
            date_of_birth=date(year, 6, 1) if year else None,
            estimated_age=age,
            citizenship=citizenship,
        )
    return victims


def list_csv(rows=ROWS) -> bytes:
    body = [HEADERS] + [[i + 1, name, sex, birth, nat] for i, (_c, name, sex, birth, nat, _k) in enumerate(rows)]
    return csv_bytes(body)


def top_predictions(released_list, organization, threshold) -> dict[int, int | None]:
    """Row number -> the victim of its best suggestion at or above the threshold (None: no match)."""
    best = {}
    for match in Match.objects.visible_to(organization).filter(entry__released_list=released_list, rank=1):
        if match.score >= threshold:
            best[match.entry.line] = match.victim_id
    lines = released_list.entries.values_list("line", flat=True)
    return {line: best.get(line) for line in lines}


def precision_recall(predicted: dict[int, int | None], victims, rows=ROWS, first_line=2):
    """(precision, recall, wrong rows) of the top suggestion per row; list rows start on line 2 (after headings)."""
    true_positive = predicted_positive = actual_positive = 0
    wrong = []
    for offset, (category, _name, _sex, _birth, _nat, key) in enumerate(rows):
        line = first_line + offset
        expected = victims[key].pk if key else None
        got = predicted.get(line)
        actual_positive += expected is not None
        predicted_positive += got is not None
        true_positive += got is not None and got == expected
        if got != expected:
            wrong.append((line, category))
    precision = true_positive / predicted_positive if predicted_positive else 1.0
    recall = true_positive / actual_positive if actual_positive else 1.0
    return precision, recall, wrong
