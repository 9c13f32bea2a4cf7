"""What the export tests share: the download URLs, a signed-in client with an organisation chosen, readers of CSV
and XLSX bodies, and a quick way to file hundreds of cases."""

import csv
import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.middleware import SESSION_KEY
from accounts.two_factor import two_factor_required
from cases.models import AgencyReferral, RescueRequest, Victim
from tests.factories import AgencyFactory, sign_in_verified

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


def bulk_victims(organization, count: int, start: int = 10000):
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
