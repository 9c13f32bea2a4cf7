"""Column headings in the languages of the border, and the guess of which column holds which field."""

import re
import unicodedata
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from core.names.zawgyi import to_unicode

FIELDS = (
    "number",
    "external_reference",
    "full_name",
    "family_name",
    "given_name",
    "other_names",
    "nationality",
    "birth",
    "sex",
    "passport_number",
    "phone",
    "compound",
    "notes",
)
# Fields that may come from several columns (DOB and Age; two phone columns); the others keep their first column.
MULTI_COLUMN_FIELDS = frozenset({"birth", "phone", "notes", "other_names"})
IGNORE = ("ignore", "skip", "-")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": (
        "no", "nr", "#", "s/n", "sr no", "sl no", "serial", "serial no", "seq", "item", "row",
        "序号", "序號", "编号", "編號", "ลำดับ", "ลำดับที่", "stt", "số thứ tự", "စဉ်", "စဉ်နံပါတ်", "no urut", "nomor",
    ),
    "external_reference": (
        "reference", "ref", "ref no", "reference number", "id", "case id", "case no", "case number", "file no",
        "file number", "our ref", "案件编号", "案號", "รหัส", "เลขที่เคส", "mã hồ sơ", "số hồ sơ", "no kasus",
    ),
    "full_name": (
        "name", "names", "full name", "name of person", "english name", "name in english", "name english",
        "姓名", "名字", "全名", "英文名", "英文姓名", "中文名", "中文姓名",
        "ชื่อ", "ชื่อ-นามสกุล", "ชื่อ-สกุล", "ชื่อสกุล", "ชื่อและนามสกุล", "ชื่อ นามสกุล",
        "အမည်", "နာမည်", "အမည်အပြည့်အစုံ", "họ tên", "họ và tên", "tên", "tên đầy đủ", "nama", "nama lengkap",
    ),
    "family_name": (
        "family name", "surname", "last name", "family", "姓", "姓氏", "นามสกุล", "สกุล", "họ",
        "မျိုးရိုးအမည်", "nama keluarga", "nama belakang",
    ),
    "given_name": (
        "given name", "given names", "first name", "forename", "given", "名", "ชื่อจริง", "tên riêng", "nama depan",
    ),
    "other_names": (
        "alias", "aliases", "aka", "also known as", "nickname", "other names", "other name", "name used",
        "别名", "別名", "化名", "昵称", "暱稱", "ชื่อเล่น", "ชื่ออื่น", "tên khác", "biệt danh", "nama lain", "nama panggilan",
    ),
    "nationality": (
        "nationality", "citizenship", "country", "country of origin", "nation", "国籍", "國籍", "国家", "國家",
        "สัญชาติ", "ประเทศ", "နိုင်ငံသား", "နိုင်ငံ", "quốc tịch", "quốc gia", "kewarganegaraan", "negara", "warga negara",
    ),
    "birth": (
        "dob", "d.o.b.", "date of birth", "birth date", "birthdate", "born", "birth", "birth year", "year of birth",
        "yob", "age", "年龄", "年齡", "出生日期", "出生年月", "出生年份", "生日", "出生",
        "อายุ", "วันเกิด", "วันเดือนปีเกิด", "ปีเกิด", "အသက်", "မွေးသက္ကရာဇ်", "မွေးနေ့",
        "tuổi", "ngày sinh", "năm sinh", "ngày tháng năm sinh", "umur", "usia", "tanggal lahir", "tahun lahir",
    ),
    "sex": (
        "sex", "gender", "m/f", "性别", "性別", "เพศ", "ကျား/မ", "လိင်", "giới tính", "jenis kelamin", "kelamin",
        "jk", "l/p",
    ),
    "passport_number": (
        "passport", "passport no", "passport number", "ppt no", "travel document", "document number",
        "护照", "護照", "护照号", "護照號", "护照号码", "護照號碼", "证件号", "證件號",
        "หนังสือเดินทาง", "เลขหนังสือเดินทาง", "หมายเลขหนังสือเดินทาง", "เลขที่หนังสือเดินทาง", "พาสปอร์ต",
        "နိုင်ငံကူးလက်မှတ်", "ပတ်စပို့", "hộ chiếu", "số hộ chiếu", "paspor", "no paspor", "nomor paspor",
    ),
    "phone": (
        "phone", "telephone", "tel", "mobile", "cell", "phone number", "contact number", "电话", "電話", "手机", "手機",
        "联系电话", "聯繫電話", "เบอร์โทร", "โทรศัพท์", "เบอร์", "เบอร์โทรศัพท์", "ဖုန်း", "ဖုန်းနံပါတ်",
        "điện thoại", "số điện thoại", "sđt", "telepon", "no hp", "hp", "nomor telepon",
    ),
    "compound": ("compound", "park", "camp", "compound name", "company", "园区", "園區", "公司"),
    "notes": (
        "notes", "note", "remarks", "remark", "comment", "comments", "备注", "備註", "说明", "說明",
        "หมายเหตุ", "မှတ်ချက်", "ghi chú", "keterangan", "catatan",
    ),
}  # fmt: skip

# Bare "name" next to a family-name column is the given name (ชื่อ + นามสกุล, Name + Surname).
BARE_NAMES = frozenset({"name", "names", "ชื่อ", "ten", "nama", "名字", "နာမည်", "အမည်"})

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def separators_to_spaces(text: str) -> str:
    """Punctuation, symbols and spaces -> one space; letters, digits and marks (Thai and Burmese vowels) stay."""
    return " ".join("".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in text).split())


