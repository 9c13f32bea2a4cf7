"""Loaded by bench/list_matching.py's workers with --warm (celery worker --include): reads one name in each
script before the worker says it is ready, so the name libraries (OpenCC, pypinyin, pythainlp, myanmartools)
are loaded before the clock starts, as in a worker that has been running for a while. No name of the timed
list is read here, so its names are not in the parse cache.
"""

from core.names import parse, score

SAMPLES = ("Synthetic Person", "Nguyễn Văn Synthetic", "王小明", "劉小明", "สมชาย ทดสอบ", "မောင်စမ်းသပ်", "ေမာင္စမ္းသပ္")

for sample in SAMPLES:
    score(parse(sample), parse("Synthetic Warmup"))
