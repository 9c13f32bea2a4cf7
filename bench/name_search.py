"""Name search latency at a large caseload (PostgreSQL), side by side with a plain indexed equality query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_names_bench \\
        DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/name_search.py --victims 200000

The database is created and migrated if missing; the cases live in their own organisation ("bench-names") and are
reused by later runs (only missing rows are added). Every name is synthetic, drawn from Vietnamese, Chinese (both
character sets), Thai and Indian name parts. Victims go in with bulk_create (names encrypted as in the app); their
name keys are computed by cases.name_index and written with COPY (the same digests index_victims writes).

Measured in one run, interleaved, so the shared machine's load hits both alike:
- search: the list page's query for a name search (the first page of ids, newest first), through name_index;
- equality: the same page query filtered by one case number (a unique index): the cheapest lookup there is.
Prints the median and 95th percentile of each, and their ratio.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homeward_names_bench")


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Organization  # noqa: E402
from cases import name_index  # noqa: E402
from cases.models import NameKey, Victim  # noqa: E402

SLUG = "bench-names"
BATCH = 5000
VI_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
VI_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Kim"]
VI_GIVEN = ["An", "Anh", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khoa", "Lan", "Linh", "Long"]
VI_GIVEN += ["Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
ZH_FAMILY = ["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林"]
ZH_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "晓明",
]
ZH_GIVEN += ["建国", "志强", "海燕", "桂英", "玉兰", "文", "华", "平", "刚", "辉"]
TH_GIVEN = ["สมชาย", "สมพงษ์", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุดา", "มาลี", "อนงค์", "กมล", "ชัยวัฒน์", "นภา"]
TH_FAMILY = ["รักดี", "ใจดี", "สุขใจ", "ศรีสุข", "มีสุข", "แก้วมณี", "บุญมา", "ทองดี", "วงศ์ใหญ่", "พรหมมา"]
IN_GIVEN = ["Gopal", "Ravi", "Suresh", "Anita", "Priya", "Amit", "Sunil", "Deepak", "Kavita", "Rajesh", "Pooja"]
IN_FAMILY = ["Tak", "Sharma", "Verma", "Singh", "Kumar", "Patel", "Yadav", "Gupta", "Reddy", "Nair", "Das"]
COUNTRIES = ["VN", "CN", "TH", "IN"]


def synthetic_name(rng: random.Random, country: str) -> str:
    if country == "VN":
        return f"{rng.choice(VI_FAMILY)} {rng.choice(VI_MIDDLE)} {rng.choice(VI_GIVEN)}"
    if country == "CN":
        return rng.choice(ZH_FAMILY) + rng.choice(ZH_GIVEN) + (rng.choice(ZH_GIVEN) if rng.random() < 0.3 else "")
    if country == "TH":
        return f"{rng.choice(TH_GIVEN)} {rng.choice(TH_FAMILY)}"
    return f"{rng.choice(IN_GIVEN)} {rng.choice(IN_FAMILY)}"


def seed(organization: Organization, total: int) -> None:
    have = Victim.objects.filter(organization=organization).count()
    rng = random.Random(20250220 + have)
    started = time.perf_counter()
    for first in range(have, total, BATCH):
        size = min(BATCH, total - first)
        rows = []
        for i in range(first, first + size):
            country = COUNTRIES[i % len(COUNTRIES)]
            rows.append(
                Victim(
                    organization=organization,
                    case_number=f"BN-2025-{i + 1:06d}",
                    full_name=synthetic_name(rng, country),
                    citizenship=country,
                    estimated_age=18 + i % 40,
                )
            )
        victims = Victim.objects.bulk_create(rows)
        connection.ensure_connection()
        with (
            connection.connection.cursor() as raw,
            raw.copy("COPY cases_namekey (organization_id, victim_id, kind, digest) FROM STDIN") as copy,
        ):
            for victim in victims:
                for digest, kind in name_index.keyed(organization.pk, [victim.full_name]).items():
                    copy.write_row((organization.pk, victim.pk, kind, digest))
        done = first + size
        print(f"seeded {done}/{total} cases ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    # As autovacuum leaves a settled table: statistics, and the visibility map that lets the index lookups stay
    # index-only (a freshly COPYed table sends every one of them to the heap).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) cases_victim")
        cursor.execute("VACUUM (ANALYZE) cases_namekey")


def page_query(queryset) -> list[int]:
    """The list page's first step: the ids of the first page, newest first (cases/views/victim_list.py)."""
    return list(queryset.order_by("-created_at", "-pk").values_list("pk", flat=True)[:51])


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="Rounds over the query set (default %(default)s).")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    call_command("migrate", verbosity=0, interactive=False)
    organization, _ = Organization.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench Names NGO (synthetic)", "case_number_prefix": "BN"}
    )
    seed(organization, options.victims)  # (vacuums even when nothing was missing)
    victims = Victim.objects.filter(organization=organization)
    rng = random.Random(7)
    queries = [
        "Nguyen Thi Mai",  # without tone marks
        "Mai Nguyen",  # another order
        "Nguyễn Văn An",
        "Tran Khoa",
        "Li Wei",  # Latin for characters
        "李伟",
        "劉強",  # traditional for simplified
        "Zhang Xiaoming",  # a joined given name
        "Sompong Rakdee",  # a common spelling of a Thai name
        "สมชาย ใจดี",
        "Gopal Tak",
        "Tak Gopal",
        "Sharma",  # one common part
        "Nguy",  # the start of a part
        "Nobody Synthetic",
    ]
    numbers = [f"BN-2025-{rng.randint(1, options.victims):06d}" for _ in queries]
    search_ms: dict[str, list[float]] = {q: [] for q in queries}
    equality_ms: list[float] = []
    found: dict[str, int] = {}
    for _round in range(options.repeat + 1):  # the first round warms the caches and is not counted
        for query, number in zip(queries, numbers, strict=True):
            ms, ids = timed(lambda q=query: page_query(victims.filter(name_index.search_q(organization.pk, q))))
            eq_ms, _ = timed(lambda n=number: page_query(victims.filter(case_number=n)))
            if _round:
                search_ms[query].append(ms)
                equality_ms.append(eq_ms)
            found[query] = len(ids)
    keys = NameKey.objects.filter(organization=organization).count()
    every = [ms for values in search_ms.values() for ms in values]
    load = os.getloadavg()[0]
    print(f"cases: {victims.count()}, name keys: {keys} ({keys / max(victims.count(), 1):.1f} per case)")
    print(f"load average (1 min): {load:.2f} on {os.cpu_count()} cores")
    print(f"{'query':<20} {'median ms':>10} {'worst ms':>9} {'on page 1':>10}")
    for query, values in search_ms.items():
        print(f"{query:<20} {statistics.median(values):>10.1f} {max(values):>9.1f} {found[query]:>10}")
    search_median, equality_median = statistics.median(every), statistics.median(equality_ms)
    print(
        f"name search: median {search_median:.1f} ms, p95 {percentile(every, 0.95):.1f} ms; "
        f"equality on case number: median {equality_median:.2f} ms, p95 {percentile(equality_ms, 0.95):.2f} ms; "
        f"ratio {search_median / equality_median:.1f}x; target: every query within 100 ms: "
        f"{'met' if max(every) <= 100 else 'NOT met'} (worst {max(every):.1f} ms)"
    )


if __name__ == "__main__":
    main()
