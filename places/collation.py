"""Lists of names in the order a reader of the language looks for them (Python's own sort is by code point).

Chinese by pinyin (pypinyin), then tone; Thai in dictionary order (pythainlp: a leading vowel sorts after its
consonant); Vietnamese, Indonesian and English by letters without their diacritics first ("Ấn Độ" among the A's),
then with them; Burmese by code point, which follows the order of its alphabet for the consonants.
"""

import unicodedata
from collections.abc import Iterable

# pypinyin and pythainlp are imported where they are used: importing them costs about 0.3 s (pypinyin's phrase
# dictionary), paid by every process that imports the country choices otherwise (web, worker, beat, manage.py).


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _latin_key(name: str) -> tuple[str, str]:
    return _without_marks(name), name.casefold()


def _pinyin_key(name: str) -> tuple[list[str], list[str]]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(name, style=Style.NORMAL), lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)


def sorted_by_name(pairs: Iterable[tuple[str, str]], language: str) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name as a reader of `language` (a Django language code) expects."""
    pairs = [(code, str(name)) for code, name in pairs]
    if language.startswith("zh"):
        return sorted(pairs, key=lambda pair: _pinyin_key(pair[1]))
    if language == "th":
        from pythainlp.util import collate

        position = {name: index for index, name in enumerate(collate(name for _code, name in pairs))}
        return sorted(pairs, key=lambda pair: position[pair[1]])
    if language == "my":
        return sorted(pairs, key=lambda pair: unicodedata.normalize("NFC", pair[1]))
    return sorted(pairs, key=lambda pair: _latin_key(pair[1]))
