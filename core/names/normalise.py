"""A name as comparable tokens: one Latin reading for every script, titles set aside, keys for a blind index."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from anyascii import anyascii

from . import burmese, scripts
from .zawgyi import to_unicode

# Titles dropped wherever they lead the name; they never name a person.
TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mdm", "daw", "khun", "nai",
    "nangsao", "mister", "encik", "ibu", "bapak",
}  # fmt: skip
# Titles that are also names (Ma Wei is a Chinese surname, Maung Maung a Burmese name): set aside,
# but a matcher may still pair them with a name part on the other side.
SOFT_TITLES = {"u", "ko", "ma", "maung", "mg", "nang", "sao", "sai", "saw", "nan", "tuan", "puan", "pak", "cik"}
CONNECTORS = {"bin", "binti", "bt", "bte", "binte", "ibn", "al", "s/o", "d/o", "a/l", "a/p"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
BURMESE_TITLES = {"ဦး": "u", "ဒေါ်": "daw", "ကို": "ko", "မောင်": "maung", "ဒေါက်တာ": "dr", "နန်း": "nang", "မ": "ma"}
SEX_OF_TITLE = {"mr": "M", "u": "M", "ko": "M", "maung": "M", "mg": "M", "nai": "M", "mrs": "F", "ms": "F"}
SEX_OF_TITLE |= {"miss": "F", "daw": "F", "ma": "F", "nang": "F", "nangsao": "F"}

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_MYANMAR_RUN = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f]+")
_APOSTROPHES = re.compile("['\u2019\u02bc`]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Parsed:
    """A name read once: tokens to compare, the titles set aside, and what reading it took."""

    original: str
    tokens: tuple[str, ...]
    titles: tuple[str, ...]
    notes: frozenset[str]  # zawgyi, traditional, han, thai, burmese, diacritics
    reading: str


def _latin_words(text: str) -> tuple[list[str], bool]:
    ascii_text = anyascii(text)
    lost_marks = ascii_text.casefold() != unicodedata.normalize("NFC", text).casefold()
    return _NON_ALNUM.split(_APOSTROPHES.sub("", ascii_text.casefold())), lost_marks


def _runs(text: str, notes: set[str], titles: list[str], display: list[str]) -> list[str]:
    """Latin words of every script run, in the order written."""
    words: list[str] = []
    pattern = re.compile(f"({scripts.HAN.pattern}|{scripts.THAI.pattern}|{_MYANMAR_RUN.pattern})")
    first_han = True
    for part in pattern.split(text):
        if not part or part.isspace():
            continue
        if scripts.HAN.fullmatch(part):
            notes.add("han")
            simple = scripts.simplified(part)
            if simple != part:
                notes.add("traditional")
            simple, title = scripts.strip_chinese_title(simple)
            if title:
                titles.append(title)
            syllables = scripts.han_syllables(simple, family_first=first_han and not words)
            first_han = False
            words.extend(syllables)
            display.append(" ".join(filter(None, [syllables[0].title(), "".join(syllables[1:]).title()])))
        elif scripts.THAI.fullmatch(part):
            notes.add("thai")
            word, title = scripts.strip_thai_title(part) if not words else (part, None)
            if title:
                titles.append(title)
            reading = scripts.thai_reading(word)
            words.append(reading)
            display.append(reading.title())
        elif _MYANMAR_RUN.fullmatch(part):
            notes.add("burmese")
            syllables = burmese.syllables(part)
            while len(syllables) > 1 and syllables[0] in BURMESE_TITLES and not words:
                titles.append(BURMESE_TITLES[syllables.pop(0)])
            latin = [burmese.romanise(s)[0] for s in syllables]
            words.extend(latin)
            display.append(" ".join(w.title() for w in latin))
        else:
            latin, lost_marks = _latin_words(part)
            if lost_marks and any(ch.isalpha() for ch in part):
                notes.add("diacritics")
            words.extend(w for w in latin if w)
            display.append(part.strip())
    return words


@lru_cache(maxsize=200_000)
def parse(name: str) -> Parsed:
    """Read a name in any script: NFKC, Zawgyi to Unicode, traditional to simplified, one Latin reading."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", name or "")).strip()
    notes: set[str] = set()
    text, converted = to_unicode(text)
    if converted:
        notes.add("zawgyi")
    titles: list[str] = []
    display: list[str] = []
    for word in re.findall(r"\bma\.(?=\s)", text, flags=re.IGNORECASE):  # "Ma." abbreviates Maria
        titles.append(word.lower())
    text = re.sub(r"\bma\.(?=\s)", " ", text, flags=re.IGNORECASE)
    words = _runs(text, notes, titles, display)
    words = [w for w in words if w not in CONNECTORS or titles.append(w)]
    while len(words) > 1 and (words[0] in TITLES or words[0] in SOFT_TITLES):
        titles.append(words.pop(0))
    while len(words) > 1 and words[-1] in SUFFIXES:
        titles.append(words.pop())
    return Parsed(name, tuple(words), tuple(titles), frozenset(notes), " ".join(d for d in display if d))


