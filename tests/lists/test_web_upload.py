"""Uploading through the web pages: the file, the columns confirmed, and bad files refused with a clear message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lists.models import CaseImport, ListEntry, ReleasedList

from .builders import HEADERS, PEOPLE, csv_bytes
from .conftest import client_for  # noqa: F401

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, data, name="released.csv"):
    return client.post(
        reverse("lists:upload"),
        {"file": SimpleUploadedFile(name, data), "source": "Synthetic embassy", "kind": "released",
         "published": "2025-02-20"},
    )  # fmt: skip


def _confirm(client, page, **overrides):
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in ("upload", "file_name", "source", "published", "kind")}
    for index in range(len(form.headers)):
        data[f"column_{index}"] = form[f"column_{index}"].value() or ""
    data.update(overrides)
    return client.post(reverse("lists:upload"), data)


def test_a_supervisor_uploads_a_list_confirms_the_guessed_columns_and_it_is_imported(org_a, client_for):  # noqa: F811
    client = client_for(org_a.supervisor)
    page = _upload(client, csv_bytes([HEADERS, *PEOPLE]))
    assert page.status_code == 200 and ReleasedList.objects.count() == 0  # nothing before the columns are confirmed
    form = page.context["form"]
    assert form["column_1"].value() == "full_name" and form["column_3"].value() == "birth"
    done = _confirm(client, page)
    released = ReleasedList.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("lists:list_detail", args=[released.pk])
    assert released.uploaded_by == org_a.supervisor and released.file_name == "released.csv"
    assert released.source == "Synthetic embassy" and ListEntry.objects.filter(released_list=released).count() == 4
    again = _confirm(client, _upload(client, csv_bytes([HEADERS, *PEOPLE])))
    assert again.status_code == 302 and ReleasedList.objects.count() == 1  # the same file is the same list


def test_changing_the_mapping_to_no_name_column_is_refused_and_nothing_is_imported(org_a, client_for):  # noqa: F811
    client = client_for(org_a.supervisor)
    page = _confirm(client, _upload(client, csv_bytes([HEADERS, *PEOPLE])), column_1="")
    assert page.status_code == 200
    assert "No column is marked as the name" in page.content.decode()
    assert ReleasedList.objects.count() == 0 and ListEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "file is empty."),  # Django: "The submitted file is empty."
        (PNG, "photo-of-list.xlsx", "This is a picture, not a spreadsheet."),
        (b"%PDF-1.7\n" + b"x" * 200, "list.pdf", "This is a PDF, not a spreadsheet."),
        (
            b"No.,Name\n" + b"1,Synthetic Person\n" * (26 * 1024 * 1024 // 19),
            "huge.csv",
            "Split it into smaller files.",
        ),
    ],
    ids=["empty", "picture", "pdf", "too-big"],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_imported(org_a, client_for, data, name, message):  # noqa: F811
    client = client_for(org_a.supervisor)
    for url in (reverse("lists:upload"), reverse("lists:case_upload")):
        response = (
            _upload(client, data, name) if url == reverse("lists:upload")
            else client.post(url, {"file": SimpleUploadedFile(name, data)})
        )  # fmt: skip
        assert response.status_code == 200
        assert message in response.content.decode()
    assert ReleasedList.objects.count() == 0 and CaseImport.objects.count() == 0


def test_a_caseworker_cannot_upload_a_list(org_a, client_for):  # noqa: F811
    response = _upload(client_for(org_a.caseworker), csv_bytes([HEADERS, *PEOPLE]))
    assert response.status_code == 403 and ReleasedList.objects.count() == 0


def test_an_upload_that_is_gone_asks_for_the_file_again(org_a, client_for):  # noqa: F811
    client = client_for(org_a.supervisor)
    page = _upload(client, csv_bytes([HEADERS, *PEOPLE]))
    response = _confirm(client, page, upload="f" * 64)
    assert response.status_code == 302 and response["Location"] == reverse("lists:upload")
    assert "no longer here" in str(list(client.get(reverse("lists:upload")).context["messages"])[0])
    assert ReleasedList.objects.count() == 0
