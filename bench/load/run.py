"""Load-test Homeward as production serves it: PostgreSQL, gunicorn, WhiteNoise, DEBUG off, Locust clients.

    .venv/bin/python bench/load/run.py [--cases 20000] [--steps 10,25,50,100] [--step-seconds 30] [--fresh]

Makes (or reuses) the PostgreSQL database `homeward_load` on 127.0.0.1:5432 (user postgres), migrates, seeds it
(`seed_demo --victims 0`, then bench/load/seed.py up to --cases), collects static files and starts gunicorn with
config.settings.production and throwaway keys kept in var/load/keys.env. Then:
1. one caseworker clicks each page --repeat times, one request at a time: wall ms and CPU ms per request
   (gunicorn workers, and the PostgreSQL backends of homeward_load), per page;
2. Locust steps with a short think time (--think, default 0.5-2 s) at each --steps user count, to find the knee;
3. --realistic users (default 50) with 5-15 s between clicks for --realistic-seconds.
Prints requests/s, p50, p95 and errors per step and per page, and server CPU ms per request per step.
Locust runs on the same 2 cores as the server, so it takes part of the CPU it measures.
"""

import argparse
import csv
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import MIX, Caseworker, prepare  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "load"
DATABASE = "homeward_load"
SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "load-test-only-password-2025"  # bench/load/seed.py's LOAD_PASSWORD


def throwaway_keys() -> dict[str, str]:
    """Keys for this synthetic database only, made once and kept beside it (its secrets are encrypted with them)."""
    path = VAR / ("keys.env" if DATABASE == "homeward_load" else f"keys-{DATABASE}.env")
    if not path.exists():
        from cryptography.fernet import Fernet

        VAR.mkdir(parents=True, exist_ok=True)
        keys = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "BLIND_INDEX_KEY": Fernet.generate_key().decode(),
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in keys.items()))
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def environment(settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(throwaway_keys())
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=f"{SERVER}/{DATABASE}",
        HOMEWARD_VAR_DIR=str(VAR),  # file-system broker and static files of this run, away from var/
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    return env


def run(command: list[str], settings: str) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=environment(settings), check=True)


def prepare_database(*, fresh: bool, cases: int, users: int) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        if fresh:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            (VAR / ("keys.env" if DATABASE == "homeward_load" else f"keys-{DATABASE}.env")).unlink(missing_ok=True)
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(f"CREATE DATABASE {DATABASE}")
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], "config.settings.production")
    run([PYTHON, "manage.py", "seed_demo", "--victims", "0"], "config.settings.dev")  # refuses production
    run([PYTHON, "bench/load/seed.py", "--cases", str(cases), "--users", str(users)], "config.settings.dev")
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], "config.settings.production")


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn with the repository's config/gunicorn.py (as bin/serve runs it), workers and threads as given."""
    command = [str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.py"), "config.wsgi:application"]
    env = environment("config.settings.production")
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers), GUNICORN_THREADS=str(threads))
    print("$", f"GUNICORN_WORKERS={workers} GUNICORN_THREADS={threads}", " ".join(command), flush=True)
    log = open(VAR / "gunicorn.log", "ab")  # noqa: SIM115 (the server holds it until it stops)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = requests.get(
                f"http://127.0.0.1:{port}/accounts/sign-in/", headers={"X-Forwarded-Proto": "https"}, timeout=5
            )
            if response.status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {VAR / 'gunicorn.log'}")


class ServerCpu:
    """CPU seconds used so far by the gunicorn workers and by PostgreSQL's backends for homeward_load.

    A thread samples every process twice a second and keeps each one's last figure, so a backend that closes
    (CONN_MAX_AGE) or a worker that restarts still counts with what it used.
    """

    def __init__(self, server: subprocess.Popen):
        self.master = psutil.Process(server.pid)
        self.app_seconds: dict[int, float] = {}
        self.database_seconds: dict[int, float] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._sample_forever, daemon=True).start()

    @staticmethod
    def _record(into: dict[int, float], processes) -> None:
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            into[process.pid] = max(into.get(process.pid, 0.0), times.user + times.system)

    def sample(self) -> None:
        backends = []
        for process in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or [])
            if cmdline.startswith("postgres:") and f" {DATABASE} " in cmdline:
                backends.append(process)
        try:
            workers = [self.master, *self.master.children()]
        except psutil.Error:
            workers = []
        with self.lock:
            self._record(self.app_seconds, workers)
            self._record(self.database_seconds, backends)

    def _sample_forever(self) -> None:
        while True:
            self.sample()
            time.sleep(0.5)

    def app(self) -> float:
        self.sample()
        return sum(self.app_seconds.values())

    def database(self) -> float:
        self.sample()
        return sum(self.database_seconds.values())


