"""Write tests/data/names/pairs.csv: synthetic labelled name pairs across scripts (deterministic).

Run: .venv/bin/python bench/make_name_pairs.py
Names are combinations of common name parts, not real people. Latin spellings of Chinese, Thai and
Burmese parts are written by hand here (not produced by the matcher's own libraries); traditional
characters come from OpenCC s2t and Zawgyi from Rabbit's uni2zg rules (the only converters at hand).
"""

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.names.zawgyi import unicode_to_zawgyi  # noqa: E402

OUT = ROOT / "tests" / "data" / "names" / "pairs.csv"
SEED = 20250220

VN_FAMILY = "Nguyễn Trần Lê Phạm Hoàng Phan Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
VN_MIDDLE = "Văn Thị Minh Đức Ngọc Thanh Quang Hữu Xuân".split()
VN_GIVEN = "Bình Cường Dũng Hải Hùng Khoa Lan Linh Mai Nam Phương Quân".split()
VN_GIVEN += "Sơn Tâm Thảo Trang Tuấn Yến Hiếu Khánh Long Nhung".split()
ZH_FAMILY = [("李", "Li"), ("王", "Wang"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang")]
ZH_FAMILY += [("黄", "Huang")]
ZH_FAMILY += [("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("郭", "Guo")]
ZH_FAMILY += [("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("区", "Ou"), ("解", "Xie"), ("曾", "Zeng")]
ZH_FAMILY += [("欧阳", "Ouyang")]
ZH_GIVEN = [("伟", "wei"), ("强", "qiang"), ("明", "ming"), ("晓", "xiao"), ("军", "jun"), ("杰", "jie"), ("丽", "li")]
ZH_GIVEN += [("芳", "fang"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("勇", "yong"), ("艳", "yan"), ("涛", "tao")]
ZH_GIVEN += [("秀", "xiu"), ("华", "hua"), ("刚", "gang"), ("辉", "hui"), ("鹏", "peng"), ("浩", "hao"), ("龙", "long")]
ZH_GIVEN += [("婷", "ting"), ("雪", "xue"), ("欣", "xin"), ("佳", "jia"), ("东", "dong"), ("国", "guo"), ("红", "hong")]
IN_GIVEN = "Gopal Ravi Sunil Amit Priya Anita Rajesh Suresh Deepak Vikram Pooja Neha Arjun Rahul Sanjay Kavita".split()
IN_FAMILY = "Tak Kumar Sharma Singh Patel Yadav Gupta Verma Reddy Nair Das Rao Chauhan Mehta".split()
ID_GIVEN = "Budi Siti Agus Dewi Joko Rina Eko Sri Hendra Nur Wahyu Fitri Bambang Indah".split()
ID_FAMILY = "Santoso Rahayu Setiawan Lestari Susilo Wati Prasetyo Wahyuni Gunawan Hidayah Saputra Kurniawan".split()
ET_NAMES = "Abebe Bekele Tesfaye Girma Haile Mulugeta Alemu Tadesse Kebede Worku Almaz Tigist Meron Selam Dawit".split()
PH_GIVEN = "Maria Jose Juan Cristina Mark Angelica Ramon Teresa Paolo Liza".split()
PH_FAMILY = "Santos Reyes Cruz Bautista Garcia Mendoza Ramos Aquino Villanueva Castillo".split()
# Thai parts with a common Latin spelling of each (not always RTGS: lists carry what passports say).
TH_GIVEN = [("สมพงษ์", "Sompong"), ("สมชาย", "Somchai"), ("วิชัย", "Wichai"), ("มานี", "Manee"), ("สุดา", "Suda")]
TH_GIVEN += [("บุญมา", "Boonma"), ("สมศักดิ์", "Somsak"), ("พรทิพย์", "Pornthip"), ("ชัยวัฒน์", "Chaiwat")]
TH_GIVEN += [("กิตติ", "Kitti"), ("สมหญิง", "Somying"), ("ประยุทธ", "Prayut"), ("วันดี", "Wandee")]
TH_FAMILY = [("รักดี", "Rakdee"), ("ใจดี", "Jaidee"), ("ศรีสุข", "Srisuk"), ("ทองดี", "Thongdee"), ("แก้วมณี", "Kaewmanee")]
TH_FAMILY += [("บุญเรือง", "Boonruang"), ("สุขใจ", "Sukjai"), ("มั่นคง", "Mankong"), ("ทองคำ", "Thongkham")]
# Burmese syllables with their usual passport spelling.
MM_SYLLABLES = [("အောင်", "Aung"), ("ကျော်", "Kyaw"), ("မင်း", "Min"), ("ထွန်း", "Htun"), ("ဇော်", "Zaw")]
MM_SYLLABLES += [("ခင်", "Khin"), ("စု", "Su"), ("ဝင်း", "Win"), ("နိုင်", "Naing"), ("မြင့်", "Myint"), ("မြတ်", "Myat")]
MM_SYLLABLES += [("သိန်း", "Thein"), ("လှ", "Hla"), ("ဖြိုး", "Phyo"), ("ထက်", "Htet"), ("နွယ်", "Nwe"), ("ကြည်", "Kyi")]
MM_SYLLABLES += [("အေး", "Aye"), ("စန်း", "San"), ("မိုး", "Moe"), ("သူ", "Thu"), ("ဟိန်း", "Hein"), ("ပြည့်", "Pyae")]
MM_TITLES = [("ဦး", "U", "M"), ("ဒေါ်", "Daw", "F"), ("ကို", "Ko", "M"), ("မ", "Ma", "F")]


def _opencc_s2t(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def typo(rng: random.Random, name: str) -> str:
    """One keyboard slip in one part of four letters or more (shorter parts are left: a slip there is a new name)."""
    parts = name.split()
    long_parts = [i for i, p in enumerate(parts) if len(p) >= 4]
    i = rng.choice(long_parts)
    word, k = parts[i], rng.randrange(1, len(parts[i]) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        word = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif kind == "drop":
        word = word[:k] + word[k + 1 :]
    elif kind == "double":
        word = word[:k] + word[k] + word[k:]
    else:
        word = word[:k] + rng.choice("aeioun") + word[k + 1 :]
    parts[i] = word
    return " ".join(parts)


def strip_marks(text: str) -> str:
    from anyascii import anyascii

    return anyascii(text)


class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def vn(self, family=None, middle=None, given=None):
        r = self.rng
        return [family or r.choice(VN_FAMILY), middle or r.choice(VN_MIDDLE), given or r.choice(VN_GIVEN)]

    def zh(self, family=None, given=None):
        r = self.rng
        given = given or r.sample(ZH_GIVEN, r.choice([1, 2]))
        return family or r.choice(ZH_FAMILY), given

    def latin(self, pool_given, pool_family):
        return [self.rng.choice(pool_given), self.rng.choice(pool_family)]

    def mm(self, n=None):
        return self.rng.sample(MM_SYLLABLES, n or self.rng.choice([2, 3]))

    def th(self):
        return self.rng.choice(TH_GIVEN), self.rng.choice(TH_FAMILY)


def zh_latin(rng, family, given, *, order="family_first", style="joined"):
    given_latin = [g[1] for g in given]
    given_text = "".join(given_latin).title() if style == "joined" else " ".join(g.title() for g in given_latin)
    if style == "hyphen" and len(given_latin) == 2:
        given_text = f"{given_latin[0].title()}-{given_latin[1]}"
    if rng.random() < 0.3:
        return f"{family[1].upper()} {given_text.upper()}"
    return f"{family[1]} {given_text}" if order == "family_first" else f"{given_text} {family[1]}"


def zh_chars(family, given):
    return family[0] + "".join(g[0] for g in given)


def positives(rng: random.Random, names: Names):  # noqa: C901 - one branch per variant, read top to bottom
    latin_pools = [(IN_GIVEN, IN_FAMILY), (ID_GIVEN, ID_FAMILY), (PH_GIVEN, PH_FAMILY), (ET_NAMES, ET_NAMES)]
    for _ in range(30):
        v = names.vn()
        yield " ".join(v), strip_marks(" ".join(v)), "diacritics_dropped"
    for _ in range(15):
        v = names.vn()
        yield (
            " ".join(v),
            strip_marks(f"{v[2]} {v[0]}" if rng.random() < 0.3 else f"{v[1]} {v[2]} {v[0]}"),
            ("diacritics_dropped_order_swapped"),
        )
    for _ in range(30):
        g, f = names.latin(*rng.choice(latin_pools))
        yield f"{g} {f}", f"{f} {g}" if rng.random() < 0.6 else f"{f.upper()}, {g}", "order_swapped"
    for _ in range(30):
        pool = rng.choice(latin_pools + [(VN_GIVEN, VN_FAMILY)])
        g, f = names.latin(*pool)
        title = rng.choice(["Mr", "Mr.", "Mrs", "Ms", "Miss", "MR."])
        yield f"{g} {f}", f"{title} {g} {f}" if rng.random() < 0.5 else f"{title} {f} {g}", "title_added"
    for _ in range(35):
        base = strip_marks(rng.choice([" ".join(names.vn()), " ".join(names.latin(*rng.choice(latin_pools)))]))
        while max(len(p) for p in base.split()) < 4:
            base = strip_marks(" ".join(names.vn()))
        yield base, typo(rng, base), "typo"
    for _ in range(30):
        fam, giv = names.zh()
        yield zh_chars(fam, giv), _opencc_s2t(zh_chars(fam, giv)), "traditional_simplified"
    for _ in range(45):
        fam, giv = names.zh()
        order = rng.choice(["family_first", "family_first", "family_last"])
        style = rng.choice(["joined", "spaced", "hyphen"])
        chars = zh_chars(fam, giv) if rng.random() < 0.7 else _opencc_s2t(zh_chars(fam, giv))
        yield chars, zh_latin(rng, fam, giv, order=order, style=style), "chinese_characters_pinyin"
    for _ in range(10):
        fam, giv = names.zh()
        title = rng.choice(["先生", "女士"])
        yield zh_chars(fam, giv) + title, zh_latin(rng, fam, giv), "chinese_title_pinyin"
    for _ in range(30):
        parts = names.mm()
        uni = "".join(p[0] for p in parts)
        title = rng.choice(MM_TITLES) if rng.random() < 0.4 else None
        a = (title[0] if title else "") + uni
        yield a, unicode_to_zawgyi(uni if rng.random() < 0.5 else a), "zawgyi_unicode"
    for _ in range(25):
        parts = names.mm()
        uni = "".join(p[0] for p in parts)
        title = rng.choice(MM_TITLES) if rng.random() < 0.5 else None
        latin = " ".join(p[1] for p in parts)
        script = unicode_to_zawgyi(uni) if rng.random() < 0.3 else uni
        yield script, f"{title[1]} {latin}" if title else latin, "burmese_script_latin"
    for _ in range(25):
        (tg, lg), (tf, lf) = names.th()
        thai = f"{rng.choice(['', '', 'นาย', 'นาง', 'นางสาว'])}{tg} {tf}"
        latin = f"{lg} {lf}" if rng.random() < 0.6 else f"{rng.choice(['Khun', 'Mr', 'Ms'])} {lg} {lf.upper()}"
        yield thai, latin, "thai_script_latin"


def negatives(rng: random.Random, names: Names):
    for _ in range(60):
        v = names.vn(family="Nguyễn")
        other = names.vn(family="Nguyễn", middle=v[1] if rng.random() < 0.6 else None)
        while other[2] == v[2]:
            other[2] = rng.choice(VN_GIVEN)
        yield " ".join(v), strip_marks(" ".join(other)) if rng.random() < 0.5 else " ".join(other), "same_family_nguyen"
    for _ in range(40):
        pool_g, pool_f = rng.choice([(IN_GIVEN, ["Kumar", "Singh"]), (ID_GIVEN, ID_FAMILY), (PH_GIVEN, PH_FAMILY)])
        g, f = names.latin(pool_g, pool_f)
        g2 = rng.choice([x for x in pool_g if x != g])
        yield f"{g} {f}", f"{f} {g2}" if rng.random() < 0.4 else f"{g2} {f}", "same_family_other_given"
    for _ in range(30):
        pool_g, pool_f = rng.choice([(IN_GIVEN, IN_FAMILY), (ID_GIVEN, ID_FAMILY), (VN_GIVEN, VN_FAMILY)])
        g, f = names.latin(pool_g, pool_f)
        f2 = rng.choice([x for x in pool_f if x != f])
        yield f"{g} {f}", f"{g} {f2}", "same_given_other_family"
    for _ in range(40):
        fam, giv = names.zh()
        fam2, giv2 = names.zh(family=fam)
        while [g[0] for g in giv2] == [g[0] for g in giv]:
            fam2, giv2 = names.zh(family=fam)
        other = zh_chars(fam2, giv2) if rng.random() < 0.5 else zh_latin(rng, fam2, giv2)
        yield zh_chars(fam, giv), other, "chinese_same_surname"
    for _ in range(30):
        parts = names.mm()
        others = [p for p in MM_SYLLABLES if p not in parts]
        other = [parts[0]] + rng.sample(others, len(parts) - 1)
        b = "".join(p[0] for p in other)
        b = unicode_to_zawgyi(b) if rng.random() < 0.5 else b
        yield "".join(p[0] for p in parts), b, "burmese_one_syllable_shared"
    for _ in range(25):
        (tg, lg), (tf, lf) = names.th()
        tg2, lg2 = rng.choice([x for x in TH_GIVEN if x[0] != tg])
        yield f"{tg} {tf}", f"{lg2} {lf}", "thai_same_family"
    for _ in range(30):
        pools = [(IN_GIVEN, IN_FAMILY), (ID_GIVEN, ID_FAMILY), (VN_GIVEN, VN_FAMILY), (PH_GIVEN, PH_FAMILY)]
        a, b = names.latin(*rng.choice(pools)), names.latin(*rng.choice(pools))
        if a != b:
            yield " ".join(a), " ".join(b), "different_names"


def evidence_pairs(rng: random.Random, names: Names):
    """Same name; the other facts decide (the decoys of issue 11)."""
    for _ in range(30):
        name = " ".join(names.vn()) if rng.random() < 0.5 else zh_chars(*names.zh())
        year = rng.randrange(1970, 2006)
        other = year + rng.choice([-1, 1]) * rng.randrange(8, 30)
        yield name, strip_marks(name), 0, "same_name_other_birth_year", year, other, "", ""
    for _ in range(25):
        name = " ".join(names.latin(IN_GIVEN, IN_FAMILY))
        yield name, name, 0, "same_name_other_sex", "", "", "M", "F"
    for _ in range(25):
        name = " ".join(names.vn())
        year = rng.randrange(1970, 2006)
        other = year + rng.choice([-2, -1, 0, 1, 2])
        yield name, strip_marks(name).upper(), 1, "same_name_birth_year_close", year, other, "", ""


def generate(seed: int = SEED) -> list[list]:
    """All pairs for one seed: rows of a, b, same_person, variant, birth years, sexes."""
    rng = random.Random(seed)
    names = Names(rng)
    rows = []
    for a, b, variant in positives(rng, names):
        rows.append([a, b, 1, variant, "", "", "", ""])
    for a, b, variant in negatives(rng, names):
        rows.append([a, b, 0, variant, "", "", "", ""])
    rows.extend(list(row) for row in evidence_pairs(rng, names))
    return rows


def main() -> None:
    rows = generate()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["a", "b", "same_person", "variant", "a_birth_year", "b_birth_year", "a_sex", "b_sex"])
        writer.writerows(rows)
    positives_count = sum(1 for r in rows if r[2] == 1)
    negatives_count = len(rows) - positives_count
    print(f"{len(rows)} pairs ({positives_count} same person, {negatives_count} not) -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
