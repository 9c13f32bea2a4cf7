"""Benchmark of the follow-up engine: sweep, outbox delivery to a local SMTP sink, and weekly digests.

Builds N due rescue requests and M members in one organisation on the configured database (DATABASE_URL;
default: a fresh SQLite file var/bench-followup.sqlite3), then prints timings, rates and query counts, before and
after side by side: the reminder sweep as one email per due item vs one per recipient, and delivery by worker
processes, each sending to an SMTP sink of its own (bench/smtp_sink.py); with --base, the same delivery run by the
code of another checkout first (to one aiosmtpd sink, as the bench did before, then to a lean sink each).

    .venv/bin/python bench/followup.py                       # N=20000, M=500, SQLite
    git worktree add /tmp/followup-base <commit>; .venv/bin/python bench/followup.py --base /tmp/followup-base
    createdb -h 127.0.0.1 -U postgres homeward_bench_tracker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_bench_tracker .venv/bin/python bench/followup.py

Not a test: it asserts nothing, it measures. The database must hold no rescue requests (use a scratch one).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

import smtp_sink  # noqa: E402 - the bench's own SMTP sink, next to this file


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", "-n", type=int, default=20_000, help="due rescue requests (default 20000)")
    parser.add_argument("--members", "-m", type=int, default=500, help="organisation members (default 500)")
    parser.add_argument(
        "--deliver", type=int, default=5000, help="deliver this many emails to measure the rate (default 5000; 0: all)"
    )
    parser.add_argument(
        "--delivery-workers", type=int, default=2, help="delivery processes side by side in the last run (default 2)"
    )
    parser.add_argument(
        "--base", type=Path, help="a checkout of the code to compare delivery with (git worktree add PATH COMMIT)"
    )
    parser.add_argument("--delivery-worker", nargs=2, type=int, metavar=("PORT", "MARK_EVERY"), help=argparse.SUPPRESS)
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


def use_smtp_sink(port: int) -> None:
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def delivery_worker(port: int, mark_every: int) -> None:
    """One delivery process: set up, wait for the go on stdin, deliver until nothing is left, report as JSON."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker import outbox

    use_smtp_sink(port)
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    now = datetime.now(UTC) + timedelta(minutes=5)  # after the bench's `now`: every pool row is due
    sent = 0
    with CaptureQueriesContext(connection) as queries:
        start = time.time()
        while True:
            counts = outbox.deliver_due(now=now, limit=200, mark_every=mark_every)
            sent += counts["sent"]
            if not counts["claimed"]:
                break
        end = time.time()
    print(json.dumps({"sent": sent, "start": start, "end": end, "queries": len(queries)}), flush=True)


