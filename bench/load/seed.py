"""Bulk-create synthetic case files and load-test caseworkers in a demo organisation, for bench/load.

    DATABASE_URL=postgres://... .venv/bin/python bench/load/seed.py --cases 20000 [--users 50]

Run after `manage.py seed_demo` (which makes the organisations and reference data). Adds `--users` caseworkers
load-caseworker<N>@<slug>.example.org (password LOAD_PASSWORD below, hashed with the configured hasher) and tops
the organisation up to `--cases` victims, each with two notes, a status change, and an open rescue request for
those still trapped (follow-ups spread from overdue to next week). Every name and number is synthetic.
Reuses what exists: a second run adds only what is missing.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organization, User  # noqa: E402
from cases import name_index  # noqa: E402
from cases.models import CaseNote, CaseNumberSequence, RescueRequest, Victim, VictimStatusChange  # noqa: E402

LOAD_PASSWORD = "load-test-only-password-2025"
BATCH = 5000
FIRST_NAMES = ["Synthetic", "Sample", "Example", "Placeholder", "Testcase", "Dummy", "Mock", "Fixture"]
LAST_NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"]
STATUSES = ["reported", "verified", "in_contact", "lost_contact", "rescued", "in_shelter", "repatriated"]
TRAPPED = {"reported", "verified", "in_contact", "lost_contact"}
NATIONALITIES = ["VN", "ID", "CN", "PH", "TH", "MM", "LA", "KH", "IN", "LK", "NP", "BD"]


def load_caseworkers(organization: Organization, count: int) -> list[User]:
    password = make_password(LOAD_PASSWORD)
    users = []
    for i in range(count):
        user, _ = User.objects.get_or_create(
            email=f"load-caseworker{i}@{organization.slug}.example.org",
            defaults={"display_name": f"Load Caseworker {i}", "password": password},
        )
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": "caseworker"})
        users.append(user)
    return users


def fill(organization: Organization, caseworkers: list[User], target: int) -> None:
    have = Victim.objects.filter(organization=organization).count()
    if have >= target:
        print(f"{organization.slug}: {have} victims already, none added")
        return
    year, now = timezone.now().year, timezone.now()
    started = time.perf_counter()
    for first in range(have, target, BATCH):
        size = min(BATCH, target - first)
        with transaction.atomic():
            sequence, _ = CaseNumberSequence.objects.select_for_update().get_or_create(
                organization=organization, year=year
            )
            base = sequence.last_value
            CaseNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + size)
            victims = []
            for j in range(size):
                n = first + j
                victims.append(
                    Victim(
                        organization=organization,
                        case_number=f"{organization.case_number_prefix}-{year}-{base + j + 1:05d}",
                        full_name=f"{FIRST_NAMES[n % 8]} {LAST_NAMES[(n // 8) % 10]} {n}",
                        status=STATUSES[n % len(STATUSES)],
                        risk_level=["critical", "high", "medium", "low"][n % 4],
                        citizenship=NATIONALITIES[n % len(NATIONALITIES)],
                        assigned_to=None if n % 17 == 0 else caseworkers[n % len(caseworkers)],
                        passport_number=f"X{n:08d}",
                        phone_numbers=f"+000 555 {n:07d}",
                        last_contact_at=None if n % 5 == 0 else now - timedelta(hours=(n * 7) % 2000),
                    )
                )
            victims = Victim.objects.bulk_create(victims)
            name_index.index_victims(victims, replace=False)  # bulk_create sends no post_save
            for j, victim in enumerate(victims):  # created_at is auto_now_add: spread the intakes over time
                victim.created_at = victim.status_changed_at = now - timedelta(minutes=(first + j) * 3)
            Victim.objects.bulk_update(victims, ["created_at", "status_changed_at"], batch_size=1000)
            RescueRequest.objects.bulk_create(
                RescueRequest(
                    organization=organization,
                    victim=v,
                    priority=["urgent", "high", "normal"][v.pk % 3],
                    assigned_to=v.assigned_to,
                    opened_at=v.created_at,
                    last_update_at=v.created_at,
                    next_follow_up_at=now + timedelta(hours=(v.pk % 240) - 72),  # 3 days overdue .. 7 days ahead
                )
                for v in victims
                if v.status in TRAPPED
            )
            CaseNote.objects.bulk_create(
                CaseNote(
                    organization=organization,
                    victim=v,
                    kind=kind,
                    body=f"Synthetic note {k} for load testing",
                    author=v.assigned_to,
                    occurred_at=v.created_at + timedelta(hours=k),
                )
                for v in victims
                for k, kind in enumerate(("contact_family", "internal"))
            )
            VictimStatusChange.objects.bulk_create(
                VictimStatusChange(
                    organization=organization,
                    victim=v,
                    from_status="reported",
                    to_status=v.status,
                    changed_by=v.assigned_to,
                    changed_at=v.created_at,
                )
                for v in victims
                if v.status != "reported"
            )
        done = first + size
        print(f"  {done} victims ({(done - have) / (time.perf_counter() - started):.0f}/s)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="victims in the organisation (default 20000)")
    parser.add_argument("--users", type=int, default=50, help="load-test caseworkers (default 50)")
    parser.add_argument("--organization", default="mekong", help="slug of a seed_demo organisation (default mekong)")
    args = parser.parse_args()
    if not 0 <= args.cases <= 1_000_000:
        parser.error("--cases must be between 0 and 1,000,000")
    organization = Organization.objects.get(slug=args.organization)
    caseworkers = load_caseworkers(organization, args.users)
    fill(organization, caseworkers, args.cases)
    if connection.vendor == "postgresql":  # planner statistics, as a long-running database would have them
        with connection.cursor() as cursor:
            for model in (Victim, RescueRequest, CaseNote, VictimStatusChange):
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    print(
        f"{organization.slug}: {Victim.objects.filter(organization=organization).count()} victims; "
        f"{len(caseworkers)} load caseworkers, password {LOAD_PASSWORD!r}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
