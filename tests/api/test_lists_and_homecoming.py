"""Released lists, batches and screening through the API: the lists and homecoming apps' own services and queries,
the permission table's rows, another organisation's ids 404, a read key never writes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.names.zawgyi import is_zawgyi, unicode_to_zawgyi
from homecoming import services as homecoming_services
from lists import chunks
from lists.models import ListEntry, Match, ReleasedList
from tests.homecoming.builders import batch, released_victim
from tests.lists.builders import HEADERS, PEOPLE, csv_bytes

from .conftest import issue_key

pytestmark = pytest.mark.django_db

NOTES = "Synthetic interview notes: spoke of debts to the recruiter"


def upload(client, data=None, name="released.csv", **fields):
    body = {"file": SimpleUploadedFile(name, data or csv_bytes([HEADERS, *PEOPLE])), "source": "Synthetic embassy",
            "kind": "released", "published": "2025-02-20", **fields}  # fmt: skip
    return client.post("/api/lists/", body, format="multipart")


def match_all(released_list):
    while (pending := chunks.next_pending(released_list.pk)) is not None:
        chunks.work_chunk(pending)


def test_a_name_typed_in_zawgyi_on_a_list_comes_out_in_unicode_with_its_reading(api, org_a, supervisor_key):
    kyaw = "ကျော်ဇေယျာထွန်း"  # synthetic: Kyaw Ze Ya Htun, in Unicode on the case and in Zawgyi on the list
    written = unicode_to_zawgyi(kyaw)
    assert written != kyaw and is_zawgyi(written)
    case = released_victim(org_a, full_name=kyaw, citizenship="MM")
    rows = [HEADERS, ["1", written, "Myanmar", "1995", "M", ""]]
    client = api(supervisor_key)
    list_id = upload(client, data=csv_bytes(rows)).json()["list"]["id"]
    match_all(ReleasedList.objects.get(pk=list_id))
    [best] = [m for m in client.get(f"/api/lists/{list_id}/matches/").json()["results"] if m["case"] == case.pk]
    assert best["name_on_list"] == kyaw and best["name_on_list_was_zawgyi"] is True
    assert best["name_on_list_as_written"] == written
    assert best["name_on_list_latin"] == best["case_name_latin"] == "Kyaw Ze Ya Htun"


@pytest.fixture
def supervisor_key(org_a):
    return issue_key(org_a.organization, scope="read_write", role="supervisor")


def test_a_supervisor_key_uploads_a_list_with_its_provenance_and_the_same_file_is_recognised(
    api, org_a, supervisor_key
):
    client = api(supervisor_key)
    response = upload(client)
    assert response.status_code == 201, response.json()
    body = response.json()
    released = ReleasedList.objects.get()
    assert body["list"]["id"] == released.pk and body["already_imported"] is False
    assert (released.source, released.file_name, str(released.published)) == (
        "Synthetic embassy",
        "released.csv",
        "2025-02-20",
    )
    assert released.organization == org_a.organization and len(released.sha256) == 64
    assert ListEntry.objects.filter(released_list=released).count() == 4
    again = upload(client)
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert again.json()["list"]["id"] == released.pk and ReleasedList.objects.count() == 1


def test_an_unreadable_file_or_a_mapping_without_names_is_a_400_and_imports_nothing(api, supervisor_key):
    client = api(supervisor_key)
    picture = upload(client, data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="list.xlsx")
    assert picture.status_code == 400 and "picture" in str(picture.json()["file"])
    no_names = upload(client, map=["Name=ignore"])
    assert no_names.status_code == 400 and "name" in str(no_names.json()["map"])
    bad_override = upload(client, map=["Nowhere=nationality"])
    assert bad_override.status_code == 400 and "No column is headed" in str(bad_override.json()["map"])
    assert ReleasedList.objects.count() == 0


def test_upload_needs_import_lists_and_a_read_write_key(api, org_a, keys):
    caseworker_write = keys["write"]  # a caseworker's key: the table gives caseworkers no IMPORT_LISTS
    assert upload(api(caseworker_write)).status_code == 403
    read_supervisor = issue_key(org_a.organization, scope="read", role="supervisor")
    assert upload(api(read_supervisor)).status_code == 403
    assert ReleasedList.objects.count() == 0


def test_status_and_matches_after_matching_with_the_review_pages_fields(api, org_a, org_b, supervisor_key, keys):
    case = released_victim(org_a, full_name="Li Wei", citizenship="CN")
    client = api(supervisor_key)
    list_id = upload(client).json()["list"]["id"]
    before = client.get(f"/api/lists/{list_id}/status/").json()
    assert before["rows"] == 4 and before["matching"]["finished"] is False
    match_all(ReleasedList.objects.get(pk=list_id))
    status = client.get(f"/api/lists/{list_id}/status/").json()
    assert status["matching"]["finished"] is True and status["rows"] == 4
    assert status["matched_rows"] >= 1 and status["suggestions"] >= 1 and status["errors"] == len(status["error_lines"])
    matches = api(keys["read"]).get(f"/api/lists/{list_id}/matches/").json()["results"]
    best = matches[0]
    assert (best["case"], best["case_number"], best["line"]) == (case.pk, case.case_number, 2)
    assert best["name_on_list"] == "Li Wei" and best["status"] == "suggested" and best["reasons"]
    assert api(keys["read"]).get(f"/api/lists/{list_id}/matches/?status=confirmed").json()["results"] == []
    assert api(keys["read"]).get(f"/api/lists/{list_id}/matches/?status=bogus").status_code == 400
    # Another organisation: the list is not theirs (not shared), so every one of its URLs is a 404.
    other = api(keys["other"])
    for path in ("", "status/", "matches/"):
        assert other.get(f"/api/lists/{list_id}/{path}").status_code == 404
    assert Match.objects.filter(organization=org_b.organization).count() == 0


@pytest.fixture
def way_home(org_a):
    victim = released_victim(org_a, full_name="Synthetic Homeward Person")
    waiting = released_victim(org_a, full_name="Synthetic Waiting Person")
    homecoming_services.screening_record(
        victim=victim, recorded_by=org_a.caseworker, screened_by=org_a.caseworker, outcome="identified",
        notes=NOTES, screened_at=timezone.now(),
    )  # fmt: skip
    the_batch = batch(org_a)
    member = homecoming_services.member_add(batch=the_batch, victim=victim, added_by=org_a.caseworker)
    return {"victim": victim, "waiting": waiting, "batch": the_batch, "member": member}


def test_a_batch_lists_its_members_with_their_step_and_blockers(api, keys, way_home):
    the_batch, member = way_home["batch"], way_home["member"]
    listed = api(keys["read"]).get("/api/batches/").json()["results"]
    assert [b["id"] for b in listed] == [the_batch.pk]
    detail = api(keys["read"]).get(f"/api/batches/{the_batch.pk}/").json()
    (row,) = detail["members"]
    assert (row["id"], row["case"], row["case_number"]) == (member.pk, member.victim_id, member.victim.case_number)
    assert row["step"] == "0 of 4 steps before departure"
    assert "No travel document" in row["blockers"] and "Not screened" not in row["blockers"]


def test_the_screening_queue_is_the_pages_queue(api, keys, way_home):
    rows = api(keys["read"]).get("/api/screening-queue/").json()["results"]
    assert [r["case"] for r in rows] == [way_home["waiting"].pk]  # the screened person has left the queue
    assert rows[0]["missing_in_transit"] is False and rows[0]["days_waiting"] >= 0


def test_screening_notes_only_for_a_key_that_may_see_identity(api, keys, way_home):
    plain = api(keys["read"]).get("/api/screenings/").json()["results"]
    assert len(plain) == 1 and "notes" not in plain[0] and NOTES not in str(plain)
    assert plain[0]["case"] == way_home["victim"].pk and plain[0]["outcome"] == "identified"
    identity = api(keys["identity"]).get(f"/api/screenings/{plain[0]['id']}/").json()
    assert identity["notes"] == NOTES
    assert api(keys["read"]).get(f"/api/screenings/?case={way_home['waiting'].pk}").json()["results"] == []


def test_another_organisations_batches_and_screenings_are_404_and_its_queue_is_its_own(api, keys, way_home):
    other = api(keys["other"])
    assert other.get(f"/api/batches/{way_home['batch'].pk}/").status_code == 404
    screening = way_home["victim"].screenings.get()
    assert other.get(f"/api/screenings/{screening.pk}/").status_code == 404
    assert other.get("/api/batches/").json()["results"] == []
    assert other.get("/api/screenings/").json()["results"] == []
    assert other.get("/api/screening-queue/").json()["results"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/batches/"),
        ("patch", "/api/batches/{batch}/"),
        ("post", "/api/screenings/"),
        ("delete", "/api/screenings/{screening}/"),
        ("post", "/api/screening-queue/"),
        ("post", "/api/lists/{list}/status/"),
    ],
)
def test_the_read_only_resources_take_no_writes(api, keys, way_home, method, path, org_a):
    released = ReleasedList.objects.create(
        organization=org_a.organization, source="Synthetic embassy", file_name="l.csv", sha256="0" * 64
    )
    url = path.format(batch=way_home["batch"].pk, screening=way_home["victim"].screenings.get().pk, list=released.pk)
    assert getattr(api(keys["read"]), method)(url, {}, format="json").status_code in (403, 405)
    assert getattr(api(keys["identity"]), method)(url, {}, format="json").status_code == 405
