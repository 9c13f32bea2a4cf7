"""Nationality as written on a list (a name or code, in any of the border's languages) -> ISO 3166 alpha-2.

The table covers the nationalities on the 2025 Myawaddy release lists; the caller may pass every other
country (code -> English name) so that any ISO code or English country name is read too.
"""

import re
from collections.abc import Mapping
from functools import lru_cache

from .headers import fold, separators_to_spaces

STATELESS = "XX"

# code: (alpha-3 and other codes, then names in English, Chinese, Thai, Burmese, Vietnamese, Indonesian)
COUNTRIES: dict[str, tuple[str, ...]] = {
    "CN": ("CHN", "PRC", "China", "Chinese", "P.R. China", "People's Republic of China", "中国", "中國",
           "中华人民共和国", "中華人民共和國", "จีน", "ประเทศจีน", "တရုတ်", "Trung Quốc", "Tiongkok", "Cina"),
    "VN": ("VNM", "VIE", "Vietnam", "Viet Nam", "Vietnamese", "越南", "เวียดนาม", "ဗီယက်နမ်", "Việt Nam"),
    "IN": ("IND", "India", "Indian", "印度", "อินเดีย", "အိန္ဒိယ", "Ấn Độ"),
    "ET": ("ETH", "Ethiopia", "Ethiopian", "埃塞俄比亚", "埃塞俄比亞", "衣索比亞", "เอธิโอเปีย", "အီသီယိုးပီးယား", "Etiopia"),
    "ID": ("IDN", "INA", "Indonesia", "Indonesian", "印度尼西亚", "印度尼西亞", "印尼", "อินโดนีเซีย",
           "အင်ဒိုနီးရှား", "WNI"),
    "PH": ("PHL", "PHI", "Philippines", "Philippine", "Filipino", "Filipina", "菲律宾", "菲律賓", "ฟิลิปปินส์",
           "ဖိလစ်ပိုင်", "Phi-líp-pin", "Filipina"),
    "TH": ("THA", "Thailand", "Thai", "泰国", "泰國", "ไทย", "ประเทศไทย", "ထိုင်း", "Thái Lan"),
    "MM": ("MMR", "MYA", "BUR", "Myanmar", "Burma", "Burmese", "缅甸", "緬甸", "พม่า", "เมียนมา", "เมียนมาร์",
           "မြန်မာ", "Miến Điện"),
    "LA": ("LAO", "Laos", "Lao", "Lao PDR", "老挝", "老撾", "寮國", "ลาว", "လာအို", "Lào"),
    "KH": ("KHM", "CAM", "Cambodia", "Cambodian", "Khmer", "柬埔寨", "กัมพูชา", "เขมร", "ကမ္ဘောဒီးယား",
           "Campuchia", "Kamboja"),
    "MY": ("MYS", "MAS", "Malaysia", "Malaysian", "马来西亚", "馬來西亞", "มาเลเซีย", "မလေးရှား"),
    "NP": ("NPL", "NEP", "Nepal", "Nepali", "Nepalese", "尼泊尔", "尼泊爾", "เนปาล", "နီပေါ"),
    "PK": ("PAK", "Pakistan", "Pakistani", "巴基斯坦", "ปากีสถาน", "ပါကစ္စတန်"),
    "BD": ("BGD", "BAN", "Bangladesh", "Bangladeshi", "孟加拉国", "孟加拉國", "孟加拉", "บังกลาเทศ", "บังคลาเทศ",
           "ဘင်္ဂလားဒေ့ရှ်"),
    "LK": ("LKA", "SRI", "Sri Lanka", "Sri Lankan", "斯里兰卡", "斯里蘭卡", "ศรีลังกา", "သီရိလင်္ကာ"),
    "KE": ("KEN", "Kenya", "Kenyan", "肯尼亚", "肯亞", "เคนยา", "ကင်ညာ"),
    "UG": ("UGA", "Uganda", "Ugandan", "乌干达", "烏干達", "ยูกันดา", "ယူဂန်ဒါ"),
    "NG": ("NGA", "NGR", "Nigeria", "Nigerian", "尼日利亚", "尼日利亞", "奈及利亞", "ไนจีเรีย", "နိုင်ဂျီးရီးယား"),
    "BR": ("BRA", "Brazil", "Brasil", "Brazilian", "巴西", "บราซิล", "ဘရာဇီး"),
    "TR": ("TUR", "Turkey", "Türkiye", "Turkish", "土耳其", "ตุรกี", "ทูร์เคีย", "တူရကီ", "Thổ Nhĩ Kỳ"),
    "RU": ("RUS", "Russia", "Russian", "Russian Federation", "俄罗斯", "俄羅斯", "รัสเซีย", "ရုရှား", "Nga"),
    "KR": ("KOR", "South Korea", "Korea", "Republic of Korea", "Korean", "韩国", "韓國", "南韩", "南韓",
           "เกาหลีใต้", "เกาหลี", "တောင်ကိုရီးယား", "ကိုရီးယား", "Hàn Quốc", "Korea Selatan"),
    "JP": ("JPN", "Japan", "Japanese", "日本", "ญี่ปุ่น", "ဂျပန်", "Nhật Bản", "Jepang"),
    "TW": ("TWN", "TPE", "Taiwan", "Taiwanese", "Chinese Taipei", "台湾", "台灣", "臺灣", "中华民国", "中華民國",
           "ไต้หวัน", "ထိုင်ဝမ်", "Đài Loan"),
    "HK": ("HKG", "Hong Kong", "香港", "ฮ่องกง", "ဟောင်ကောင်", "Hồng Kông"),
    "SG": ("SGP", "Singapore", "Singaporean", "新加坡", "สิงคโปร์", "စင်ကာပူ", "Xin-ga-po"),
    "ZA": ("ZAF", "RSA", "South Africa", "South African", "南非", "แอฟริกาใต้", "တောင်အာဖရိက", "Nam Phi"),
    "UZ": ("UZB", "Uzbekistan", "Uzbek", "乌兹别克斯坦", "烏茲別克", "อุซเบกิสถาน"),
    "GH": ("GHA", "Ghana", "Ghanaian", "加纳", "迦納", "กานา"),
    "CM": ("CMR", "Cameroon", "Cameroonian", "喀麦隆", "喀麥隆", "แคเมอรูน"),
    "NA": ("NAM", "Namibia", "Namibian", "纳米比亚", "納米比亞", "นามิเบีย"),
    "RW": ("RWA", "Rwanda", "Rwandan", "卢旺达", "盧安達", "รวันดา"),
    "US": ("USA", "United States", "United States of America", "American", "美国", "美國", "สหรัฐอเมริกา",
           "อเมริกา", "အမေရိကန်", "Hoa Kỳ", "Mỹ"),
    "GB": ("GBR", "UK", "United Kingdom", "British", "英国", "英國", "อังกฤษ", "Anh"),
    STATELESS: ("Stateless", "无国籍", "無國籍", "ไร้สัญชาติ", "နိုင်ငံမဲ့", "Không quốc tịch", "tanpa kewarganegaraan"),
}  # fmt: skip


