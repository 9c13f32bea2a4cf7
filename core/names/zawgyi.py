"""Burmese Zawgyi detection (Google's myanmartools) and conversion to Unicode (Rabbit's rules).

No converter on PyPI is both maintained and complete: python-myanmar (last release 2020) and
mmfont (2015) are unmaintained, paraencoder (2026) copies Rabbit's rules without its tests.
So the rules of Rabbit (https://github.com/Rabbit-Converter/Rabbit, WTFPL, the converter most
Burmese sites use) are carried verbatim in data/rabbit_*.json and applied here in order.
"""

import json
import re
from functools import cache
from pathlib import Path

from myanmartools import ZawgyiDetector

_DATA = Path(__file__).with_name("data")
_MYANMAR = re.compile(r"[\u1000-\u109f]")
# myanmartools' own guidance: above 0.95 is Zawgyi, below 0.05 Unicode.
ZAWGYI_THRESHOLD = 0.95


@cache
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


@cache
def _rules(direction: str) -> list[tuple[re.Pattern[str], str]]:
    doc = json.loads((_DATA / f"rabbit_{direction}.json").read_text(encoding="utf-8"))
    return [(re.compile(pattern), replacement) for pattern, replacement in doc["rules"]]


def _apply(direction: str, text: str) -> str:
    for pattern, replacement in _rules(direction):
        text = pattern.sub(replacement, text)
    return text


def is_zawgyi(text: str) -> bool:
    """True when text holds Burmese letters that are far more likely Zawgyi than Unicode."""
    if not _MYANMAR.search(text):
        return False
    return _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to Unicode (Rabbit's zg2uni rules), unconditionally."""
    return _apply("zg2uni", text)


def unicode_to_zawgyi(text: str) -> str:
    """Convert Unicode Burmese to Zawgyi (Rabbit's uni2zg rules); used to make test data."""
    return _apply("uni2zg", text)


def to_unicode(text: str) -> tuple[str, bool]:
    """Return (text in Unicode, whether it was Zawgyi and got converted)."""
    if is_zawgyi(text):
        return zawgyi_to_unicode(text), True
    return text, False
