"""CPU milliseconds per signed-in page request (Django and PostgreSQL), optionally side by side with another checkout.

    .venv/bin/python bench/request_cost.py [--database hw_perf] [--repeat 30] [--rounds 3] [--base /tmp/base-tree] \
        [--redis redis://127.0.0.1:6379/14]
    .venv/bin/python bench/request_cost.py --profile "My work"        # cProfile of that page, top 40 by own time

Runs in-process with production settings (DEBUG off, cached template loader, the database sessions) against a
database bench/load/run.py made (`run.py --database hw_perf --cases 2000 --seed-only`), with its throwaway keys,
through Django's test Client (HTTPS, signed in, second factor passed where the role needs it). For each page:
the CPU of this process (time.process_time) and of its PostgreSQL backend (psutil, clock ticks of 10 ms, so only
a mean over many requests is meaningful) per request, the number of queries, and the Python function calls per
request (cProfile over 3 more requests: the same for the same code and data whatever the machine's load, so a
change's effect shows even when the CPU times are inside the noise). With --redis, the cache is
that Redis database (as production with REDIS_URL), else the process's memory.

With --base, the same measurement also runs in a second checkout (e.g. `git worktree add /tmp/base <commit>`),
each in its own process, alternating round by round, so both see the same machine load; the ratios are this
tree's figure over the base's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database", default="hw_perf")
parser.add_argument("--repeat", type=int, default=30, help="requests per page per round (default 30)")
parser.add_argument("--rounds", type=int, default=3, help="rounds (alternating with --base; default 3)")
parser.add_argument("--base", default="", help="another checkout to measure side by side")
parser.add_argument("--profile", default="", help="profile this page (a name below) instead")
parser.add_argument("--redis", default="", help="REDIS_URL for the cache, as production with Redis has it")
parser.add_argument("--child", default="", help=argparse.SUPPRESS)  # the tree a measuring process runs in
args = parser.parse_args()

PAGES = ["settings", "My work", "Team", "case list", "requests list", "referrals list", "case page"]


def measure_in_process(tree: Path) -> dict:
    """Sign in and time every page --repeat times in this process, with `tree`'s code; returns figures per page."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    import django

    django.setup()
    import psutil
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from cases.models import Victim

    def sign_in(user):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if user.is_staff or user.memberships.exclude(role="caseworker").exists():
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="Bench authenticator", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    caseworker = User.objects.get(email="load-caseworker0@mekong.example.org")
    supervisor = User.objects.get(email="supervisor@mekong.example.org")
    victims = Victim.objects.filter(organization__slug="mekong", rescue_requests__isnull=False).order_by("pk")
    sample = victims[victims.count() // 3]
    urls = {
        "settings": (caseworker, reverse("accounts:profile")),  # the smallest signed-in page: mostly fixed cost
        "My work": (caseworker, reverse("tracker:my_work")),
        "Team": (supervisor, reverse("tracker:team")),
        "case list": (caseworker, reverse("cases:victim_list")),
        "requests list": (caseworker, reverse("cases:request_list")),
        "referrals list": (caseworker, reverse("cases:referral_list")),
        "case page": (caseworker, reverse("cases:victim_detail", args=[sample.pk])),
    }
    clients = {user.pk: sign_in(user) for user in (caseworker, supervisor)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = psutil.Process(cursor.fetchone()[0])

    def database_seconds() -> float:
        times = backend.cpu_times()
        return times.user + times.system

    if args.profile:
        import cProfile
        import pstats

        user, url = urls[args.profile]
        client = clients[user.pk]
        client.get(url, secure=True)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.repeat):
            client.get(url, secure=True)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        if os.environ.get("PROFILE_CALLERS"):  # e.g. PROFILE_CALLERS=copy.py: who calls the functions matching it
            pstats.Stats(profile).sort_stats("tottime").print_callers(os.environ["PROFILE_CALLERS"])
        return {}

    figures = {}
    for name in PAGES:
        user, url = urls[name]
        client = clients[user.pk]
        assert client.get(url, secure=True).status_code == 200, name  # warm
        cpu, database = time.process_time(), database_seconds()
        with CaptureQueriesContext(connection) as captured:
            for _ in range(args.repeat):
                client.get(url, secure=True)
        app = (time.process_time() - cpu) * 1000 / args.repeat
        db = (database_seconds() - database) * 1000 / args.repeat
        queries = len(captured) / args.repeat  # now: each request below empties the connection's query log
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(3):
            client.get(url, secure=True)
        profile.disable()
        calls = pstats.Stats(profile).total_calls / 3
        figures[name] = {"app": app, "db": db, "queries": queries, "calls": calls}
    return figures


def run_child(tree: Path, extra_env: dict[str, str]) -> dict:
    env = dict(os.environ) | extra_env
    env["PYTHONPATH"] = str(tree)
    command = [sys.executable, str(HERE), "--child", str(tree), "--database", args.database]
    command += ["--repeat", str(args.repeat)]
    out = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    if args.child:
        print(json.dumps(measure_in_process(Path(args.child))))
        return 0
    sys.path.insert(0, str(ROOT / "bench" / "load"))
    import run as load_run  # bench/load/run.py: keys and environment of the load databases

    load_run.DATABASE = args.database
    os.environ.update(load_run.environment("config.settings.production"))
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    if args.profile:
        measure_in_process(ROOT)
        return 0
    # (label, checkout, environment): this tree as configured, this tree without the navigation cache, the base.
    runs = [("this", ROOT, {}), ("no nav cache", ROOT, {"NAVIGATION_COUNTS_CACHE_SECONDS": "0"})]
    if args.base:
        runs.append(("base", Path(args.base).resolve(), {}))
    results: dict[str, list[dict]] = {label: [] for label, _, _ in runs}
    for _ in range(args.rounds):
        for label, tree, extra_env in runs:
            results[label].append(run_child(tree, extra_env))

    def median(label: str, page: str, key: str) -> float:
        return statistics.median(result[page][key] for result in results[label])

    print(f"database {args.database}; cache: {args.redis or 'process memory'}; {args.rounds} rounds x {args.repeat}")
    print("requests per page, medians of the rounds' means; CPU ms per request (app: Django; DB: its PostgreSQL)")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; CPUs: {}".format(*os.getloadavg(), os.cpu_count()))
    reference = runs[-1][0]
    print("  " + " " * 16 + "".join(f" | {label:<23}" for label, _, _ in runs) + f" | app+DB / {reference}")
    header = " |  app ms DB ms  q calls" * len(runs)
    print(f"  {'page':<16}" + header + " | " + " ".join(f"{r[0][:8]:>8}" for r in runs[:-1]) + " | calls/" + reference)
    for page in PAGES:
        line = f"  {page:<16}"
        for label, _, _ in runs:
            app, db, queries = (median(label, page, key) for key in ("app", "db", "queries"))
            calls = median(label, page, "calls") / 1000
            line += f" | {app:7.1f} {db:5.1f} {queries:2.0f} {calls:4.0f}k"
        total = {label: median(label, page, "app") + median(label, page, "db") for label, _, _ in runs}
        line += " | " + " ".join(f"{total[label] / total[reference]:8.2f}" for label, _, _ in runs[:-1])
        line += " | " + f"{median(runs[0][0], page, 'calls') / median(reference, page, 'calls'):6.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
