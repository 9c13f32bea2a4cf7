"""Burmese (Unicode) name syllables and their Latin reading, as names are spelt on passports.

No maintained Burmese romaniser is on PyPI (python-myanmar's tables stopped in 2020, anyascii
reads letters one by one: "အောင်" becomes "'eanc"). This follows the common passport spelling
(Aung, Kyaw, Htun, Thein, Naing, Myint) for the rhymes names use; rare rhymes fall back to anyascii.
"""

import re

from anyascii import anyascii

_CONSONANT = "\u1000-\u1021"
# A syllable starts at a consonant that is not a final (no asat or virama after it), or at an independent
# vowel; a stacked consonant (after a virama) starts the next syllable: စန္ဒာ -> San + da.
_SYLLABLE_START = re.compile(rf"(?=[{_CONSONANT}](?!\u1037?[\u103a\u1039]))|(?=[\u1023-\u102a\u103f])")

_ONSET = dict(
    zip(
        "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအ",
        "k kh g g ng s hs z z ny t ht d d n t ht d d n p ph b b m y y l w th h l -".split(),
        strict=True,
    )
)
_FINAL = {"က": "k", "င": "ng", "စ": "c", "ည": "ny", "ဉ": "ny", "ဋ": "t", "တ": "t", "ဏ": "n", "န": "n"}
_FINAL |= {"ပ": "p", "မ": "m", "ယ": "y", "ဒ": "t", "ဂ": "k", "သ": "t", "ဗ": "p", "ဘ": "p"}
# (vowel signs, final sound) -> rhyme; vowel signs in Unicode order, tone marks removed.
_RHYME = {
    ("", ""): "a", ("ာ", ""): "a", ("ါ", ""): "a", ("ိ", ""): "i", ("ီ", ""): "i",
    ("ု", ""): "u", ("ူ", ""): "u", ("ေ", ""): "e", ("ဲ", ""): "e", ("ို", ""): "o",
    ("ော", ""): "aw", ("ေါ", ""): "aw", ("", "k"): "et", ("ော", "k"): "auk", ("ေါ", "k"): "auk",
    ("ို", "k"): "aik", ("", "ng"): "in", ("ော", "ng"): "aung", ("ေါ", "ng"): "aung",
    ("ို", "ng"): "aing", ("", "c"): "it", ("", "ny"): "i", ("", "t"): "at", ("ိ", "t"): "eik",
    ("ု", "t"): "ok", ("", "n"): "an", ("ိ", "n"): "ein", ("ု", "n"): "on", ("", "p"): "at",
    ("ိ", "p"): "eik", ("ု", "p"): "ok", ("", "m"): "an", ("ိ", "m"): "ein", ("ု", "m"): "on",
    ("", "y"): "e", ("ိ", "m_"): "ein", ("ု", "m_"): "on", ("", "m_"): "an",
}  # fmt: skip
_INDEPENDENT = {"ဣ": "i", "ဤ": "i", "ဥ": "u", "ဦ": "u", "ဧ": "e", "ဩ": "aw", "ဪ": "aw", "ဿ": "th"}
_VOWEL_SIGNS = "\u102b\u102c\u102d\u102e\u102f\u1030\u1031\u1032"


def syllables(text: str) -> list[str]:
    """Split a Burmese run into syllables (the units a Latin spelling writes as words)."""
    return [part for part in _SYLLABLE_START.split(text) if part.strip()]


def _romanise_syllable(syllable: str) -> str:
    head = syllable[0]
    if head in _INDEPENDENT:
        return _INDEPENDENT[head] + _romanise_tail(syllable[1:], independent=True)
    if head not in _ONSET:
        return anyascii(syllable).lower()
    onset = _ONSET[head]
    rest = syllable[1:]
    medial_ya = "\u103b" in rest or "\u103c" in rest
    if medial_ya:  # medial ya / ra: ကျ Ky, ချ Ch, မြ My; on ya itself it changes nothing: ယျ (ဇေယျာ Zeya) Y
        onset = "ch" if onset == "kh" else (onset if onset == "y" else onset + "y")
    if "\u103e" in rest:  # medial ha: လှ Hla, ရှ Sh, လျှ Sh
        onset = "sh" if head in "ရယ" or (head == "လ" and medial_ya) else "h" + onset
    rhyme = _romanise_tail(rest, wa="\u103d" in rest)
    if onset == "-":
        onset = ""
        rhyme = "aye" if rhyme == "e" else rhyme
    return onset + rhyme


def _romanise_tail(rest: str, *, wa: bool = False, independent: bool = False) -> str:
    final, creaky = "", "\u1037" in rest
    match = re.search(rf"([{_CONSONANT}])\u1037?[\u103a\u1039]", rest)
    if match:
        final = _FINAL.get(match.group(1), "")
        rest = rest[: match.start()] + rest[match.end() :]
    elif "\u1036" in rest:
        final = "m_"
    vowels = "".join(ch for ch in rest if ch in _VOWEL_SIGNS)
    if independent:
        return {"k": "t", "ng": "n", "t": "t", "n": "n"}.get(final, "")
    if wa:
        if not vowels and final in ("n", "t", "m", "m_", "p"):
            return "u" + {"t": "t", "p": "t"}.get(final, "n")
        return "w" + _RHYME.get((vowels, final), "a")
    rhyme = _RHYME.get((vowels, final))
    if rhyme and final in ("n", "ng") and creaky:  # creaky tone on a nasal: မြင့် Myint, သန့် Thant
        rhyme += "t"
    return rhyme if rhyme is not None else anyascii(rest).lower() or "a"


def romanise(text: str) -> list[str]:
    """One Latin word per Burmese syllable: "အောင်မြင့်" -> ["aung", "myin"]."""
    return [_romanise_syllable(s) for s in syllables(text)]
