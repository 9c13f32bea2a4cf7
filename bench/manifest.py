"""Manifest of one batch of 450 people (a Chinese charter flight): rows, CSV and PDF, timed side by side.

Run: DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/manifest.py [--members 450]
Uses a throw-away SQLite database (the test settings); synthetic people only.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=450)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import Organization
    from cases.models import Victim
    from homecoming.manifest import manifest_csv_rows, manifest_pdf, manifest_rows
    from homecoming.models import BatchMember, RepatriationBatch
    from places.models import Agency

    org, _ = Organization.objects.get_or_create(slug="bench-manifest", defaults={"name": "Bench manifest NGO"})
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
    pdf = manifest_pdf(batch=batch, rows=rows, organization=org, generated_at=now)
    t_pdf = time.perf_counter() - started
    print(f"members: {len(rows)}  queries for the rows: {len(queries)}")
    print(f"rows: {t_rows * 1000:.0f} ms   csv: {t_csv * 1000:.0f} ms ({len(lines)} lines)")
    print(f"pdf: {t_pdf:.2f} s, {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
