"""List matching end to end on PostgreSQL: quality on the labelled set, speed of a big list, two workers.

    .venv/bin/python bench/list_matching.py [--cases 200000] [--rows 10000] [--skip-workers] [--rounds 3] [--warm]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/homeward_lists_bench;
created and migrated when missing) and Redis db 7 as the broker for the worker runs. Prints:
1. precision / recall of the top suggestion per row on tests/lists/evaluation_set.py;
2. rows/s and peak memory (ru_maxrss) matching a --rows list against --cases synthetic cases in this process,
   the way one solo worker runs the chunks;
3. the same list matched by one, then two real `celery worker` processes (side by side, --rounds times, and the
   median ratio), with each chunk's seconds and the workers' CPU seconds: on a busy machine the CPU seconds show
   the work is the same whichever worker does it, while the wall clock shows what the free cores allow.
Synthetic cases are bulk-created with their name index (cases.name_index.index_victims), and reused by later runs.
"""

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homeward_lists_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
os.environ["DATABASE_URL"] = DB_URL
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from bench import make_name_pairs as gen  # noqa: E402
from bench.name_matching import random_name, variant  # noqa: E402
from cases import name_index  # noqa: E402
from cases.models import Victim  # noqa: E402
from core.names import THRESHOLD  # noqa: E402
from lists import chunks, services  # noqa: E402
from lists.models import Match, MatchChunk, ReleasedList  # noqa: E402
from lists.reading import guess_mapping, read_table  # noqa: E402
from tests.lists.builders import csv_bytes  # noqa: E402
from tests.lists.evaluation_set import PUBLISHED  # noqa: E402
from tests.lists.helpers import list_csv, make_cases, precision_recall, top_predictions  # noqa: E402

BATCH = 2000
COUNTRIES = ["VN", "CN", "IN", "ET", "ID", "PH", "MM", "TH"]


def organisation(slug: str, prefix: str) -> Organization:
    org, _ = Organization.objects.get_or_create(
        slug=slug, defaults={"name": f"{slug} (synthetic)", "case_number_prefix": prefix}
    )
    return org


def import_list(org: Organization, data: bytes, file_name: str, published: date) -> ReleasedList:
    table = read_table(data, file_name)
    with transaction.atomic():
        done = services.list_import(
            organization=org, uploaded_by=None, table=table, mapping=guess_mapping(table.headers),
            source="Synthetic bench source", published=published,
        )  # fmt: skip
    return done.released_list


def analyse() -> None:
    """VACUUM ANALYZE the tables matching reads, as autovacuum would after a bulk insert: a server without
    autovacuum (this machine's) keeps no statistics of the seeded index, and the planner then misjudges it."""
    from django.db import connection

    from cases.name_index import NameKey
    from lists.models import ListEntry

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Victim, NameKey, ListEntry))
        start = time.perf_counter()
        cursor.execute(f"VACUUM (ANALYZE) {tables}")  # noqa: S608 (table names from model metadata)
    print(
        f"autovacuum {autovacuum} on this server; VACUUM (ANALYZE) of the cases, the name index and the list "
        f"before the clock: {time.perf_counter() - start:.1f} s"
    )


def run_here(released_list: ReleasedList) -> float:
    start = time.perf_counter()
    while (pending := chunks.next_pending(released_list.pk)) is not None:
        chunks.work_chunk(pending)
    return time.perf_counter() - start


def quality() -> None:
    org = organisation("bench-lists-eval", "BLE")
    ReleasedList.objects.filter(organization=org).delete()
    Victim.objects.filter(organization=org).delete()
    victims = make_cases(org)
    released = import_list(org, list_csv(), "evaluation.csv", date.fromisoformat(PUBLISHED))
    run_here(released)
    precision, recall, wrong = precision_recall(top_predictions(released, org, THRESHOLD), victims)
    print(
        f"labelled set ({released.rows_total} rows, threshold {THRESHOLD}): "
        f"precision {precision:.3f}  recall {recall:.3f}"
    )
    for line, category in wrong:
        print(f"  wrong: row {line} ({category})")


def seed(org: Organization, count: int, rng: random.Random) -> list[tuple]:
    """Synthetic cases up to `count` (with their name keys); returns (name, sex, age, citizenship) of each."""
    have = Victim.objects.filter(organization=org).count()
    names = gen.Names(rng)
    year = timezone.now().year
    start = time.perf_counter()
    for base in range(have, count, BATCH):
        batch = [
            Victim(
                organization=org,
                case_number=f"BLM-{year}-{base + i + 1:06d}",
                full_name=random_name(rng, names),
                sex=rng.choice("MF"),
                estimated_age=rng.randint(18, 55),
                citizenship=rng.choice(COUNTRIES),
            )  # fmt: skip
            for i in range(min(BATCH, count - base))
        ]
        with transaction.atomic():
            created = Victim.objects.bulk_create(batch)
            name_index.index_victims(created, replace=False)
        print(f"\r  seeded {base + len(batch)}/{count} cases", end="", file=sys.stderr, flush=True)
    if count > have:
        print(f"\nseeded {count - have} cases in {time.perf_counter() - start:.0f} s (with the name index)")
    else:
        print(f"reusing {have} cases")
    columns = ("full_name", "sex", "estimated_age", "citizenship")
    return list(Victim.objects.filter(organization=org).order_by("pk").values_list(*columns))


