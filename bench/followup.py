"""Benchmark of the follow-up engine: sweep, outbox delivery to a local SMTP sink, and weekly digests.

Builds N due rescue requests and M members in one organisation on the configured database (DATABASE_URL;
default: a fresh SQLite file var/bench-followup.sqlite3), then prints timings, rates and query counts.

    .venv/bin/python bench/followup.py                       # N=20000, M=500, SQLite
    createdb -h 127.0.0.1 -U postgres homeward_bench_tracker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_bench_tracker .venv/bin/python bench/followup.py

Not a test: it asserts nothing, it measures. The database must hold no rescue requests (use a scratch one).
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", "-n", type=int, default=20_000, help="due rescue requests (default 20000)")
    parser.add_argument("--members", "-m", type=int, default=500, help="organisation members (default 500)")
    parser.add_argument(
        "--deliver", type=int, default=5000, help="deliver this many emails to measure the rate (default 5000; 0: all)"
    )
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    if "DATABASE_URL" not in os.environ:
        path = BASE_DIR / "var" / "bench-followup.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_sink(port: int) -> subprocess.Popen:
    """aiosmtpd in its own process (so it does not compete for this process's GIL), discarding every message."""
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return sink
        time.sleep(0.05)
    sink.kill()
    sys.exit("The SMTP sink (python -m aiosmtpd) did not start.")


def main() -> None:
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Membership, Organization, User
    from cases.models import RescueRequest, Victim
    from tracker import outbox
    from tracker.digests import sweep_digests
    from tracker.models import OutboxMessage
    from tracker.sweeps import sweep_escalations, sweep_reminders

    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, skip_checks=True)
    if RescueRequest.objects.exists() or OutboxMessage.objects.exists():
        sys.exit(
            "The bench needs a database without rescue requests or outbox rows: point DATABASE_URL at a scratch one."
        )

    now = datetime.now(UTC).replace(microsecond=0)
    n, m = args.requests, args.members

    # --- build -------------------------------------------------------------------------------------
    started = time.perf_counter()
    with transaction.atomic():
        org = Organization.objects.create(
            name=f"Bench NGO {now:%Y%m%d%H%M%S}",
            slug=f"bench-{now:%Y%m%d%H%M%S}",
            case_number_prefix="BN",
            digest_weekday=now.weekday(),
            digest_hour=0,
            timezone="UTC",
        )
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(email=f"member{i}@bench.example.org", display_name=f"Member {i}", password=password)
                for i in range(m)
            ]
        )
        users = list(User.objects.filter(email__endswith="@bench.example.org").order_by("pk"))
        roles = [Membership.Role.SUPERVISOR, Membership.Role.ORG_ADMIN] + [Membership.Role.CASEWORKER] * (m - 2)
        Membership.objects.bulk_create(
            [Membership(user=u, organization=org, role=role) for u, role in zip(users, roles, strict=True)]
        )
        caseworkers = users[2:]
        victims = Victim.objects.bulk_create(
            [
                Victim(
                    organization=org,
                    case_number=f"BN-{now.year}-{i:06d}",
                    full_name=f"Bench Person {i}",
                    assigned_to=None if i % 10 == 0 else caseworkers[i % len(caseworkers)],
                    created_at=now - timedelta(days=i % 40),
                )
                for i in range(1, n + 1)
            ],
            batch_size=2000,
        )
        RescueRequest.objects.bulk_create(
            [
                RescueRequest(
                    organization=org,
                    victim=v,
                    priority=("urgent", "high", "normal")[i % 3],
                    assigned_to=v.assigned_to,
                    opened_at=now - timedelta(days=60),
                    last_update_at=now - timedelta(days=20),
                    next_follow_up_at=now - timedelta(hours=1 + i % 240),
                )
                for i, v in enumerate(victims)
            ],
            batch_size=2000,
        )
    print(f"built {n} due requests and {m} members in {time.perf_counter() - started:.1f}s")

    # --- sweeps ------------------------------------------------------------------------------------
    # Side by side: each sweep renders every email in full (rolled back), then once per shape (kept).
    for name, sweep in (("reminders", sweep_reminders), ("escalations", sweep_escalations)):
        rates = {}
        for by_shape in (False, True):
            connection.queries_log.clear()  # the log keeps 9000 entries: start each count from empty
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                with transaction.atomic():
                    result = sweep(now=now, render_by_shape=by_shape)
                    if not by_shape:
                        transaction.set_rollback(True)
                elapsed = time.perf_counter() - started
            rates[by_shape] = result.found / elapsed
            how = "rendered once per shape" if by_shape else "rendered per item    "
            print(
                f"sweep {name}, {how}: {result.found} due, {result.queued} queued in {elapsed:.2f}s "
                f"({rates[by_shape]:,.0f} rows/s), {len(queries)} queries"
            )
        print(f"sweep {name}: once per shape is {rates[True] / rates[False]:.1f}x the rate of per item")
    started = time.perf_counter()
    with transaction.atomic():
        again = sweep_reminders(now=now)
    print(f"sweep reminders again (nothing new): {again.queued} queued in {time.perf_counter() - started:.2f}s")

    # --- delivery ----------------------------------------------------------------------------------
    port = free_port()
    sink = start_smtp_sink(port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    limit = args.deliver or OutboxMessage.objects.count()
    sent = 0
    connection.queries_log.clear()  # the log keeps 9000 entries: start each count from empty
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        while sent < limit:
            counts = outbox.deliver_due(now=now, limit=min(200, limit - sent))
            if not counts["claimed"]:
                break
            sent += counts["sent"]
        elapsed = time.perf_counter() - started
    print(
        f"delivery: {sent} emails to a local SMTP sink in {elapsed:.2f}s ({sent / elapsed:,.0f} emails/s), "
        f"{len(queries)} queries ({len(queries) / max(sent, 1):.2f} per email)"
    )
    sink.terminate()
    sink.wait(timeout=10)

    # --- digests -----------------------------------------------------------------------------------
    connection.queries_log.clear()  # the log keeps 9000 entries: start each count from empty
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = sweep_digests(now=now, organization=org)
        elapsed = time.perf_counter() - started
    print(
        f"digests: {result.queued} members in {elapsed:.2f}s ({elapsed / max(result.queued, 1) * 1000:.1f} ms per "
        f"member), {len(queries)} queries ({len(queries) / max(result.queued, 1):.1f} per member)"
    )


if __name__ == "__main__":
    main()