def cpu_per_page(host: str, cpu: ServerCpu, repeat: int) -> None:
    """One caseworker, one request at a time: wall and server CPU milliseconds per request, per page."""
    session = requests.Session()
    prepare(session, host)
    samples: dict[str, list[tuple[float, float, float]]] = defaultdict(list)

    def send(method, url, name, expect, data=None, headers=None):
        app, database, wall = cpu.app(), cpu.database(), time.perf_counter()
        response = session.request(method, host + url, data=data, headers=headers, allow_redirects=False, timeout=60)
        wall = time.perf_counter() - wall
        samples[name].append((wall * 1000, (cpu.app() - app) * 1000, (cpu.database() - database) * 1000))
        if response.status_code != expect:
            raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}")
        return response

    caseworker = Caseworker(send, host, "load-caseworker0@mekong.example.org", PASSWORD)
    caseworker.sign_in()
    caseworker.case_list()  # warm the worker that served sign-in
    samples.clear()
    for _ in range(repeat):
        for _, click in MIX:
            click(caseworker)
    # CPU times come in 10 ms clock ticks: the mean over many requests is right, a single one is not.
    print(f"\n== One request at a time, {repeat} rounds of the mix: median wall, mean CPU per request ==")
    print(f"  {'page':<24} {'n':>4} {'wall ms':>8} {'app CPU ms':>11} {'DB CPU ms':>10}")
    for name, rows in sorted(samples.items()):
        walls, apps, databases = zip(*rows, strict=True)
        wall, app, database = statistics.median(walls), statistics.mean(apps), statistics.mean(databases)
        print(f"  {name:<24} {len(rows):>4} {wall:8.1f} {app:11.1f} {database:10.1f}")


def locust_step(host: str, cpu: ServerCpu, *, users: int, think: tuple[float, float], seconds: int, label: str):
    prefix = VAR / f"locust-{label}"
    env = environment("config.settings.production")
    env.update(LOAD_WAIT_MIN=str(think[0]), LOAD_WAIT_MAX=str(think[1]), LOAD_USERS=str(users))
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "--only-summary"]
    # Users arrive over 10 s and sign in; the figures start when all are in (--reset-stats), the CPU too.
    command += ["-u", str(users), "-r", str(max(1, users / 10)), "--run-time", f"{seconds + 10}s", "--host", host]
    command += ["--csv", str(prefix), "--loglevel", "WARNING", "--stop-timeout", "10", "--reset-stats"]
    with open(f"{prefix}.log", "wb") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(10)
        app, database = cpu.app(), cpu.database()
        locust.wait()
        app, database = cpu.app() - app, cpu.database() - database
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    count = max(1, int(total["Request Count"]))
    print(f"\n== {label}: {users} users, {think[0]:g}-{think[1]:g} s between clicks, {seconds} s after a 10 s ramp ==")
    print(
        f"  total: {float(total['Requests/s']):.1f} requests/s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"errors {total['Failure Count']} of {total['Request Count']}; server CPU per request: "
        f"app {app * 1000 / count:.0f} ms, DB {database * 1000 / count:.0f} ms"
    )
    print(f"  {'page':<24} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"  {row['Name']:<24} {float(row['Requests/s']):6.2f} {row['50%']:>7} {row['95%']:>7} "
                f"{row['Failure Count']:>6}"
            )
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="victims in the load organisation (default 20000)")
    parser.add_argument("--database", default="homeward_load", help="PostgreSQL database (default homeward_load)")
    parser.add_argument("--seed-only", action="store_true", help="prepare the database and stop")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate homeward_load first")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the database as it is")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3: cores + 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the one-at-a-time CPU pass (0 skips)")
    parser.add_argument("--steps", default="10,25,50,100", help="users per short-think-time step")
    parser.add_argument("--think", default="0.5,2", help="seconds between clicks in the steps (min,max)")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--realistic", type=int, default=50, help="users with 5-15 s between clicks (0 skips)")
    parser.add_argument("--realistic-seconds", type=int, default=60)
    args = parser.parse_args()
    steps = [int(n) for n in args.steps.split(",") if n]
    think = tuple(float(s) for s in args.think.split(","))

    globals()["DATABASE"] = args.database
    if not args.skip_seed:
        prepare_database(fresh=args.fresh, cases=args.cases, users=max([*steps, args.realistic, 1]))
    if args.seed_only:
        return 0
    host = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(args.port, args.workers, args.threads)
    try:
        cpu = ServerCpu(server)
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; CPUs: {}".format(*os.getloadavg(), os.cpu_count()))
        if args.repeat:
            cpu_per_page(host, cpu, args.repeat)
        summary = []
        for users in steps:
            total = locust_step(host, cpu, users=users, think=think, seconds=args.step_seconds, label=f"step-{users}")
            summary.append((f"{users} users, {think[0]:g}-{think[1]:g} s", total))
        if args.realistic:
            total = locust_step(
                host, cpu, users=args.realistic, think=(5, 15), seconds=args.realistic_seconds, label="realistic"
            )
            summary.append((f"{args.realistic} users, 5-15 s", total))
        print(f"\n== Summary ({args.workers} gunicorn workers x {args.threads} threads) ==")
        print(f"  {'step':<24} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
        for label, total in summary:
            print(
                f"  {label:<24} {float(total['Requests/s']):6.1f} {total['50%']:>7} {total['95%']:>7} "
                f"{total['Failure Count']:>6}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
