"""CPU time of one password hash: PBKDF2 at Django's default iterations against Homeward's Argon2id hasher.

    .venv/bin/python bench/signin.py [--rounds 7]

A sign-in verifies one hash, which costs the same as making it. The hashers run interleaved, round by round, in
one process, so both see the same machine load; CPU time (time.process_time, all threads) is printed, not wall
time. Django's own Argon2 defaults (100 MiB, p=8) are shown for reference.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher  # noqa: E402

from core.hashers import OwaspArgon2PasswordHasher  # noqa: E402

PASSWORD = "synthetic-bench-password-0123"
SALT = "benchsalt0123456789abc"


def cpu_ms(hasher, encoded: str) -> tuple[float, float]:
    """CPU and wall milliseconds of one verify of `encoded`."""
    cpu, wall = time.process_time(), time.perf_counter()
    assert hasher.verify(PASSWORD, encoded)
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="verifies per hasher (default 7)")
    args = parser.parse_args()

    hashers = {
        f"PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} iterations (Django default)": PBKDF2PasswordHasher(),
        "Argon2id, m=19 MiB t=2 p=1 (Homeward, OWASP)": OwaspArgon2PasswordHasher(),
        "Argon2id, m=100 MiB t=2 p=8 (Django default, reference)": Argon2PasswordHasher(),
    }
    encoded = {name: hasher.encode(PASSWORD, SALT) for name, hasher in hashers.items()}
    cpu: dict[str, list[float]] = {name: [] for name in hashers}
    wall: dict[str, list[float]] = {name: [] for name in hashers}
    for _ in range(args.rounds):
        for name, hasher in hashers.items():
            c, w = cpu_ms(hasher, encoded[name])
            cpu[name].append(c)
            wall[name].append(w)

    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; CPUs: {}".format(*os.getloadavg(), os.cpu_count()))
    print(f"one verify (= one sign-in's hashing), median of {args.rounds}, interleaved:")
    print(f"  {'hasher':<58} {'CPU ms':>8} {'wall ms':>8}")
    for name in hashers:
        print(f"  {name:<58} {statistics.median(cpu[name]):8.1f} {statistics.median(wall[name]):8.1f}")
    pbkdf2, argon2 = (statistics.median(cpu[name]) for name in list(hashers)[:2])
    print(f"PBKDF2 / Argon2id (Homeward) CPU per sign-in: {pbkdf2 / argon2:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
