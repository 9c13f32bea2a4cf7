"""Benchmark of `manage.py seed_demo`: wall time and SQL queries of a first run and of an idempotent second run.

Each round migrates a fresh SQLite file (not timed), then runs the command with its default size. With
`--against DIR` the same rounds also run in another checkout of Homeward (e.g. an older commit exported with
`git archive`), alternating, so both are measured side by side on the same (shared, noisy) machine.

    .venv/bin/python bench/seed_demo.py                            # 3 rounds here
    .venv/bin/python bench/seed_demo.py --against /tmp/seed-before # and in another checkout, alternating
    .venv/bin/python bench/seed_demo.py --against /tmp/seed-before --same-data  # do both write the same rows?

`--same-data` seeds once in each checkout with the same fixed `now` and compares every row (without ids and the
times the code ran), the backdated creation times and the audit entries.

Not a test: it asserts nothing, it measures.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per checkout (default 3)")
    parser.add_argument("--victims", type=int, default=None, help="--victims for seed_demo (default: its default)")
    parser.add_argument("--against", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--same-data", action="store_true", help="compare the data written, not the time taken")
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)  # a child process
    parser.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)  # a child process
    return parser.parse_args()


def one_round(victims: int | None) -> dict:
    """Migrate a fresh database, run seed_demo twice; return times, query counts and row counts."""
    sys.path.insert(0, str(Path.cwd()))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from io import StringIO

    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    result = {}
    options = {} if victims is None else {"victims": victims}
    for run in ("first", "second"):
        queries = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            call_command("seed_demo", stdout=StringIO(), **options)
            result[f"{run}_s"] = time.perf_counter() - started
        result[f"{run}_queries"] = queries
    result["rows"] = {
        label: apps.get_model(label).objects.count()
        for label in (
            "cases.Victim",
            "cases.Reporter",
            "cases.VictimStatusChange",
            "cases.RescueRequest",
            "cases.CaseNote",
            "cases.AgencyReferral",
            "audit.AuditEntry",
        )
    }
    return result


def dump(victims: int | None) -> dict:
    """Seed with a fixed `now`; every row without ids and run-time stamps, creation times, and the trail."""
    sys.path.insert(0, str(Path.cwd()))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.apps import apps
    from django.core.management import call_command

    try:
        from demo.seeding import seed_demo
    except ImportError:  # a checkout from before the demo app
        from cases.demo import seed_demo

    call_command("migrate", verbosity=0, skip_checks=True)
    seed_demo(victims=300 if victims is None else victims, now=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    run_specific = {"id", "created_at", "updated_at", "victim", "rescue_request"}
    result = {}
    for label in ("Victim", "Reporter", "VictimStatusChange", "RescueRequest", "CaseNote", "AgencyReferral"):
        model = apps.get_model("cases", label)
        fields = [f for f in model._meta.concrete_fields if f.name not in run_specific]
        rows = model.objects.order_by("pk")
        result[label] = [{f.attname: str(getattr(row, f.attname)) for f in fields} for row in rows]
        if hasattr(model, "created_at"):
            result[f"{label}.created_at"] = sorted(str(row.created_at) for row in rows)
    result["CaseNumberSequence"] = list(apps.get_model("cases", "CaseNumberSequence").objects.values_list("last_value"))
    result["audit trail"] = sorted(
        json.dumps(
            [
                e.content_type.model,
                e.action,
                {k: "…" if k in run_specific else v for k, v in (e.changes or {}).items()},
            ],
            sort_keys=True,
        )
        for e in apps.get_model("cases", "AuditEntry").objects.select_related("content_type")
    )
    return result


def run_child(checkout: Path, victims: int | None, mode: str = "--one-round") -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch}/seed.sqlite3"}
        command = [sys.executable, str(Path(__file__).resolve()), mode]
        if victims is not None:
            command += ["--victims", str(victims)]
        done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(f"The round in {checkout} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    if args.one_round or args.dump:
        print(json.dumps(one_round(args.victims) if args.one_round else dump(args.victims)))
        return
    checkouts = {"here": BASE_DIR}
    if args.against:
        checkouts["against"] = args.against.resolve()
    if args.same_data:
        written = {name: run_child(path, args.victims, "--dump") for name, path in checkouts.items()}
        for table, rows in written["here"].items():
            same = all(other.get(table) == rows for other in written.values())
            print(f"{table:<30} {len(rows):>6} rows  {'same in every checkout' if same else 'DIFFERENT'}")
        return
    results: dict[str, list[dict]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, path in checkouts.items():  # alternate, so load on the machine hits both alike
            results[name].append(run_child(path, args.victims))
    for name, rounds in results.items():
        first = statistics.median(r["first_s"] for r in rounds)
        second = statistics.median(r["second_s"] for r in rounds)
        print(f"{name} ({checkouts[name]}), median of {len(rounds)} rounds:")
        print(f"  first run:  {first:6.2f} s, {rounds[0]['first_queries']:>6} queries")
        print(f"  second run: {second:6.2f} s, {rounds[0]['second_queries']:>6} queries (creates nothing)")
        print(f"  rows: {rounds[0]['rows']}")
    if args.against:
        here = statistics.median(r["first_s"] for r in results["here"])
        there = statistics.median(r["first_s"] for r in results["against"])
        print(f"first run, against / here: {there / here:.1f}x")


if __name__ == "__main__":
    main()