def delivery_workers(ports: list[int], *, mark_every: int, code: Path = BASE_DIR) -> list[dict]:
    """Start a delivery process per port (its SMTP sink) on this database with the code in `code`, release them
    together, collect their reports."""
    processes = [
        subprocess.Popen(
            [sys.executable, str(code / "bench" / "followup.py"), "--delivery-worker", str(port), str(mark_every)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=code,
        )
        for port in ports
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = [json.loads(process.stdout.readline()) for process in processes]
    for process in processes:
        process.wait(timeout=60)
    return reports


def sweep_reminders_per_item(*, now):
    """The reminder sweep as it was before issue 14, to compare: one outbox row per due item, each rendered."""
    from django.db import transaction

    from tracker.models import OutboxMessage
    from tracker.outbox import existing_keys
    from tracker.reminder_email import ReminderWording
    from tracker.sweeps import CHUNK, SweepResult, Team
    from tracker.sweeps.reminders import DueReminder, _reminder_email, due_rows, rounds_overdue

    result = SweepResult()
    rows = list(due_rows(now=now, organization=None))
    team = Team({row.organization_id for row in rows})
    for start in range(0, len(rows), CHUNK):
        lines = []
        for row in rows[start : start + CHUNK]:
            result.found += 1
            caseworker = team.member(row.organization_id, row.assigned_to_id)
            cadence = team.organizations[row.organization_id].cadence_for(row.priority)
            for membership in [caseworker] if caseworker else team.supervisors(row.organization_id):
                lines.append(DueReminder(row, rounds_overdue(row.due_at, cadence, now=now), membership, not caseworker))
        known = existing_keys(line.key for line in lines)
        rows_out = []
        for line in lines:
            if line.key not in known:
                row = _reminder_email([line], batch="", now=now, wording=ReminderWording())
                row.dedupe_key, row.object_id, row.sequence = line.key, line.request.pk, line.round
                rows_out.append(row)
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(rows_out, batch_size=CHUNK, ignore_conflicts=True)
        result.queued += len(rows_out)
    return result


def main() -> None:
    args = parse_args()
    setup_django()
    if args.delivery_worker:
        delivery_worker(*args.delivery_worker)
        return
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
    # Side by side: reminders the way they were (one email per due item, rendered per item; rolled back), then
    # one email per recipient listing all their due items (kept). Escalations: per item, then once per shape.
    runs = (
        ("reminders", "one email per due item   ", lambda: sweep_reminders_per_item(now=now), True),
        ("reminders", "one email per recipient  ", lambda: sweep_reminders(now=now), False),
        ("escalations", "rendered per item        ", lambda: sweep_escalations(now=now, render_by_shape=False), True),
        ("escalations", "rendered once per shape  ", lambda: sweep_escalations(now=now), False),
    )
    rates = {}
    for name, how, sweep, roll_back in runs:
        connection.queries_log.clear()  # the log keeps 9000 entries: start each count from empty
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            with transaction.atomic():
                result = sweep()
                emails = OutboxMessage.objects.filter(kind=name[:-1]).count()
                transaction.set_rollback(roll_back)
            elapsed = time.perf_counter() - started
        rates.setdefault(name, []).append(result.found / elapsed)
        print(
            f"sweep {name}, {how}: {result.found} due, {result.queued} queued, {emails} emails in {elapsed:.2f}s "
            f"({result.found / elapsed:,.0f} rows/s), {len(queries)} queries"
        )
        if len(rates[name]) == 2:
            print(f"sweep {name}: after is {rates[name][1] / rates[name][0]:.1f}x the rate of before")
    started = time.perf_counter()
    with transaction.atomic():
        again = sweep_reminders(now=now)
    print(f"sweep reminders again (nothing new): {again.queued} queued in {time.perf_counter() - started:.2f}s")

    # --- delivery ----------------------------------------------------------------------------------
    # The same emails are sent in each run (set pending again before it), by worker processes started first and
    # then released together, each to an SMTP sink of its own. With --base, the other checkout's code delivers
    # first: to one aiosmtpd sink shared by its workers (the bench before issue 14's delivery work), then to a lean
    # sink each. What the sinks take from plain smtplib clients (pre-built messages, one connection each) is
    # measured before, so a rate near it says the sink, not the worker, is the limit.
    workers = max(args.delivery_workers, 1)
    ports = [smtp_sink.free_port() for _ in range(workers + 1)]
    aiosmtpd_port, lean_ports = ports[0], ports[1:]
    sinks = [smtp_sink.start(aiosmtpd_port, lean=False)] + [smtp_sink.start(port) for port in lean_ports]
    sample = min(args.deliver or 2000, 2000)
    print(
        f"SMTP sinks' capacity, {workers} smtplib clients: one aiosmtpd sink "
        f"{smtp_sink.capacity([aiosmtpd_port] * workers, count=sample // workers):,.0f} emails/s; a lean sink each "
        f"{smtp_sink.capacity(lean_ports, count=sample // workers):,.0f} emails/s"
    )
    limit = args.deliver or OutboxMessage.objects.count()
    pool = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)[:limit])
    OutboxMessage.objects.exclude(pk__in=pool).update(status=OutboxMessage.Status.SENT, sent_at=now)
    mark_every = outbox.MARK_SENT_EVERY
    delivery_runs = []
    if args.base:
        delivery_runs += [
            (f"base, {workers} workers, one aiosmtpd sink ", [aiosmtpd_port] * workers, args.base.resolve()),
            (f"base, {workers} workers, a lean sink each  ", lean_ports, args.base.resolve()),
        ]
    delivery_runs += [
        ("now,  1 worker,  a lean sink         ", lean_ports[:1], BASE_DIR),
        (f"now,  {workers} workers, a lean sink each  ", lean_ports, BASE_DIR),
    ]
    email_rates = []
    for how, worker_ports, code in delivery_runs:
        OutboxMessage.objects.filter(pk__in=pool).update(
            status=OutboxMessage.Status.PENDING,
            sent_at=None,
            claimed_until=None,
            claim_token="",
            attempts=0,
            next_attempt_at=now,
        )
        reports = delivery_workers(worker_ports, mark_every=mark_every, code=code)
        sent = sum(r["sent"] for r in reports)
        queries = sum(r["queries"] for r in reports)
        elapsed = max(r["end"] for r in reports) - min(r["start"] for r in reports)
        email_rates.append(sent / elapsed)
        print(
            f"delivery, {how}: {sent} emails in {elapsed:.2f}s ({sent / elapsed:,.0f} emails/s), "
            f"{queries} queries ({queries / max(sent, 1):.2f} per email)"
        )
    if args.base:
        print(
            f"delivery: now with {workers} workers and a lean sink each is {email_rates[3] / email_rates[0]:.1f}x the "
            f"base on one aiosmtpd sink, {email_rates[3] / email_rates[1]:.1f}x the base on the same sinks"
        )
    for sink in sinks:
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
