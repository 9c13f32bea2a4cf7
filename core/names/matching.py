"""Score two names (and what else is known of the two people) with the reasons a reviewer reads."""

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.fuzz import ratio

from .normalise import SOFT_TITLES, Parsed, loose, parse

# Chosen on tests/data/names/pairs.csv (bench/name_matching.py prints the curve).
THRESHOLD = 0.85
# A name part this unlike its partner is another name, not a typo: the pair cannot pass on names alone.
_DIFFERENT_PART = 0.74
_CAP_WHEN_A_PART_DIFFERS = 0.7
NOTE_REASONS = {
    "zawgyi": "Zawgyi text converted to Unicode",
    "traditional": "traditional characters read as simplified",
    "han": "Chinese characters read as pinyin",
    "thai": "Thai read in RTGS",
    "burmese": "Burmese read in Latin letters",
}


@dataclass(frozen=True)
class Person:
    """What a list or a case file says besides the name; all optional. Nationality as an ISO code."""

    birth_year: int | None = None
    age: int | None = None
    age_in_year: int | None = None  # the year the age was given (a list's published year)
    sex: str | None = None
    nationality: str | None = None

    def year(self) -> int | None:
        if self.birth_year:
            return self.birth_year
        if self.age is not None and self.age_in_year:
            return self.age_in_year - self.age
        return None

    def described(self) -> str:
        if self.birth_year:
            return f"birth year {self.birth_year}"
        return f"age {self.age}" + (f" in {self.age_in_year}" if self.age_in_year else "")


@dataclass(frozen=True)
class Match:
    score: float
    reasons: list[str] = field(default_factory=list)
    name_score: float = 0.0


def _similarity(x: str, y: str) -> float:
    if x == y:
        return 1.0
    sim = max(ratio(x, y), 0.97 * ratio(loose(x), loose(y))) / 100
    # Slips rarely hit the first letter; Hung / Nhung, Tam / Nam are other names.
    return sim if loose(x)[:1] == loose(y)[:1] else 0.8 * sim


def _merge_joins(short: list[str], long: list[str]) -> tuple[list[str], bool]:
    """Join neighbours of `long` that spell one part of `short` ("xiao ming" ~ "xiaoming")."""
    merged = False
    wanted = {loose(t) for t in short}
    i = 0
    while i < len(long) - 1:
        for width in (3, 2):
            joined = "".join(long[i : i + width])
            if i + width <= len(long) and loose(joined) in wanted:
                long = long[:i] + [joined] + long[i + width :]
                merged = True
                break
        i += 1
    return long, merged


def _align(a: list[str], b: list[str]) -> list[tuple[int, int, float]]:
    """Pair parts greedily, most alike first; each part pairs once."""
    candidates = sorted(((_similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True)
    used_a, used_b, pairs = set(), set(), []
    for sim, i, j in candidates:
        if i not in used_a and j not in used_b and sim >= 0.5:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, sim))
    return pairs


def name_match(pa: Parsed, pb: Parsed) -> tuple[float, list[str]]:
    """Similarity of two parsed names, 0..1, and why."""
    reasons: list[str] = []
    soft_a = [t for t in pa.titles if t in SOFT_TITLES]
    soft_b = [t for t in pb.titles if t in SOFT_TITLES]
    a, b = soft_a + list(pa.tokens), soft_b + list(pb.tokens)
    soft = {("a", i) for i in range(len(soft_a))} | {("b", j) for j in range(len(soft_b))}
    if not pa.tokens or not pb.tokens:
        return 0.0, ["no name to compare"]
    b, joined_b = _merge_joins(a, b)
    a, joined_a = _merge_joins(b, a)
    if joined_a or joined_b:
        reasons.append("given name written joined on one side")
        soft = set()  # positions moved; joined names carry no soft titles worth tracking
    pairs = _align(a, b)
    matched_a = {i for i, _, _ in pairs}
    matched_b = {j for _, j, _ in pairs}
    total = weight = 0.0
    worst = 1.0
    for i, j, sim in pairs:
        w = max(len(a[i]), len(b[j]))
        total += w * sim
        weight += w
        if ("a", i) not in soft and ("b", j) not in soft:
            worst = min(worst, sim)
        if sim < 1.0:
            reasons.append(f"spelling differs: {a[i]} / {b[j]}")
    unmatched = [a[i] for i in range(len(a)) if i not in matched_a and ("a", i) not in soft]
    unmatched += [b[j] for j in range(len(b)) if j not in matched_b and ("b", j) not in soft]
    # A part missing on the shorter side (a middle name left out) weighs less than a part that differs.
    short_side_whole = min(len(a), len(b)) >= 2 and len(pairs) == min(len(a), len(b)) and worst >= 0.9
    for token in unmatched:
        weight += len(token) * (1.0 if len(a) == len(b) else 0.2 if short_side_whole else 0.5)
    if unmatched:
        reasons.append("name parts without a partner: " + ", ".join(unmatched))
    score = total / weight if weight else 0.0
    if worst < _DIFFERENT_PART or (unmatched and len(a) == len(b)):
        score = min(score, _CAP_WHEN_A_PART_DIFFERS)
        reasons.append("a name part differs")
    order_a = [i for i, _, _ in sorted(pairs, key=lambda p: p[1])]
    if order_a != sorted(order_a):
        reasons.append("same name, family name order differs")
    return score, reasons