def _key(text: str) -> str:
    return separators_to_spaces(fold(text)).replace(" ", "")


def _build() -> tuple[dict[str, str], dict[str, str]]:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, written in COUNTRIES.items():
        codes[code] = code
        for form in written:
            target = codes if re.fullmatch(r"[A-Z]{2,3}", form) else names
            target.setdefault(form if target is codes else _key(form), code)
    return codes, names


_CODES, _NAMES = _build()


def parse_nationality(value: str, extra_countries: Mapping[str, str] | None = None) -> str | None:
    """ISO alpha-2 for a nationality as written ('Viet Nam', 'VNM', '越南', 'สัญชาติจีน'), or None if unknown.

    A value in capitals (NGA) is read as a code first, anything else as a name first: 'Nga' is Vietnamese for Russia.
    """
    found = _builtin(value)
    if found is None and extra_countries:
        text = value.strip().strip(".")
        upper = text.upper()
        found = _extra_lookup(extra_countries).get(upper if len(upper) == 2 else _key(text))
    return found


@lru_cache(maxsize=4096)  # a nationality column holds a few dozen distinct spellings
def _builtin(value: str) -> str | None:
    text = value.strip().strip(".")
    if not text:
        return None
    upper = text.upper()
    key = _key(text)
    if text == upper and re.fullmatch(r"[A-Z]{2,3}", text):
        found = _CODES.get(text) or _NAMES.get(key)
    else:
        found = _NAMES.get(key) or _CODES.get(upper)
    if found is None:
        for prefix in ("สัญชาติ", "国籍", "國籍", "quoctich"):  # "สัญชาติจีน": nationality Chinese
            if key.startswith(prefix) and key != prefix:
                found = _NAMES.get(key[len(prefix) :])
    return found


_extra_cache: list[tuple[Mapping[str, str], dict[str, str]]] = []


def _extra_lookup(extra: Mapping[str, str]) -> dict[str, str]:
    """Code and folded English name -> code for the caller's full country list, built once per list object."""
    if _extra_cache and _extra_cache[0][0] is extra:
        return _extra_cache[0][1]
    lookup: dict[str, str] = {}
    for code, name in extra.items():
        if code:
            lookup[code.upper()] = code.upper()
            lookup[_key(str(name))] = code.upper()
    _extra_cache[:] = [(extra, lookup)]
    return lookup
