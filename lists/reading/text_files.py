"""CSV and other delimited text: which encoding, which delimiter, and the records in order."""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .files import UnreadableFile

DELIMITERS = ",;\t|"
SAMPLE = 64 * 1024
# Legacy encodings seen on the border, tried when the text is not UTF-8, in this order on a tie.
LEGACY = ("gb18030", "cp874", "big5", "cp1252")
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "gb18030": "Chinese (GB18030)",
    "cp874": "Thai (Windows-874)",
    "big5": "Traditional Chinese (Big5)",
    "cp1252": "Western (Windows-1252)",
}

THAI_CONSONANTS = range(0x0E01, 0x0E2F)
THAI_ABOVE_BELOW = frozenset([0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])


def _thai_score(text: str) -> float:
    """Share of non-ASCII characters that are Thai in a plausible order (marks after a consonant)."""
    good = total = 0
    previous = 0
    for char in text:
        code = ord(char)
        if code < 128:
            previous = code
            continue
        total += 1
        if code in THAI_ABOVE_BELOW:
            good += 1 if (previous in THAI_CONSONANTS or previous in THAI_ABOVE_BELOW) else 0
        elif 0x0E01 <= code <= 0x0E5B:
            good += 1
        previous = code
    return good / total if total else 0.0


def _encodable_share(text: str, encoding: str) -> float:
    chars = [c for c in text if ord(c) >= 128]
    if not chars:
        return 0.0
    good = 0
    for char in chars:
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            continue
        # Big5's frequent characters sit under lead bytes A4-C6; GB2312 holds the common simplified ones.
        good += 1 if encoding != "big5" or 0xA1 <= encoded[0] <= 0xC6 else 0
    return good / len(chars)


def _score(text: str, encoding: str) -> float:
    if encoding == "cp874":
        return _thai_score(text)
    if encoding == "gb18030":
        return _encodable_share(text, "gb2312")
    if encoding == "big5":
        return _encodable_share(text, "big5") * 0.9
    letters = [c for c in text if ord(c) >= 128]
    return 0.5 * sum(c.isalpha() for c in letters) / len(letters) if letters else 0.0


def _looks_utf16(sample: bytes) -> str | None:
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    return "utf-16-be" if even_zeros > odd_zeros else "utf-16-le"


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with: a BOM, UTF-16 by its zero bytes, UTF-8, else the best legacy fit."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise UnreadableFile(_("The file cannot be read as %(encoding)s.") % {"encoding": encoding}) from error
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, name), name
    guessed = _looks_utf16(data[:4096])
    if guessed:
        return _strict(data, guessed), guessed
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, int, str, str] | None = None
    for rank, name in enumerate(LEGACY):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        candidate = (_score(text[:SAMPLE], name), -rank, name, text)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        return data.decode("cp1252", errors="replace"), "cp1252"
    return best[3], best[2]


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("The file says it is %(encoding)s but is not; save it again as UTF-8 CSV.")
            % {"encoding": ENCODING_NAMES.get(encoding, encoding)}
        ) from error
    return text.removeprefix("\ufeff")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of cells most often."""
    lines = text[:SAMPLE].splitlines()[:50]
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        counts = [len(cells) for cells in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in cells)]
        if not counts:
            continue
        width, seen = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = width * seen / len(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def check_is_text(text: str) -> None:
    """Refuse binary data that decoded by accident (an executable, a database file)."""
    sample = text[:SAMPLE]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t")
    if "\x00" in sample or controls > len(sample) // 100:
        raise UnreadableFile(_("This file is not a spreadsheet. Upload the list as .xlsx or .csv."))


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number from 1, cells) for every record, as a spreadsheet program would number them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007
            yield number, cells
    except csv.Error as error:
        raise UnreadableFile(
            _("Row %(row)s cannot be read (%(reason)s). Check its quotes, or save the file again from Excel.")
            % {"row": number + 1, "reason": error}
        ) from error