def _evidence(a: Person, b: Person) -> tuple[float, list[str]]:
    delta, reasons = 0.0, []
    ya, yb = a.year(), b.year()
    if ya and yb:
        gap = abs(ya - yb)
        slack = 1 if (a.birth_year is None) != (b.birth_year is None) else 0  # an age is a year either side
        said = f"{a.described()} vs {b.described()}"
        if gap <= 2 + slack:
            delta += 0.05
            reasons.append(f"{said}: agree")
        else:
            delta -= 0.15 if gap <= 5 else 0.4
            reasons.append(f"{said}: {gap} years apart")
    sa, sb = (a.sex or "").upper()[:1], (b.sex or "").upper()[:1]
    if sa in ("M", "F") and sb in ("M", "F"):
        if sa == sb:
            delta += 0.02
            reasons.append(f"same sex ({sa})")
        else:
            delta -= 0.4
            reasons.append(f"sex differs ({sa} vs {sb})")
    na, nb = (a.nationality or "").upper(), (b.nationality or "").upper()
    if na and nb:
        if na == nb:
            delta += 0.02
            reasons.append(f"same nationality ({na})")
        else:
            delta -= 0.25
            reasons.append(f"nationality differs ({na} vs {nb})")
    return delta, reasons


@lru_cache(maxsize=10_000)  # a list's rows and the cases share few (year, sex, nationality) combinations
def best_possible(a_person: Person | None, b_person: Person | None) -> float:
    """The highest `score()` two records can reach whatever their names are (names equal, then the evidence):
    a matcher need not read, decrypt or compare the names of a pair whose best is below what it keeps."""
    delta, _reasons = _evidence(a_person or Person(), b_person or Person())
    return round(min(1.0, max(0.0, 1.0 + delta)), 4)


def score(a: str | Parsed, b: str | Parsed, *, a_person: Person | None = None, b_person: Person | None = None) -> Match:
    """How likely two records name the same person, 0..1, with reasons; THRESHOLD separates suggestions.

    Names may be given already parsed (parse(name)) when one name is scored against many.
    """
    pa = a if isinstance(a, Parsed) else parse(a)
    pb = b if isinstance(b, Parsed) else parse(b)
    name_score, reasons = name_match(pa, pb)
    notes = pa.notes | pb.notes
    for note, text in NOTE_REASONS.items():
        if note in notes:
            reasons.append(text)
    if "diacritics" in pa.notes ^ pb.notes:
        reasons.append("same name without tone marks" if name_score == 1.0 else "compared without tone marks")
    titles = sorted(set(pa.titles) | set(pb.titles))
    if titles:
        reasons.append("titles set aside: " + ", ".join(titles))
    if name_score == 1.0 and not any(r.startswith("same name") for r in reasons):
        reasons.insert(0, "same name")
    delta, evidence = _evidence(a_person or Person(), b_person or Person())
    total = min(1.0, max(0.0, name_score + delta))
    return Match(round(total, 4), reasons + evidence, round(name_score, 4))
