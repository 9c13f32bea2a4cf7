"""Extract and check the translation catalogues (locale/<lang>/LC_MESSAGES/django.po).

`extract`: run makemessages for every language in settings.LANGUAGES except English (the source language) and
give new catalogues a proper header (language, plural forms, not fuzzy). `check`: compile every catalogue and
fail, saying what is missing, when a catalogue is absent, out of date with the code, has an untranslated or fuzzy
message, or a translation whose placeholders differ from the English. Uses GNU gettext's msgfmt and msgattrib.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils.translation import to_locale  # noqa: E402

LOCALE = Path(os.environ.get("HOMEWARD_LOCALE_DIR", ROOT / "locale"))  # another folder: tests only
# Not part of the product's interface: tests, benchmarks, synthetic demo data, run-time folders.
IGNORED = ["tests", "bench", "demo", "var", "test-artifacts", "node_modules", "staticfiles"]
SHOWN = 15  # messages listed per problem and language; the count says how many there are
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifgeExXr]|%[sdif]|\{\w*\}")
# The gettext plural rule of each language we ship (CLDR): none of them inflects for number.
PLURAL_FORMS = {"th": "nplurals=1; plural=0;", "my": "nplurals=1; plural=0;", "zh_Hans": "nplurals=1; plural=0;"}
PLURAL_FORMS |= {"vi": "nplurals=1; plural=0;", "id": "nplurals=1; plural=0;"}


def translated_locales(requested: list[str]) -> list[str]:
    """Locale names (zh_Hans) of the requested language codes, English (the source) left out."""
    codes = requested or [code for code, _name in settings.LANGUAGES]
    unknown = [code for code in codes if code not in dict(settings.LANGUAGES)]
    if unknown:
        sys.exit(f"not in settings.LANGUAGES: {', '.join(unknown)}")
    return [to_locale(code) for code in codes if code != settings.LANGUAGE_CODE]


def makemessages(locales: list[str], locale_dir: Path) -> None:
    """Django's makemessages for these locales, written into locale_dir (the project's or a scratch copy)."""
    if not locales:
        return
    previous = settings.LOCALE_PATHS
    settings.LOCALE_PATHS = [locale_dir]
    try:
        call_command(
            "makemessages", locale=locales, ignore_patterns=IGNORED, no_obsolete=True, verbosity=0, add_location="file"
        )
    finally:
        settings.LOCALE_PATHS = previous


def fix_header(po: Path, locale: str) -> None:
    """A fresh catalogue's header is fuzzy and names no language; msgfmt would then drop its plural rule."""
    text = po.read_text(encoding="utf-8")
    header_end = text.index('msgstr ""\n') + len('msgstr ""\n')
    head, body = text[:header_end], text[header_end:]
    head = head.replace("#, fuzzy\n", "", 1)
    body = re.sub(r'^"POT-Creation-Date: .*\\n"\n', "", body, count=1, flags=re.M)  # no date churn to merge
    body = re.sub(r'^"Language: \\n"$', f'"Language: {locale}\\\\n"', body, count=1, flags=re.M)
    body = body.replace('"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: Homeward\\n"', 1)
    if locale in PLURAL_FORMS:
        plural = f'"Plural-Forms: {PLURAL_FORMS[locale]}\\\\n"'
        body = re.sub(r'^"Plural-Forms: .*\\n"$', plural, body, count=1, flags=re.M)
    po.write_text(head + body, encoding="utf-8")


def extract(locales: list[str]) -> int:
    makemessages(locales, LOCALE)
    for locale in locales:
        fix_header(LOCALE / locale / "LC_MESSAGES" / "django.po", locale)
        print(f"{locale}: {LOCALE / locale / 'LC_MESSAGES' / 'django.po'}")
    return 0


