"""Who the synthetic people are: nationality and sex mix from the published list, names, languages, phones."""

import csv
import random
import re
import zlib
from functools import cache

from faker import Faker

from places.codes import COUNTRY_NAMES, STATELESS
from places.reference_data import REFERENCE_DIR


@cache
def nationality_weights() -> tuple[tuple[str, int], ...]:
    """(ISO code, weight) from victim_nationalities.csv; "other" is spread over the countries its source names.

    The source of the "other" row reads "same: Nepal, Uganda, …, Rwanda and others; 9 stateless". Countries
    the code list cannot name (no usable ISO code) are left out and their share goes to the rest.
    """
    code_by_name = {name: code for code, name in COUNTRY_NAMES.items() if code}
    weights: dict[str, int] = {}
    with (REFERENCE_DIR / "victim_nationalities.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            count = int(row["count"])
            if row["nationality"] != "other":
                weights[row["nationality"]] = count
                continue
            listed = row["source"].split(":", 1)[-1].split(";")[0]
            names = [n.strip() for part in listed.split(",") for n in part.split(" and ")]
            codes = [code_by_name[n] for n in names if n in code_by_name]
            stateless = re.search(r"(\d+) stateless", row["source"])
            stateless_count = int(stateless.group(1)) if stateless else 0
            if stateless_count:
                weights[STATELESS] = stateless_count
            rest = count - stateless_count
            for index, code in enumerate(codes):
                weights[code] = weights.get(code, 0) + rest // len(codes) + (1 if index < rest % len(codes) else 0)
    return tuple(weights.items())


@cache
def sex_weights() -> tuple[tuple[str, int], ...]:
    """(HTCDS gender code, weight) from the note "sex split in the same list: 6,716 men, 425 women"."""
    note = (REFERENCE_DIR / "victim_nationalities.note").read_text(encoding="utf-8")
    match = re.search(r"([\d,]+) men, ([\d,]+) women", note)
    men, women = (int(match.group(i).replace(",", "")) for i in (1, 2)) if match else (94, 6)
    return (("Masculine", men), ("Feminine", women))


# Faker locale for given names and family names; the nearest locale Faker has where it lacks the country's own.
NAME_LOCALES: dict[str, tuple[str, str]] = {
    "CN": ("zh_CN", "zh_CN"),
    "TW": ("zh_TW", "zh_TW"),
    "VN": ("vi_VN", "vi_VN"),
    "IN": ("en_IN", "en_IN"),
    "ID": ("id_ID", "id_ID"),
    "MY": ("id_ID", "id_ID"),
    "PH": ("en_US", "es_MX"),  # English given names, Spanish-derived family names
    "PK": ("en_PK", "en_PK"),
    "KE": ("en_KE", "en_KE"),
    "ZA": ("zu_ZA", "zu_ZA"),
    "NP": ("ne_NP", "ne_NP"),
    "UG": ("sw", "sw"),
    "RW": ("sw", "sw"),
    "LK": ("si_LK", "si_LK"),
    "UZ": ("uz_UZ", "uz_UZ"),
    "NG": ("en_NG", "en_NG"),
    "GH": ("tw_GH", "tw_GH"),
    "BD": ("bn_BD", "bn_BD"),
    "CM": ("fr_FR", "en_NG"),
}
FALLBACK_LOCALES = ("en_US", "en_US")
FAMILY_NAME_FIRST = {"CN", "TW", "VN"}
NO_SPACE_IN_NAME = {"CN", "TW"}
# Faker has no Ethiopian locale: a given name followed by the father's given name, as Ethiopian names go.
ETHIOPIAN_MALE = (
    "Abebe",
    "Tesfaye",
    "Bekele",
    "Hailu",
    "Girma",
    "Alemu",
    "Dawit",
    "Yonas",
    "Kebede",
    "Tadesse",
    "Getachew",
    "Mulugeta",
    "Solomon",
    "Biniam",
    "Eyob",
    "Henok",
    "Natnael",
    "Yared",
)
ETHIOPIAN_FEMALE = ("Almaz", "Tigist", "Meron", "Hiwot", "Selam", "Bethlehem", "Mekdes", "Rahel", "Saba", "Liya")

LANGUAGES: dict[str, tuple[str, ...]] = {
    "CN": ("zh",),
    "TW": ("zh",),
    "VN": ("vi",),
    "IN": ("hi", "en"),
    "ET": ("am",),
    "ID": ("id",),
    "MY": ("ms",),
    "PH": ("fil", "en"),
    "PK": ("ur",),
    "KE": ("sw", "en"),
    "ZA": ("en",),
    "NP": ("ne",),
    "UG": ("en",),
    "LK": ("si",),
    "UZ": ("uz", "ru"),
    "NG": ("en",),
    "GH": ("en",),
    "BD": ("bn",),
    "CM": ("fr", "en"),
    "RW": ("en", "fr"),
    STATELESS: ("my",),
}
CALLING_CODES: dict[str, int] = {
    "CN": 86,
    "TW": 886,
    "VN": 84,
    "IN": 91,
    "ET": 251,
    "ID": 62,
    "MY": 60,
    "PH": 63,
    "PK": 92,
    "KE": 254,
    "ZA": 27,
    "NP": 977,
    "UG": 256,
    "LK": 94,
    "UZ": 998,
    "NG": 234,
    "GH": 233,
    "BD": 880,
    "CM": 237,
    "RW": 250,
    "NA": 264,
    STATELESS: 95,
}


class NameMaker:
    """Deterministic synthetic names per nationality: one seeded Faker per locale, made on first use."""

    def __init__(self, seed: int):
        self.seed = seed
        self._fakers: dict[str, Faker] = {}

    def faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            # Only the providers used: loading every provider of a locale costs ~0.2 s each.
            fake = Faker(locale, providers=["faker.providers.person", "faker.providers.internet"])
            fake.seed_instance(self.seed + zlib.crc32(locale.encode()))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def given(self, country: str, *, female: bool, rng: random.Random) -> str:
        if country == "ET":
            return rng.choice(ETHIOPIAN_FEMALE if female else ETHIOPIAN_MALE)
        fake = self.faker(NAME_LOCALES.get(country, FALLBACK_LOCALES)[0])
        given = fake.first_name_female() if female else fake.first_name_male()
        if country == "VN":  # Vietnamese names carry a middle name: Văn for men, Thị for women, often
            middle = "Thị" if female and rng.random() < 0.6 else fake.middle_name()
            given = f"{'Văn' if middle == 'Thị' and not female else middle} {given}"
        return given

    def family(self, country: str, *, rng: random.Random) -> str:
        if country == "ET":
            return rng.choice(ETHIOPIAN_MALE)  # the father's given name
        return self.faker(NAME_LOCALES.get(country, FALLBACK_LOCALES)[1]).last_name()

    @staticmethod
    def full(country: str, given: str, family: str) -> str:
        if country in NO_SPACE_IN_NAME:
            return f"{family}{given}"
        return f"{family} {given}" if country in FAMILY_NAME_FIRST else f"{given} {family}"

    def nickname(self, *, female: bool) -> str:
        """The English name a compound gives its workers."""
        fake = self.faker("en_US")
        return fake.first_name_female() if female else fake.first_name_male()

    def handle(self) -> str:
        return "demo_" + self.faker("en_US").user_name()


def fake_phone(country: str, rng: random.Random) -> str:
    """A phone-shaped string that cannot be dialled: international numbers never carry the trunk 0."""
    code = CALLING_CODES.get(country, 66)
    return f"+{code} 0{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def weighted(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]
