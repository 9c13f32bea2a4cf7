"""Latin readings of Chinese (pinyin, surname readings) and Thai (RTGS) name runs."""

import re
from functools import cache

# Surnames whose reading differs from the everyday reading of the character (pypinyin has no surname mode).
SURNAME_READINGS = {
    "区": "ou", "解": "xie", "查": "zha", "单": "shan", "曾": "zeng", "仇": "qiu", "朴": "piao",
    "覃": "qin", "乐": "yue", "翟": "zhai", "缪": "miao", "召": "shao", "秘": "bi", "折": "she",
    "盖": "ge", "员": "yun", "种": "chong", "能": "nai", "句": "gou", "繁": "po", "藏": "zang",
    "长孙": "zhangsun", "尉迟": "yuchi", "万俟": "moqi", "令狐": "linghu", "澹台": "tantai",
}  # fmt: skip
_COMPOUND_SURNAMES = {k for k in SURNAME_READINGS if len(k) == 2} | {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫"}
CHINESE_TITLES = ("先生", "女士", "小姐", "太太")
THAI_TITLES = ("นางสาว", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ.", "น.ส.", "นาย", "นาง", "คุณ")
THAI_TITLE_READINGS = {"นางสาว": "nangsao", "นาย": "nai", "นาง": "nang", "คุณ": "khun"}

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
THAI = re.compile(r"[\u0e00-\u0e7f]+")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s); simplified text is returned as is."""
    return _t2s().convert(text)


def han_syllables(run: str, *, family_first: bool) -> list[str]:
    """Pinyin syllables of a Han run, the first character(s) read as a surname when family_first."""
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(run, style=Style.NORMAL, v_to_u=False) if s.strip()]
    syllables = [s.replace("v", "u") if s in ("lv", "nv", "lve", "nve") else s for s in syllables]
    if family_first and len(run) >= 2:
        head = run[:2] if run[:2] in _COMPOUND_SURNAMES else run[:1]
        if head in SURNAME_READINGS:
            syllables = [SURNAME_READINGS[head]] + syllables[len(head) :]
        elif len(head) == 2:
            syllables = ["".join(syllables[:2])] + syllables[2:]
    return syllables


def strip_chinese_title(run: str) -> tuple[str, str | None]:
    for title in CHINESE_TITLES:
        if run.endswith(title) and len(run) > len(title):
            return run[: -len(title)], title
    return run, None


def strip_thai_title(word: str) -> tuple[str, str | None]:
    for title in THAI_TITLES:
        if word.startswith(title) and len(word) > len(title) + 1:
            return word[len(title) :], THAI_TITLE_READINGS.get(title, "title")
    return word, None


def thai_reading(word: str) -> str:
    """RTGS romanisation (pythainlp's rule-based "royin" engine: offline, no model download)."""
    from pythainlp.transliterate import romanize

    return romanize(word, engine="royin")