def normalise(name: str) -> list[str]:
    """Comparable tokens: casefolded ASCII, no diacritics, titles or punctuation, any script read in Latin."""
    return list(parse(name).tokens)


def latin_reading(name: str) -> str:
    """The Latin reading shown beside a name: "李晓明" -> "Li Xiaoming", Latin names as written."""
    return parse(name).reading


_LOOSE = [("ph", "p"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("ch", "c"), ("sh", "s"), ("dh", "d"), ("bh", "b")]
_LOOSE += [("j", "c"), ("z", "s"), ("q", "k"), ("x", "s"), ("ck", "k"), ("ee", "i"), ("ea", "i"), ("ie", "i")]
_LOOSE += [("oe", "o"), ("ae", "e"), ("oo", "u"), ("ou", "u"), ("y", "i"), ("w", "u"), ("v", "u"), ("eo", "eu")]
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def loose(token: str) -> str:
    """A spelling-tolerant form of one token: Sompong = Somphong, Rakdee = Rakdi, Jaidee = Chaidi."""
    for old, new in _LOOSE:
        token = token.replace(old, new)
    return _DOUBLE.sub(r"\1", token)


@lru_cache(maxsize=100_000)
def consonants(token: str) -> str:
    """Consonant skeleton of the loose form (first letter kept): a phonetic-ish key."""
    form = loose(token)
    return form[:1] + re.sub("[aeiou]", "", form[1:])


def _with_joins(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The tokens, and each way of joining two neighbours ("xiao ming" -> "xiaoming")."""
    variants = [tokens]
    for i in range(len(tokens) - 1):
        variants.append(tokens[:i] + (tokens[i] + tokens[i + 1],) + tokens[i + 2 :])
    return variants


def keys(name: str) -> set[str]:
    """Matching keys for a keyed blind index (HMAC each before storing; never store them in plaintext).

    t:<token>        each name part and each join of two neighbours: search by one part ("Mai")
    n:<tokens>       the whole name, tokens sorted: order-free exact match
    p:<a>|<b>        every unordered pair of parts: candidates for list matching
    c:<a>|<b>        the same pairs on consonant skeletons: survive spelling variants and vowel typos
    A name of one part gets the pair keys of that part alone.
    """
    tokens = parse(name).tokens
    out: set[str] = set()
    for variant in _with_joins(tokens):
        out.update(f"t:{t}" for t in variant)
        out.add("n:" + " ".join(sorted(variant)))
        pairs = list(combinations(sorted(variant), 2)) if len(variant) > 1 else [(variant[0], "")] if variant else []
        for a, b in pairs:
            out.add(f"p:{a}|{b}")
            out.add(f"c:{'|'.join(sorted((consonants(a), consonants(b) if b else '')))}")
    return out