def fold(text: str) -> str:
    """Casefold and drop Latin diacritics (Vietnamese tones, đ); Thai and Burmese marks are left alone.

    Burmese typed in Zawgyi (headings, sex, nationality) is read as Unicode first, as names are.
    """
    text = to_unicode(unicodedata.normalize("NFKC", text))[0].casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f"))


def _words(text: str) -> str:
    """The heading as lower-case words separated by one space: 'PassportNo.' -> 'passport no'."""
    text = _CAMEL.sub(" ", unicodedata.normalize("NFKC", text))
    return separators_to_spaces(fold(text))


def _is_latin(words: str) -> bool:
    return all(c.isascii() for c in words)


_EXACT: dict[str, str] = {}
_CONTAINED: list[tuple[str, str, bool]] = []  # (words, field, latin), longest first
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _key = _words(_name)
        if not _key:
            continue
        _EXACT.setdefault(_key.replace(" ", ""), _field)
        if len(_key.replace(" ", "")) >= 2:
            _CONTAINED.append((_key, _field, _is_latin(_key)))
_CONTAINED.sort(key=lambda item: -len(item[0]))


def guess_field(heading: object) -> str | None:
    """The field a single column heading names, or None."""
    if heading is None:
        return None
    text = str(heading).strip()
    if not text:
        return None
    words = _words(text)
    if not words:
        return "number" if "#" in text else None
    joined = words.replace(" ", "")
    if joined in _EXACT:
        return _EXACT[joined]
    padded = f" {words} "
    for key, field, latin in _CONTAINED:
        if (latin and f" {key} " in padded) or (not latin and key.replace(" ", "") in joined):
            return field
    return None


def guess_mapping(headers: Sequence[object]) -> dict[int, str]:
    """Column index (0-based) -> field for every heading we recognise."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, heading in enumerate(headers):
        field = guess_field(heading)
        if field is None:
            continue
        if field == "full_name" and "full_name" in taken:
            field = "other_names"
        if field in taken and field not in MULTI_COLUMN_FIELDS:
            continue
        mapping[index] = field
        taken.add(field)
    if "family_name" in taken and "given_name" not in taken:
        for index, field in mapping.items():
            if field == "full_name" and _words(str(headers[index])).replace(" ", "") in BARE_NAMES:
                mapping[index] = "given_name"
                break
    return dict(sorted(mapping.items()))


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(headers: Sequence[object], column: str) -> int | None:
    wanted = _words(column)
    for index, heading in enumerate(headers):
        if heading is not None and _words(str(heading)) == wanted:
            return index
    if re.fullmatch(r"[A-Za-z]{1,3}", column):
        index = 0
        for char in column.upper():
            index = index * 26 + ord(char) - 64
        return index - 1
    if column.isdigit() and int(column) >= 1:
        return int(column) - 1
    return None


class MappingError(ValueError):
    """A --map override or a mapping that cannot be used; the message is for the user."""


def resolve_field(name: str) -> str | None:
    """A field from its own name ('passport_number') or any heading that names it ('Passport No.', '国籍')."""
    cleaned = name.strip()
    if cleaned in FIELDS:
        return cleaned
    return guess_field(cleaned)


def apply_overrides(headers: Sequence[object], mapping: dict[int, str], overrides: Iterable[str]) -> dict[int, str]:
    """Apply COLUMN=FIELD overrides; COLUMN is a heading, a letter (C) or a number from 1; FIELD 'ignore' drops it."""
    result = dict(mapping)
    for override in overrides:
        column, sep, name = override.rpartition("=")
        if not sep or not column.strip() or not name.strip():
            example = _("'%(override)s' is not COLUMN=FIELD, for example \"C=nationality\".")
            raise MappingError(example % {"override": override})
        index = _column_index(headers, column.strip())
        if index is None or index >= len(headers):
            raise MappingError(
                _("No column is headed '%(column)s'. The columns are: %(columns)s.")
                % {"column": column.strip(), "columns": describe_columns(headers)}
            )
        if name.strip().lower() in IGNORE:
            result.pop(index, None)
            continue
        field = resolve_field(name)
        if field is None:
            raise MappingError(
                _("'%(name)s' is not a field. The fields are: %(fields)s.")
                % {"name": name.strip(), "fields": ", ".join(FIELDS)}
            )
        if field not in MULTI_COLUMN_FIELDS:
            result = {i: f for i, f in result.items() if f != field}
        result[index] = field
    return dict(sorted(result.items()))


def describe_columns(headers: Sequence[object]) -> str:
    """'A No., B Name, C Nationality' for messages."""
    return ", ".join(f"{column_letter(i)} {h}" if h else column_letter(i) for i, h in enumerate(headers))


def check_mapping(mapping: dict[int, str]) -> None:
    """Refuse a mapping that would import rows without names."""
    unknown = sorted(set(mapping.values()) - set(FIELDS))
    if unknown:
        raise MappingError(_("'%(name)s' is not a field. The fields are: %(fields)s.") % {
            "name": unknown[0], "fields": ", ".join(FIELDS)})  # fmt: skip
    if not {"full_name", "family_name", "given_name"} & set(mapping.values()):
        raise MappingError(_("No column is marked as the name. Choose the column that holds the names."))
