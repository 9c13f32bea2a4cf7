"""Benchmark of list reading: read_table and validate on a 100,000-row CSV and XLSX, and refusing over-limit files.

Each figure is measured side by side with a plain pass over the same bytes (csv.reader on the decoded text;
openpyxl read-only iter_rows), best of --repeat runs, and printed as a ratio, since the machine is shared.

    .venv/bin/python bench/list_reading.py                 # 100,000 rows, best of 3
    .venv/bin/python bench/list_reading.py --rows 20000 --repeat 1

Not a test: it asserts nothing, it measures. Names are synthetic.
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

HEADERS = ["No.", "Name", "Nationality", "Age/DOB", "Sex", "Passport No.", "Phone", "Remarks"]
FAMILY = ["Li", "Wang", "Nguyen", "Tran", "Kumar", "Singh", "Tesfaye", "Santos", "Aung", "Rakdee"]
GIVEN = ["Wei", "Fang", "Mai", "Khoa", "Gopal", "Abebe", "Maria", "Kyaw", "Sompong", "Ming"]
NATIONALITY = ["China", "CHN", "中国", "Viet Nam", "VNM", "India", "Ethiopia", "Indonesia", "Philippines", "Burma"]
BIRTH = ["29", "1986", "1999-01-20", "20/01/1999", "2542", "34 yrs", "03/04/1990"]
SEX = ["M", "F", "Male", "Female", "男", "女", "ชาย", "หญิง"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the generated list (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept (default 3)")
    return parser.parse_args()


def people(count: int) -> list[list[object]]:
    pick = random.Random(2025).choice
    return [
        [n, f"{pick(GIVEN)} {pick(FAMILY)}", pick(NATIONALITY), pick(BIRTH), pick(SEX), f"E{n:07d}",
         f"+66 81 {n % 1000:03d} {n % 10000:04d}", "" if n % 3 else "seen at the crossing"]
        for n in range(1, count + 1)
    ]  # fmt: skip


def csv_file(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("List")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_csv(data: bytes) -> int:
    return sum(1 for _row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def plain_xlsx(data: bytes) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from lists.reading import Limits, UnreadableFile, guess_mapping, read_table, validate

    rows = people(args.rows)
    files = {"csv": csv_file(rows), "xlsx": xlsx_file(rows)}
    limits = Limits(max_rows=max(args.rows, 100_000), max_bytes=200 * 1024 * 1024)
    print(f"{args.rows:,} rows, best of {args.repeat}")
    for kind, data in files.items():
        baseline = best(args.repeat, lambda d=data, k=kind: plain_csv(d) if k == "csv" else plain_xlsx(d))
        read = best(args.repeat, lambda d=data, k=kind: read_table(d, f"list.{k}", limits=limits))
        table = read_table(data, f"list.{kind}", limits=limits)
        mapping = guess_mapping(table.headers)
        checked = best(
            args.repeat, lambda t=table, m=mapping: sum(1 for _ in validate(t, m, published=date(2025, 2, 20)))
        )
        print(
            f"{kind:4} {len(data) / 1e6:5.1f} MB  plain pass {baseline:6.2f} s ({args.rows / baseline:9,.0f} rows/s)"
            f"  read_table {read:6.2f} s ({args.rows / read:9,.0f} rows/s, x{read / baseline:4.2f})"
            f"  validate {checked:6.2f} s ({args.rows / checked:9,.0f} rows/s)"
            f"  read+validate x{(read + checked) / baseline:4.2f}"
        )

    def refuse(data: bytes, name: str, limit: Limits) -> None:
        try:
            read_table(data, name, limits=limit)
        except UnreadableFile:
            return
        raise SystemExit(f"{name} was not refused")

    # A file twice the limit: refused from a scan of the sheet XML. Just over the limit, the sheet is read first.
    over_rows = Limits(max_rows=args.rows // 2, max_bytes=200 * 1024 * 1024)
    for kind, data in files.items():
        plain = best(args.repeat, lambda d=data, k=kind: plain_csv(d) if k == "csv" else plain_xlsx(d))
        refused = best(args.repeat, lambda d=data, k=kind: refuse(d, f"list.{k}", over_rows))
        print(
            f"refuse {kind} of twice the row limit ({args.rows // 2:,}): {refused:6.2f} s,"
            f" x{refused / plain:4.2f} of a plain pass"
        )
    big = files["csv"] * max(1, (50 * 1024 * 1024) // len(files["csv"]) + 1)
    plain = best(args.repeat, lambda: plain_csv(big))
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(big)
        handle.flush()
        on_disk = best(args.repeat, lambda: refuse(Path(handle.name), "big.csv", Limits()))
    streamed = best(args.repeat, lambda: refuse(Unsized(big), "big.csv", Limits()))
    print(
        f"refuse a {len(big) / 1e6:.0f} MB csv over the byte limit: size known {on_disk * 1000:6.2f} ms"
        f" (x{on_disk / plain:.5f}), read until the limit {streamed * 1000:6.1f} ms (x{streamed / plain:.4f})"
        f" of a plain pass ({plain:.2f} s)"
    )


class Unsized:
    """A stream that does not say its size (a socket, a pipe): read_table reads until the limit."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self.buffer.read(size)


if __name__ == "__main__":
    main()
