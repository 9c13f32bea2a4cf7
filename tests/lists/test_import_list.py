"""import_list and list_matches as an operator runs them: the labelled list is matched, reported, exported."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from core.names import THRESHOLD
from lists.models import ListEntry, Match, ReleasedList

from .evaluation_set import PUBLISHED
from .helpers import list_csv, make_cases, precision_recall, top_predictions

pytestmark = pytest.mark.django_db


def _import(tmp_path, org, data=None, name="released.csv", *extra):
    path = tmp_path / name
    path.write_bytes(data if data is not None else list_csv())
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_list", str(path), "--organization", org.slug, "--source", "Synthetic embassy",
        "--published", PUBLISHED, *extra, stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_the_command_matches_the_list_and_ends_with_one_line_of_counts(tmp_path, org_a):
    victims = make_cases(org_a.organization)
    out, err = _import(tmp_path, org_a.organization)
    released_list = ReleasedList.objects.get()
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"list {released_list.pk}: 34 rows")
    assert "matching [" in err and "34/34 rows" in err
    precision, recall, wrong = precision_recall(top_predictions(released_list, org_a.organization, THRESHOLD), victims)
    assert precision >= 0.95 and recall >= 0.90, wrong


def test_each_suggestion_says_why(tmp_path, org_a):
    victims = make_cases(org_a.organization)
    _import(tmp_path, org_a.organization)
    match = Match.objects.get(victim=victims["cn2"], rank=1)
    reasons = " | ".join(match.reason_list())
    assert "traditional characters read as simplified" in reasons and "same sex (M)" in reasons


def test_the_same_file_twice_is_recognised_and_not_imported_twice(tmp_path, org_a):
    make_cases(org_a.organization)
    _import(tmp_path, org_a.organization)
    out, _err = _import(tmp_path, org_a.organization, None, "copy-of-released.csv")
    assert ReleasedList.objects.count() == 1 and ListEntry.objects.count() == 34
    assert "already imported" in out and out.startswith(f"list {ReleasedList.objects.get().pk}")


def test_provenance_is_kept(tmp_path, org_a):
    _import(tmp_path, org_a.organization)
    released_list = ReleasedList.objects.get()
    assert released_list.source == "Synthetic embassy" and str(released_list.published) == PUBLISHED
    assert released_list.file_name == "released.csv" and len(released_list.sha256) == 64
    assert released_list.kind == "released" and released_list.organization == org_a.organization


def test_another_organisations_cases_are_never_suggested(tmp_path, org_a, org_b):
    make_cases(org_b.organization)
    _import(tmp_path, org_a.organization)
    assert Match.objects.count() == 0


def test_list_matches_writes_one_line_per_suggestion(tmp_path, org_a):
    victims = make_cases(org_a.organization)
    _import(tmp_path, org_a.organization)
    released_list = ReleasedList.objects.get()
    out = io.StringIO()
    call_command("list_matches", str(released_list.pk), "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == Match.objects.count()
    assert set(rows[0]) == {"row", "case_number", "external_reference", "score", "status"}
    first = next(r for r in rows if r["row"] == "2")
    assert first["case_number"] == victims["vn1"].case_number and first["status"] == "suggested"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"%PDF-1.4 synthetic", "list.pdf", "This is a PDF"),
        (b"No.,Nationality\n1,China\n", "nonames.csv", "No column is marked as the name"),
    ],
)
def test_bad_input_stops_with_one_readable_line_and_imports_nothing(tmp_path, org_a, data, name, expected):
    with pytest.raises(CommandError, match=expected):
        _import(tmp_path, org_a.organization, data, name)
    assert ReleasedList.objects.count() == 0


def test_an_unknown_organisation_or_a_bad_date_is_one_readable_line(tmp_path, org_a):
    path = tmp_path / "released.csv"
    path.write_bytes(list_csv())
    with pytest.raises(CommandError, match="No organisation has the slug 'nobody'"):
        call_command("import_list", str(path), "--organization", "nobody", "--source", "X")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("import_list", str(path), "--organization", "alpha", "--source", "X", "--published", "20/02")
