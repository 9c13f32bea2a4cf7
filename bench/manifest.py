"""Manifest of one batch of 450 people (a Chinese charter flight): rows, CSV and PDF, and what a request waits for.

Run: DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/manifest.py [--members 450]
Uses a throw-away SQLite database in a temporary folder (the test settings) unless DATABASE_URL is set;
synthetic people only. Messages to Celery go to an in-memory broker: the worker's part (making the PDF) is timed
in this process, as the worker would run it.

Prints the old in-request PDF time (rows and WeasyPrint inside the request, as the PDF link did before it moved
to a worker) next to the request that now starts the PDF, the worker's time and the download request.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def sign_in(client, user):
    """A signed-in client with the second factor passed (as django_otp.login records it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=450)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-manifest-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("HOMEWARD_MANIFEST_DIR", f"{folder}/manifests")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import Membership, Organization, User
    from cases.models import Victim
    from homecoming.manifest import manifest_csv_rows, manifest_pdf, manifest_rows
    from homecoming.manifest_exports import manifest_pdf_make
    from homecoming.models import BatchMember, ManifestExport, RepatriationBatch
    from places.models import Agency

    org, _ = Organization.objects.get_or_create(slug="bench-manifest", defaults={"name": "Bench manifest NGO"})
    supervisor = User.objects.create_user(
        email=f"supervisor-{time.time_ns()}@bench.example.org", password="bench-password-1", display_name="Bench"
    )
    Membership.objects.create(user=supervisor, organization=org, role=Membership.Role.SUPERVISOR)
    agency = Agency.objects.create(name=f"Bench embassy {time.time()}", kind="embassy", country="CN")
    batch = RepatriationBatch.objects.create(organization=org, agency=agency, departs_on=timezone.localdate())
    now = timezone.now()
    victims = Victim.objects.bulk_create(
        Victim(
            organization=org,
            case_number=f"BM-{batch.pk}-{i:05d}",
            full_name=("王小明 " if i % 3 else "Synthetic ") + str(i),
            citizenship="CN",
            passport_number=f"E{i:08d}",
            consent="full" if i % 4 else "none",
            consent_given_by="self" if i % 4 else "",
            consent_recorded_at=now if i % 4 else None,
        )
        for i in range(args.members)
    )
    BatchMember.objects.bulk_create(BatchMember(organization=org, batch=batch, victim=v) for v in victims)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        rows = manifest_rows(batch)
        t_rows = time.perf_counter() - started
    started = time.perf_counter()
    lines = list(manifest_csv_rows(rows))
    t_csv = time.perf_counter() - started
    started = time.perf_counter()
    pdf = manifest_pdf(batch=batch, rows=manifest_rows(batch), organization=org, generated_at=now)
    t_old = time.perf_counter() - started  # what the PDF link's request used to wait for

    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
    client = sign_in(Client(HTTP_HOST=host), supervisor)
    started = time.perf_counter()
    response = client.post(reverse("homecoming:manifest_pdf", args=[batch.pk]), secure=True)
    t_request = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    export = ManifestExport.objects.get(batch=batch)
    started = time.perf_counter()
    manifest_pdf_make(export_id=export.pk)
    t_worker = time.perf_counter() - started
    started = time.perf_counter()
    download = client.get(reverse("homecoming:manifest_pdf_download", args=[batch.pk]), secure=True)
    t_download = time.perf_counter() - started
    assert download.status_code == 200 and download.content.startswith(b"%PDF"), download.status_code

    print(f"members: {len(rows)}  queries for the rows: {len(queries)}")
    print(f"rows: {t_rows * 1000:.0f} ms   csv: {t_csv * 1000:.0f} ms ({len(lines)} lines)")
    print(f"before: PDF inside the request: {t_old:.2f} s, {len(pdf) / 1024:.0f} KiB")
    print(f"after:  request that starts the PDF: {t_request * 1000:.0f} ms (HTTP {response.status_code})")
    print(f"        worker making the PDF: {t_worker:.2f} s")
    print(f"        download request: {t_download * 1000:.0f} ms, {len(download.content) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
