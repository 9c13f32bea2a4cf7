"""import_cases: every row becomes a case with its external reference, or none does; duplicates are reported."""

import io

import pytest
from django.core.management import CommandError, call_command

from cases import services as case_services
from cases.models import Victim
from lists.models import ImportedCase

from .builders import csv_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["Case no.", "Name", "Sex", "DOB", "Nationality", "Passport No."]


def _run(tmp_path, rows, org="alpha"):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([HEADERS, *rows]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), "--organization", org, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_row_becomes_a_case_and_keeps_the_ngo_reference(tmp_path, org_a):
    out, _err = _run(tmp_path, [["A-17", "Tran Van Nam", "M", "1987-03-02", "Viet Nam", "C1234567"],
                                ["A-18", "王芳", "女", "31", "中国", ""]])  # fmt: skip
    assert out.startswith("import ") and "2 cases created" in out
    first = ImportedCase.objects.get(external_reference="A-17").victim
    assert first.full_name == "Tran Van Nam" and first.sex == "Masculine" and first.citizenship == "VN"
    assert first.passport_number == "C1234567" and str(first.date_of_birth) == "1987-03-02"
    assert ImportedCase.objects.get(external_reference="A-18").victim.sex == "Feminine"


def test_one_bad_row_stops_the_whole_file_and_is_named(tmp_path, org_a):
    with pytest.raises(CommandError, match="nothing imported"):
        _run(tmp_path, [["A-1", "Good Person", "M", "1990", "VN", ""], ["A-2", "Bad Sex", "X", "1990", "VN", ""]])
    assert Victim.objects.count() == 0 and ImportedCase.objects.count() == 0


def test_the_report_names_every_row_that_stopped_it(tmp_path, org_a):
    err = io.StringIO()
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([HEADERS, ["A-1", "", "M", "", "", ""], ["A-1", "Someone", "Q", "", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--organization", "alpha", stderr=err)
    text = err.getvalue()
    assert "row 2: the name is empty" in text and "row 3: sex 'Q'" in text and "is also on row 2" in text


def test_a_possible_duplicate_is_reported_not_refused(tmp_path, org_a):
    existing = case_services.victim_create(
        organization=org_a.organization, created_by=None, full_name="Someone Else", passport_number="C7654321"
    )
    out, err = _run(tmp_path, [["B-1", "Another Name", "M", "1990", "VN", "C7654321"]])
    assert "1 cases created" in out and existing.case_number in err and "same passport number" in err