def entries(po: Path, *flags: str) -> list[tuple[str, str, str]]:
    """(location, msgid, msgstr) of the catalogue's messages that msgattrib selects with these flags."""
    output = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["msgattrib", "--no-wrap", "--no-obsolete", *flags, str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for block in output.split("\n\n"):
        msgid = _field(block, "msgid")
        if not msgid:
            continue  # the header
        location = next((line[3:].split()[0] for line in block.splitlines() if line.startswith("#: ")), "?")
        english = _field(block, "msgid_plural") or msgid  # a plural's translation follows the plural's placeholders
        found.append((location, english, _field(block, "msgstr") or _field(block, r"msgstr\[0\]")))
    return found


def _field(block: str, name: str) -> str:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block, flags=re.M)
    if not match:
        return ""
    parts = re.findall(r'"(.*)"', match.group(1))
    return "".join(parts).encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def problems_of(locale: str, po: Path, fresh: Path | None) -> list[str]:
    if not po.exists():
        return [f"no catalogue: {po} (run bin/make-messages)"]
    problems = []
    compiled = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    if compiled.returncode:
        problems.append("msgfmt --check failed (placeholders, plural forms or header):\n" + compiled.stderr.strip())
    head = po.read_text(encoding="utf-8").split("\n\n", 1)[0]
    if "#, fuzzy" in head:
        problems.append("the header is fuzzy: msgfmt would ignore its plural rule (remove '#, fuzzy' at the top)")
    groups = [
        ("untranslated", entries(po, "--untranslated")),
        ("fuzzy (needs review, then remove the '#, fuzzy' line)", entries(po, "--only-fuzzy")),
    ]
    mismatched = [
        (where, msgid, msgstr)
        for where, msgid, msgstr in entries(po, "--translated", "--no-fuzzy")
        if placeholders(msgid) != placeholders(msgstr)
    ]
    groups.append(("placeholders differ from the English", mismatched))
    if fresh is not None and fresh.exists():
        known = {msgid for _where, msgid, _str in entries(po)}
        groups.append(
            (
                "in the code but not in the catalogue (run bin/make-messages)",
                [entry for entry in entries(fresh) if entry[1] not in known],
            )
        )
    for what, found in groups:
        if found:
            lines = [f"  {where}: {msgid!r}" + (f" -> {msgstr!r}" if msgstr else "") for where, msgid, msgstr in found]
            more = f"\n  ... and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
            problems.append(f"{len(found)} {what}:\n" + "\n".join(lines[:SHOWN]) + more)
    return problems


def fresh_catalogues(locales: list[str], scratch_locale: Path) -> None:
    """What makemessages would write now, copied into scratch_locale; the project's catalogues are left as they were.

    makemessages always writes into the locale folder nearest the sources (the project's), whatever LOCALE_PATHS
    says, so the catalogues are saved first, extracted in place, copied out and put back byte for byte.
    """
    saved = {po: po.read_bytes() for po in LOCALE.glob("*/LC_MESSAGES/django.po")}
    try:
        makemessages(locales, LOCALE)
        for locale in locales:
            po = LOCALE / locale / "LC_MESSAGES" / "django.po"
            target = scratch_locale / locale / "LC_MESSAGES" / "django.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            if po.exists():
                shutil.copyfile(po, target)
    finally:
        for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
            if po not in saved:
                po.unlink()
        for po, content in saved.items():
            po.write_bytes(content)


def check(locales: list[str], *, up_to_date: bool) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        scratch_locale = Path(scratch) / "locale"
        if up_to_date and locales:
            fresh_catalogues(locales, scratch_locale)
        failed = 0
        for locale in locales:
            po = LOCALE / locale / "LC_MESSAGES" / "django.po"
            fresh = scratch_locale / locale / "LC_MESSAGES" / "django.po" if up_to_date else None
            problems = problems_of(locale, po, fresh)
            if problems:
                failed += 1
                print(f"FAIL {locale}:\n" + "\n".join(problems), file=sys.stderr)
            else:
                print(f"ok   {locale}: complete")
    if not failed and locales:
        call_command("compilemessages", locale=locales, verbosity=0)
    print(f"{len(locales) - failed} of {len(locales)} catalogues complete (English is the source: always complete)")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "check"])
    parser.add_argument("languages", nargs="*", help="language codes from settings.LANGUAGES (default: all)")
    parser.add_argument("--skip-up-to-date", action="store_true", help="check: do not compare with the code")
    args = parser.parse_args()
    locales = translated_locales(args.languages)
    if args.command == "extract":
        return extract(locales)
    return check(locales, up_to_date=not args.skip_up_to_date)


if __name__ == "__main__":
    sys.exit(main())
