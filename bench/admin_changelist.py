"""Time the busiest admin pages against the configured database, with many synthetic victims.

    DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/admin_changelist.py --victims 200000

Rows live in their own organisation, slug "bench-admin", and are reused by later runs (only the missing rows
are added). Every name, passport number and phone number is synthetic. Prints, per page, the median and worst
wall time over --repeat requests through Django's test Client, the median time spent in SQL, and the number of
queries. The machine's load average is printed too: on a shared machine, wall times scale with it.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organization, User  # noqa: E402
from cases.models import AgencyReferral, CaseNote, CaseNumberSequence, RescueRequest, Victim, VictimStatusChange  # noqa: E402
from places.models import Agency  # noqa: E402

SLUG = "bench-admin"
PREFIX = "BA"
BATCH = int(os.environ.get("BENCH_BATCH", "5000"))
FIRST_NAMES = ["Synthetic", "Sample", "Example", "Placeholder", "Testcase", "Dummy", "Mock", "Fixture"]
LAST_NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"]
STATUSES = ["reported", "verified", "in_contact", "lost_contact", "rescued", "in_shelter", "repatriated"]
NATIONALITIES = ["VN", "ID", "CN", "PH", "TH", "MM", "LA", "KH", "IN", "LK", "NP", "BD"]


def bench_people() -> tuple[Organization, User, User, list[User]]:
    organisation, _ = Organization.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench Admin NGO (synthetic)", "case_number_prefix": PREFIX}
    )
    superuser, created = User.objects.get_or_create(
        email="bench-superuser@bench-admin.example.org",
        defaults={"display_name": "Bench Superuser", "is_staff": True, "is_superuser": True},
    )
    org_admin, _ = User.objects.get_or_create(
        email="bench-orgadmin@bench-admin.example.org", defaults={"display_name": "Bench Org Admin", "is_staff": True}
    )
    Membership.objects.get_or_create(user=org_admin, organization=organisation, defaults={"role": "org_admin"})
    caseworkers = []
    for i in range(10):
        user, _ = User.objects.get_or_create(
            email=f"bench-caseworker{i}@bench-admin.example.org", defaults={"display_name": f"Bench Caseworker {i}"}
        )
        Membership.objects.get_or_create(user=user, organization=organisation, defaults={"role": "caseworker"})
        caseworkers.append(user)
    return organisation, superuser, org_admin, caseworkers


def fill(organisation: Organization, caseworkers: list[User], target: int) -> None:
    """Bulk-create victims (and a request, a note, a status change; a referral for every fourth) up to `target`."""
    have = Victim.objects.filter(organization=organisation).count()
    if have >= target:
        print(f"reusing {have} victims in organisation {SLUG!r}")
        return
    agency = Agency.objects.filter(organization__isnull=True).first() or Agency.objects.create(
        name="Bench shared agency (synthetic)", kind="police", email="bench@example.org"
    )
    year = timezone.now().year
    start = time.perf_counter()
    now = timezone.now()
    print(f"creating {target - have} victims in organisation {SLUG!r} ...", flush=True)
    for first in range(have, target, BATCH):
        size = min(BATCH, target - first)
        with transaction.atomic():
            sequence, _ = CaseNumberSequence.objects.select_for_update().get_or_create(
                organization=organisation, year=year
            )
            base = sequence.last_value
            CaseNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + size)
            victims = []
            for j in range(size):
                n = first + j
                created = now - timedelta(minutes=n * 3)
                victims.append(
                    Victim(
                        organization=organisation,
                        case_number=f"{PREFIX}-{year}-{base + j + 1:05d}",
                        full_name=f"{FIRST_NAMES[n % 8]} {LAST_NAMES[(n // 8) % 10]} {n}",
                        status=STATUSES[n % len(STATUSES)],
                        risk_level=["critical", "high", "medium", "low"][n % 4],
                        citizenship=NATIONALITIES[n % len(NATIONALITIES)],
                        assigned_to=caseworkers[n % len(caseworkers)],
                        passport_number=f"X{n:08d}",
                        phone_numbers=f"+000 555 {n:07d}",
                        status_changed_at=created,
                    )
                )
            victims = Victim.objects.bulk_create(victims)
            # created_at is auto_now_add, so bulk_create stamped "now"; spread the intakes over time again.
            for j, victim in enumerate(victims):
                victim.created_at = now - timedelta(minutes=(first + j) * 3)
            Victim.objects.bulk_update(victims, ["created_at"], batch_size=1000)
            requests = [
                RescueRequest(
                    organization=organisation,
                    victim=v,
                    priority=["urgent", "high", "normal"][i % 3],
                    assigned_to=v.assigned_to,
                    opened_at=v.created_at,
                    last_update_at=v.created_at,
                    next_follow_up_at=v.created_at + timedelta(days=3),
                )
                for i, v in enumerate(victims)
            ]
            RescueRequest.objects.bulk_create(requests)
            CaseNote.objects.bulk_create(
                CaseNote(
                    organization=organisation,
                    victim=v,
                    kind="contact_family",
                    body="Synthetic note for benchmarking",
                    author=v.assigned_to,
                    occurred_at=v.created_at,
                )
                for v in victims
            )
            VictimStatusChange.objects.bulk_create(
                VictimStatusChange(
                    organization=organisation,
                    victim=v,
                    from_status="reported",
                    to_status=v.status,
                    changed_by=v.assigned_to,
                    changed_at=v.created_at,
                )
                for v in victims
                if v.status != "reported"
            )
            AgencyReferral.objects.bulk_create(
                AgencyReferral(organization=organisation, victim=v, agency=agency) for v in victims[::4]
            )
        done = first + size - have
        rate = done / (time.perf_counter() - start)
        print(f"  {first + size} victims ({rate:.0f}/s)", flush=True)


def sign_in(client: Client, user: User) -> Client:
    """Sign in with the second factor passed (the admin requires it), as django_otp.login records it."""
    client.force_login(user)
    if "django_otp" in settings.INSTALLED_APPS:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Bench authenticator", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def measure(client: Client, url: str, params: dict | None, repeat: int) -> tuple[list[float], list[float], int, int]:
    """Wall times and SQL times (ms) of `repeat` requests, with the query count and status of the last."""
    client.get(url, params)  # warm caches (templates, content types, the database's own)
    times, sql_times = [], []
    queries = status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries = len(captured)
        status = response.status_code
    return times, sql_times, queries, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=10000, help="victims in the bench organisation (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (default 5)")
    args = parser.parse_args()

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    organisation, superuser, org_admin, caseworkers = bench_people()
    fill(organisation, caseworkers, args.victims)
    if connection.vendor == "postgresql":
        # Fresh bulk inserts leave the planner without statistics (and the visibility map unset) until autovacuum
        # gets round to them; a production table would have both.
        with connection.cursor() as cursor:
            for model in (Victim, RescueRequest, CaseNote, VictimStatusChange, AgencyReferral):
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    total = Victim.objects.count()
    sample = Victim.objects.filter(organization=organisation).order_by("pk")[args.victims // 2]
    request_sample = RescueRequest.objects.filter(victim=sample).first()
    print(f"\ndatabase: {engine}; victims in the database: {total}; in {SLUG!r}: {args.victims}; repeat: {args.repeat}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; CPUs: {}".format(*os.getloadavg(), os.cpu_count()))

    def url(model, view="changelist", *a):
        return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=a)

    pages = [
        ("victim changelist", url(Victim), None),
        ("victim changelist, status filter", url(Victim), {"status__exact": "in_contact"}),
        ("victim changelist, page 50", url(Victim), {"p": "50"}),
        ("victim search, whole case number", url(Victim), {"q": sample.case_number}),
        ("victim search, part of a name", url(Victim), {"q": "Sample Echo 1234"}),
        ("victim change page", url(Victim, "change", sample.pk), None),
        ("rescue request changelist", url(RescueRequest), None),
        ("rescue requests overdue", url(RescueRequest), {"follow_up": "overdue"}),
        ("rescue request change page", url(RescueRequest, "change", request_sample.pk), None),
        ("referral changelist", url(AgencyReferral), None),
        ("case note changelist", url(CaseNote), None),
        ("status change changelist", url(VictimStatusChange), None),
    ]
    host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost")
    print(f"{'page':38} {'who':10} {'median ms':>10} {'max ms':>8} {'SQL ms':>8} {'queries':>8} {'status':>6}")
    for who, user in (("superuser", superuser), ("org admin", org_admin)):
        client = sign_in(Client(HTTP_HOST=host), user)
        for name, page_url, params in pages:
            times, sql, queries, status = measure(client, page_url, params, args.repeat)
            print(
                f"{name:38} {who:10} {statistics.median(times):10.1f} {max(times):8.1f} "
                f"{statistics.median(sql):8.1f} {queries:8d} {status:6d}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
