"""Benchmark of a newcomer's first start: `git clone`, then `bin/dev`, until the first page answers 200.

Each round clones a commit of this repository into a fresh temporary directory (no .venv, no var/), runs `bin/dev`
there on a free port with a clean environment (no DATABASE_URL, REDIS_URL or settings module: the embedded
defaults, SQLite and the file-system broker), and polls http://127.0.0.1:PORT/ as a browser would, following the
redirect to the sign-in page, until it answers 200. That moment is the figure: **first page**. After the demo
logins have been printed, it also signs in as a demo caseworker and loads My work: **signed in**.

Phases come from the time each line of bin/dev's output arrived (bin/dev prints a line as each phase starts):
venv + pip install, Django's start-up and system checks, migrate, seed, the beat schedules, and the server coming
up (honcho starting web, worker and beat until the first 200). Every phase of bin/dev counts; the clone (not part
of bin/dev) is timed and shown, but not included in "first page". An older bin/dev without some of the lines has
those phases merged into the one before (shown as "-").

pip: `--pip warm` (default) uses pip's ordinary download cache, warmed by one install before the first round, as a
newcomer's second try would find it (pip still asks the index for each pinned package); `--pip cold` gives every
round an empty cache of its own, so every wheel is downloaded again.

    .venv/bin/python bench/first_start.py                          # HEAD, 3 rounds, warm pip cache
    .venv/bin/python bench/first_start.py --against c419e37        # and that commit, alternating, side by side
    .venv/bin/python bench/first_start.py --pip cold --rounds 1

Not a test: it asserts nothing, it measures.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_LOGIN = "caseworker1@mekong.example.org"
DEMO_PASSWORD_RE = re.compile(r"password for all: ([^)\s]+)")
# bin/dev's phase lines (older commits print fewer; a phase that is not seen is shown as "-").
MARKERS = {
    "pip": "bin/dev: installing the requirements",
    "django": "bin/dev: starting Django",
    "migrate": "bin/dev: migrating",
    "seed": "bin/dev: seeding",
    "schedules": "bin/dev: installing the beat schedules",
    "server": "Homeward is starting at",
}
TIMEOUT_S = 600


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per commit (default 3)")
    parser.add_argument("--commit", default="HEAD", help="the commit to clone (default HEAD)")
    parser.add_argument("--against", help="another commit to measure in the same run, alternating")
    parser.add_argument("--pip", choices=("warm", "cold"), default="warm", help="pip's download cache (default warm)")
    parser.add_argument("--no-warming", action="store_true", help="warm: trust the cache is warm already")
    parser.add_argument("--keep", action="store_true", help="keep the last clone's output log in /tmp")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(port: int, pip_cache: Path | None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "VIRTUAL_ENV"))
        and key not in ("SITE_URL", "DEBUG", "PORT", "SECRET_KEY")
    }
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["PORT"] = str(port)
    env["SITE_URL"] = f"http://127.0.0.1:{port}"
    env["PYTHONUNBUFFERED"] = "1"  # lines arrive when printed, so phase times are right
    if pip_cache is not None:
        env["PIP_CACHE_DIR"] = str(pip_cache)
    return env


def get(opener, url: str, data: dict | None = None) -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, url, ""


def sign_in(base: str, password: str) -> bool:
    """Sign in as a demo caseworker through the sign-in form; True when My work answers 200."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, url, page = get(opener, base + "/accounts/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        return False
    form = {"csrfmiddlewaretoken": token.group(1), "username": DEMO_LOGIN, "password": password}
    status, url, page = get(opener, base + "/accounts/sign-in/", form)
    return status == 200 and "/accounts/sign-in/" not in url


