"""Name matching: precision/recall on the labelled pairs, and an indexed 10,000 x 200,000 match vs brute force.

Run: .venv/bin/python bench/name_matching.py [--cases 200000] [--list 10000] [--brute-sample 3]
Candidates come from the pair keys of core.names.keys (p: and c:), kept when they share two keys
(one for names of two parts); brute force scores every case for a sample of list names.
"""

import argparse
import csv
import random
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import make_name_pairs as gen  # noqa: E402
from core.names import THRESHOLD, Person, keys, parse, score  # noqa: E402
from core.names.zawgyi import unicode_to_zawgyi  # noqa: E402


def evaluate(rows, thresholds):
    scored = []
    for a, b, label, _variant, ya, yb, sa, sb in rows:
        pa = Person(birth_year=int(ya) if ya else None, sex=sa or None)
        pb = Person(birth_year=int(yb) if yb else None, sex=sb or None)
        scored.append((score(a, b, a_person=pa, b_person=pb).score, str(label) == "1"))
    for t in thresholds:
        tp = sum(1 for s, y in scored if s >= t and y)
        fp = sum(1 for s, y in scored if s >= t and not y)
        fn = sum(1 for s, y in scored if s < t and y)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        mark = "  <- THRESHOLD" if abs(t - THRESHOLD) < 1e-9 else ""
        print(f"  {t:.2f}  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}{mark}")


def random_name(rng: random.Random, names: gen.Names) -> str:
    kind = rng.random()
    if kind < 0.25:
        return " ".join(names.vn())
    if kind < 0.5:
        fam, giv = names.zh()
        return gen.zh_chars(fam, giv) if rng.random() < 0.6 else gen.zh_latin(rng, fam, giv)
    if kind < 0.62:
        (tg, _), (tf, _) = names.th()
        return f"{tg} {tf}"
    if kind < 0.72:
        return "".join(p[0] for p in names.mm())
    pool = rng.choice([(gen.IN_GIVEN, gen.IN_FAMILY), (gen.ID_GIVEN, gen.ID_FAMILY), (gen.PH_GIVEN, gen.PH_FAMILY)])
    return " ".join(names.latin(*pool) + ([rng.choice(gen.ET_NAMES)] if rng.random() < 0.3 else []))


def variant(rng: random.Random, name: str) -> str:
    pick = rng.random()
    if any("\u1000" <= ch <= "\u109f" for ch in name):
        return unicode_to_zawgyi(name) if pick < 0.5 else "ဦး" + name
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return gen._opencc_s2t(name)
    if any("\u0e00" <= ch <= "\u0e7f" for ch in name):  # Thai as written, with a title or reordered
        given, family = name.split()
        return "นาย" + name if pick < 0.5 else f"{family} {given}"
    latin = gen.strip_marks(name)
    if pick < 0.3:
        parts = latin.split()
        return " ".join(parts[1:] + parts[:1])
    if pick < 0.5 and max(len(p) for p in latin.split()) >= 4:
        return gen.typo(rng, latin)
    return "Mr " + latin.upper() if pick < 0.7 else latin


def pair_keys(name) -> set[str]:
    return {k for k in keys(name) if k[0] in "pc"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--list", type=int, default=10_000)
    ap.add_argument("--brute-sample", type=int, default=3)
    args = ap.parse_args()
    thresholds = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
    with (ROOT / "tests/data/names/pairs.csv").open(encoding="utf-8") as fh:
        rows = [list(r.values()) for r in csv.DictReader(fh)]
    print(f"labelled set tests/data/names/pairs.csv ({len(rows)} pairs, tuned on):")
    evaluate(rows, thresholds)
    held_out = gen.generate(seed=gen.SEED + 1)
    print(f"held-out set, same generator, seed {gen.SEED + 1} ({len(held_out)} pairs, never tuned on):")
    evaluate(held_out, thresholds)

    rng = random.Random(7)
    names = gen.Names(rng)
    cases = [random_name(rng, names) for _ in range(args.cases)]
    truth = [rng.randrange(len(cases)) if rng.random() < 0.7 else None for _ in range(args.list)]
    entries = [variant(rng, cases[t]) if t is not None else random_name(rng, names) for t in truth]

    t0 = time.perf_counter()
    parsed_cases = [parse(n) for n in cases]
    index: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(cases):
        for k in pair_keys(name):
            index[k].append(i)
    build = time.perf_counter() - t0
    print(f"\nindex of {len(cases):,} case names: {len(index):,} keys, built in {build:.1f} s")

    def candidates(entry: str) -> list[int]:
        hits: dict[int, int] = defaultdict(int)
        for k in pair_keys(entry):
            for i in index.get(k, ()):
                hits[i] += 1
        need = 1 if len(parse(entry).tokens) <= 2 else 2
        return [i for i, h in hits.items() if h >= need]

    t0 = time.perf_counter()
    found = correct = candidates_total = 0
    for entry, t in zip(entries, truth, strict=True):
        pe = parse(entry)
        cands = candidates(entry)
        candidates_total += len(cands)
        best = max(((score(pe, parsed_cases[i]).score, i) for i in cands), default=(0.0, None))
        if best[0] >= THRESHOLD:
            found += 1
            correct += t is not None and sorted(parsed_cases[best[1]].tokens) == sorted(parsed_cases[t].tokens)
    indexed = time.perf_counter() - t0
    in_cases = sum(t is not None for t in truth)
    print(
        f"indexed: {len(entries):,} list names in {indexed:.1f} s ({len(entries) / indexed:,.0f} rows/s), "
        f"{candidates_total / len(entries):,.0f} candidates per row; {found:,} rows with a suggestion, "
        f"top suggestion is the right person (or a same-name twin) for {correct:,} of {in_cases:,} rows on file"
    )

    sample = [i for i, t in enumerate(truth) if t is not None][: args.brute_sample]
    t0 = time.perf_counter()
    brute_total = reached = 0
    for j in sample:
        pe = parse(entries[j])
        brute = {i for i, pc in enumerate(parsed_cases) if score(pe, pc).score >= THRESHOLD}
        brute_total += len(brute)
        reached += len(brute & set(candidates(entries[j])))
    brute_per_row = (time.perf_counter() - t0) / max(1, len(sample))
    index_per_row = indexed / len(entries)
    print(
        f"brute force: {brute_per_row:.2f} s per list name on a sample of {len(sample)} "
        f"(x{len(entries):,} = {brute_per_row * len(entries) / 3600:.1f} h); "
        f"indexed {index_per_row * 1000:.2f} ms per name: ratio {brute_per_row / index_per_row:,.0f}x; "
        f"the index's candidates hold {reached} of the {brute_total} matches brute force finds for them"
    )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