def big_list(cases: list[tuple], rows: int, rng: random.Random) -> bytes:
    """70 % of rows are one of the cases, its name varied (order, script, title, typo); 30 % are strangers."""
    names = gen.Names(rng)
    body = [["No.", "Name", "Sex", "Age", "Nationality"]]
    for i in range(rows):
        if rng.random() < 0.7:
            name, sex, age, citizenship = rng.choice(cases)
            body.append([i + 1, variant(rng, name), sex, age, citizenship])
        else:
            body.append([i + 1, random_name(rng, names), rng.choice("MF"), rng.randint(18, 55), rng.choice(COUNTRIES)])
    return csv_bytes(body)


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset(released_list: ReleasedList) -> None:
    Match.objects.filter(entry__released_list=released_list).delete()
    MatchChunk.objects.filter(released_list=released_list).update(status="pending", claimed_at=None, finished_at=None)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


TASK_TIME = re.compile(r"match_chunk_task\[[0-9a-f-]+\] succeeded in ([0-9.]+)s")


def worker(n: int, log: Path, *, warm: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--queues=default",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               f"--hostname=bench-lists-{n}-{os.getpid()}@localhost",
               "--loglevel=INFO", *(["--include=bench.warm_names"] if warm else [])]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def run_workers(released_list: ReleasedList, count: int, run: int = 0, *, warm: bool = False) -> dict:
    """`count` real workers (started first, then every chunk queued): wall seconds, their highest peak MB, the
    seconds each chunk took (from the worker logs), and the CPU seconds the workers spent from ready to done."""
    from config.celery_app import app

    reset(released_list)
    app.control.purge()
    tmp = Path(tempfile.gettempdir())
    logs = [tmp / f"bench-lists-worker-{os.getpid()}-{run}-{count}-{n}.log" for n in range(count)]
    processes = [worker(n, log, warm=warm) for n, log in enumerate(logs)]
    try:
        while not all(" ready." in log.read_text(errors="replace") for log in logs):  # started before the clock
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"a worker stopped: see {logs}")
            time.sleep(0.2)
        load = os.getloadavg()[0]
        cpu_before = [cpu_seconds(p.pid) for p in processes]
        start = time.perf_counter()
        from lists.tasks import match_chunk_task

        for pk in released_list.chunks.order_by("pk").values_list("pk", flat=True):
            match_chunk_task.delay(pk)
        while not chunks.progress(released_list)["finished"]:
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"a worker stopped: see {logs}")
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        cpu = sum(cpu_seconds(p.pid) - before for p, before in zip(processes, cpu_before, strict=True))
        chunk_seconds = [[float(t) for t in TASK_TIME.findall(log.read_text(errors="replace"))] for log in logs]
        return {"seconds": seconds, "peak_mb": max(peak_mb(p.pid) for p in processes), "cpu": cpu,
                "chunks": chunk_seconds, "load": load}  # fmt: skip
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="1 then 2 workers, this many times (median ratio)")
    parser.add_argument("--warm", action="store_true", help="workers load the name libraries before the clock")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="seed the --cases cases and stop")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; database {DB_URL.rsplit('/', 1)[1]}")
    if not args.skip_quality:
        quality()

    rng = random.Random(11)
    # One organisation per case count, so 20,000 and 200,000 cases can be measured side by side.
    org = organisation(f"bench-lists-{args.cases}", "BLM")
    cases = seed(org, args.cases, rng)
    if args.seed_only:
        return
    ReleasedList.objects.filter(organization=org).delete()
    released = import_list(org, big_list(cases, args.rows, rng), f"bench-{args.rows}.csv", date(2025, 2, 20))
    analyse()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = run_here(released)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    suggestions = Match.objects.filter(entry__released_list=released).count()
    above = Match.objects.filter(entry__released_list=released, rank=1, score__gte=THRESHOLD).count()
    print(
        f"{released.rows_total} rows x {len(cases)} cases, in this process (one worker): {seconds:.1f} s, "
        f"{released.rows_total / seconds:.0f} rows/s; {suggestions} suggestions, {above} rows at or above "
        f"{THRESHOLD}; peak memory of this process {rss_after / 1024:.0f} MB "
        f"(before matching {rss_before / 1024:.0f} MB)"
    )
    if args.skip_workers:
        return
    rows, ratios = released.rows_total, []
    print(f"real Celery workers on {BROKER}, {released.chunks.count()} chunks of at most {chunks.CHUNK_SIZE} rows, "
          f"each worker --pool=solo and started fresh, "
          + ("its name libraries loaded before the clock (--warm):" if args.warm
             else "so its first chunk pays the name libraries' loading (see --warm):"))  # fmt: skip
    for run in range(args.rounds):
        one, two = run_workers(released, 1, run, warm=args.warm), run_workers(released, 2, run, warm=args.warm)
        ratios.append(one["seconds"] / two["seconds"])
        for count, result in ((1, one), (2, two)):
            per_chunk = " | ".join(", ".join(f"{t:.1f}" for t in times) for times in result["chunks"])
            print(f"  round {run + 1}: {count} worker{'s' if count > 1 else ''} {result['seconds']:.1f} s "
                  f"({rows / result['seconds']:.0f} rows/s, peak {result['peak_mb']:.0f} MB, "
                  f"{result['cpu']:.1f} CPU s in the workers, chunks {per_chunk} s, "
                  f"load average {result['load']:.1f})")  # fmt: skip
        print(f"  round {run + 1}: speed-up x{ratios[-1]:.2f}")
    print(f"speed-up of 2 workers over 1: x{statistics.median(ratios):.2f} (median of {len(ratios)} rounds; "
          f"{', '.join(f'x{r:.2f}' for r in ratios)}), with {os.cpu_count()} cores")  # fmt: skip


if __name__ == "__main__":
    main()