def one_round(commit: str, pip_mode: str, keep: bool) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="hw-first-start-"))
    pip_cache = scratch / "pip-cache" if pip_mode == "cold" else None
    clone = scratch / "homeward"
    try:
        started = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(BASE_DIR), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
        cloned = time.monotonic() - started
        port = free_port()
        env = clean_env(port, pip_cache)
        base = f"http://127.0.0.1:{port}"
        lines: list[tuple[float, str]] = []
        log = open(scratch / "bin-dev.log", "w")  # noqa: SIM115
        t0 = time.monotonic()
        process = subprocess.Popen(
            ["bin/dev"],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so the whole of it can be stopped
        )

        def read() -> None:
            for line in process.stdout:
                lines.append((time.monotonic() - t0, line))
                log.write(f"{time.monotonic() - t0:7.2f} {line}")

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        first_page = signed_in = None
        opener = urllib.request.build_opener()
        try:
            while first_page is None:
                if process.poll() is not None:
                    time.sleep(0.5)
                    sys.exit(f"bin/dev exited with {process.returncode}; see {scratch / 'bin-dev.log'}")
                if time.monotonic() - t0 > TIMEOUT_S:
                    sys.exit(f"no page after {TIMEOUT_S} s; see {scratch / 'bin-dev.log'}")
                try:
                    status, url, page = get(opener, base + "/")
                    if status == 200 and "csrfmiddlewaretoken" in page:
                        first_page = time.monotonic() - t0
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    pass
                if first_page is None:
                    time.sleep(0.1)
            while signed_in is None and time.monotonic() - t0 < TIMEOUT_S:
                password = next((m.group(1) for _, text in lines if (m := DEMO_PASSWORD_RE.search(text))), None)
                if password and sign_in(base, password):
                    signed_in = time.monotonic() - t0
                else:
                    time.sleep(0.2)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            reader.join(timeout=5)
            log.close()
            if keep:
                shutil.copy(scratch / "bin-dev.log", Path(tempfile.gettempdir()) / "hw-first-start-last.log")
        seen = {name: next((t for t, text in lines if marker in text), None) for name, marker in MARKERS.items()}
        result = {"clone": cloned, "first_page": first_page, "signed_in": signed_in}
        return result | {f"at_{name}": at for name, at in seen.items()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def phases(result: dict) -> dict[str, float | None]:
    """Durations between the phase lines; a phase whose line was not seen is merged into the one before."""
    order = list(MARKERS)
    starts = [(name, result[f"at_{name}"]) for name in order if result[f"at_{name}"] is not None]
    starts = [("start", 0.0), *starts]
    out: dict[str, float | None] = dict.fromkeys(["start", *order])
    for (name, at), (_, until) in zip(starts, [*starts[1:], ("page", result["first_page"])], strict=True):
        out[name] = until - at
    return out


def warm_pip_cache(commit: str) -> None:
    """One install into a throwaway venv, so the download cache holds every pinned package."""
    with tempfile.TemporaryDirectory(prefix="hw-first-start-warm-") as scratch:
        clone = Path(scratch) / "homeward"
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(BASE_DIR), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
        subprocess.run(["python3", "-m", "venv", str(clone / ".venv")], check=True)
        subprocess.run(
            [str(clone / ".venv/bin/python"), "-m", "pip", "install", "--quiet", "-r", "requirements-dev.txt"],
            cwd=clone,
            check=True,
        )


def main() -> None:
    args = parse_args()
    # Stopped early (Ctrl-C, or kill when run in the background), it still stops the bin/dev it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    commits = {"here": args.commit}
    if args.against:
        commits["against"] = args.against
    for name, commit in commits.items():
        commits[name] = subprocess.run(
            ["git", "-C", str(BASE_DIR), "rev-parse", "--short", commit], capture_output=True, text=True, check=True
        ).stdout.strip()
    if args.pip == "warm" and not args.no_warming:
        warm_pip_cache(commits["here"])
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPUs: {os.cpu_count()}")
    results: dict[str, list[dict]] = {name: [] for name in commits}
    for _ in range(args.rounds):
        for name, commit in commits.items():  # alternate, so load on the machine hits both alike
            result = one_round(commit, args.pip, args.keep)
            results[name].append(result)
            parts = "  ".join(f"{k} {v:5.1f}" if v is not None else f"{k}     -" for k, v in phases(result).items())
            print(f"  {name} {commit}: first page {result['first_page']:5.1f} s  ({parts})", flush=True)
    print(f"pip cache: {args.pip}; load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    columns = {"clone": 6, "pip": 6, "django": 7, "migrate": 8, "seed": 6, "schedules": 10, "server": 7}
    columns |= {"first page": 11, "signed in": 10}
    print(
        f"  {'commit':<18}"
        + "".join(f" {title.upper() if title == 'first page' else title:>{w}}" for title, w in columns.items())
    )
    medians = {}
    for name, rounds in results.items():

        def median(values):
            values = [v for v in values if v is not None]
            return statistics.median(values) if values else None

        split = [phases(r) for r in rounds]
        row = {
            "clone": median(r["clone"] for r in rounds),
            "pip": median((s["start"] or 0) + (s["pip"] or 0) for s in split),
            **{phase: median(s[phase] for s in split) for phase in list(MARKERS)[1:]},
            "first page": median(r["first_page"] for r in rounds),
            "signed in": median(r["signed_in"] for r in rounds),
        }
        medians[name] = row
        cells = "".join(f" {row[t]:{w}.1f}" if row[t] is not None else f" {'-':>{w}}" for t, w in columns.items())
        print(f"  {name + ' ' + commits[name]:<18}{cells}")
    print(f"  (median s of {args.rounds} rounds; 'pip' is venv + pip install, up to the next line bin/dev printed)")
    if args.against:
        print(f"first page, against / here: {medians['against']['first page'] / medians['here']['first page']:.2f}x")
        if medians["against"]["signed in"] and medians["here"]["signed in"]:
            print(f"signed in, against / here: {medians['against']['signed in'] / medians['here']['signed in']:.2f}x")


if __name__ == "__main__":
    main()
