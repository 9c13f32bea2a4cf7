"""A pseudo-locale renders every page: any English word left on a page is a string nobody marked for translation.

For the duration of a test, English's translation object is replaced by one that returns every message, after
Django's own English catalogue, with each Latin letter swapped for an accented look-alike ("Save" -> "Šàvé"), so a
translated word never reads as plain ASCII. gettext, ngettext, pgettext and npgettext (and their lazy forms, which
call them) all go through it. Nothing is written to locale/: the catalogue lives in this file only.

Each page a caseworker, supervisor, org admin or platform admin can open is rendered with organisation A's rows
(tests/security's `world`); its visible text (and the attributes a user reads: placeholder, title, aria-label,
alt, button values) is taken, the values stored in the database (names, case numbers, notes: user data) are
removed, and any word still made only of ASCII letters is English that escaped translation.
"""

import gettext as gettext_module
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.translation import trans_real

from tests.security.conftest import world  # noqa: F401 - the fixture: organisation A's case with every kind of row
from tests.security.test_access_matrix import all_url_names, url_kwargs

pytestmark = pytest.mark.django_db

# Letters and the accented look-alikes the pseudo-locale writes instead (every one outside ASCII).
_ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "àƀçđéƒĝĥíĵķĺɱñóþʠŕšťúʋŵ×ýžÀßÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŤÚṼŴẊÝŽ",
        strict=True,
    )
)
# What must survive translation untouched: placeholders (%(name)s, %s, {name}), tags and entities.
_KEEP = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}|<[^>]*>|&\w+;"
)


def pseudo(text: str) -> str:
    """`text` with every letter outside placeholders, tags and entities accented."""
    pieces, last = [], 0
    for keep in _KEEP.finditer(text):
        pieces.append(text[last : keep.start()].translate(str.maketrans(_ACCENTED)))
        pieces.append(keep.group())
        last = keep.end()
    pieces.append(text[last:].translate(str.maketrans(_ACCENTED)))
    return "".join(pieces)


class PseudoTranslation(gettext_module.NullTranslations):
    """English as Django translates it, then accented. Messages with a context (pgettext) arrive as
    "context\\x04message": the context is dropped here, so the caller sees a translation that was found."""

    def __init__(self, english):
        super().__init__()
        self.english = english

    def __getattr__(self, name):  # language(), to_language(), plural, _catalog... from the real English object
        return getattr(self.english, name)

    @staticmethod
    def _without_context(message: str) -> str:
        return message.split(trans_real.CONTEXT_SEPARATOR, 1)[-1]

    def gettext(self, message):
        return pseudo(self._without_context(self.english.gettext(message)))

    def ngettext(self, singular, plural, number):
        return pseudo(self._without_context(self.english.ngettext(singular, plural, number)))


@pytest.fixture
def pseudo_english(monkeypatch):
    """English (the default language, and every test user's) renders through the pseudo-locale."""
    english = trans_real.translation("en")
    pseudo_object = PseudoTranslation(english)
    monkeypatch.setitem(trans_real._translations, "en", pseudo_object)
    monkeypatch.setattr(trans_real, "_default", pseudo_object)
    monkeypatch.setattr(trans_real._active, "value", pseudo_object, raising=False)
    return pseudo_object


# Words that stay English in every language, on purpose.
ALLOWED = {
    "Homeward",  # the product's name
    "English",  # the switcher names each language in its own script
    "Bahasa",
    "Indonesia",
    "HTCDS",  # the data standard's name
    "TOTP",
    "PDF",
    "CSV",
    "API",
    "OpenAPI",
    "Noto",
    "SHA",  # "SHA-256", a file's checksum
    # Platforms people are recruited on, by their brand names (cases.models.Victim.RecruitmentPlatform).
    "Facebook",
    "Telegram",
    "WhatsApp",
    "LINE",
    "WeChat",
    "TikTok",
}


_WORD = re.compile(r"\w+")
_READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
_NOT_PROSE = ("script", "style", "template", "noscript", "code")  # <code>: keys and links to type, not words


class _VisibleText(HTMLParser):
    """The text a user reads: element text outside script/style/template, and the attributes shown to them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _NOT_PROSE:
            self._hidden += 1
            return
        if tag == "img" and "/admin/img/" in (attrs.get("src") or ""):
            return  # Django's own admin icons: alt="True"/"False"/"None"/"Search", hard-coded in Django
        self.parts += [attrs[name] for name in _READ_ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in _NOT_PROSE and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(unicodedata.normalize("NFC", html))  # "Tiếng Việt" may arrive decomposed: one word, not three
    return [" ".join(part.split()) for part in parser.parts]


def stored_values() -> list[str]:
    """Every free-text value in the database (user data), longest first. Choice fields are left out: a page shows
    their labels, and a raw code on a page is exactly what this test must catch."""
    values = set()
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                values.update(" ".join(str(value).split()) for value in row if value and len(str(value)) > 1)
    return sorted(values, key=len, reverse=True)


def unmarked_english(html: str, user_data: list[str]) -> list[str]:
    """The pieces of visible text that still hold an ASCII word once user data is taken out."""
    found = []
    parts = visible_text(html)
    shown = "\n".join(parts)
    # A value counts where it stands alone: "IN" stored somewhere must not cut "LINE" into "L" and "E".
    present = [value for value in user_data if value in shown]
    stored = re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in present) or "(?!)")
    for part in parts:
        rest = stored.sub(" ", part)
        if rest.endswith("…") and any(value.startswith(rest[:-1].strip()) for value in user_data):
            continue  # a long value cut short (truncatechars)
        words = [word for word in _WORD.findall(rest) if word.isascii() and word.isalpha() and word not in ALLOWED]
        if words:
            found.append(part)
    return found


# --- The pages -----------------------------------------------------------------------------------------------------

# Not HTML pages (downloads, the partner API and its schema, the health check, redirects and writes), or pages
# whose rows the world fixture does not have (a manifest PDF made earlier).
NOT_PAGES = re.compile(
    r"^(api:|healthz|favicon|touch_icon|cases:export_(?!s$)|cases:evidence_(download|thumbnail|delete|upload)"
    r"|homecoming:manifest_(pdf|csv)|accounts:(logout|set_language|choose_organization|two_factor_verify)"
    r"|cases:(victim_log_contact|victim_add_note|victim_status|victim_assign|request_open|request_close"
    r"|referral_new|referral_response|victim_search)$|homecoming:(follow_up_done|batch_add_member)$"
    r"|lists:(match_decide)$)"
)
PAGES = [name for name in all_url_names() if not NOT_PAGES.match(name)]
ROLES = ("caseworker", "supervisor", "org_admin")
# Pages that must have been read (so a redirect or a missing row cannot make the test pass by reading nothing).
EVERY_ROLE_READS = (
    "tracker:my_work",
    "cases:victim_list",
    "cases:victim_detail",
    "cases:victim_edit",
    "cases:intake",
    "cases:requests",
    "cases:referrals",
    "cases:compounds",
    "cases:compound_detail",
    "cases:regions",
    "cases:region_detail",
    "lists:list_index",
    "lists:list_detail",
    "lists:review",
    "homecoming:screening_queue",
    "homecoming:batch_list",
    "homecoming:batch_detail",
    "homecoming:member_detail",
    "homecoming:case_return",
    "accounts:profile",
    "accounts:two_factor_setup",
    "accounts:password_change",
    "not found",
)
SUPERVISORS_READ = ("tracker:team", "cases:exports", "homecoming:manifest_page", "homecoming:overview", "lists:upload")


def _render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return response.content.decode() if response.status_code == 200 else ""


def test_the_pseudo_locale_accents_every_kind_of_message(pseudo_english):
    from django.utils.translation import gettext, ngettext, npgettext, pgettext

    assert gettext("Save") == "Šàʋé"
    assert ngettext("%(count)s day", "%(count)s days", 2) == "%(count)s đàýš"
    assert pgettext("month name", "May") == "Ṁàý"
    assert npgettext("unit", "%(n)s case", "%(n)s cases", 1) == "%(n)s çàšé"
    assert gettext("Open <a href='{url}'>it</a>") == "Óþéñ <a href='{url}'>íť</a>"


def test_the_check_finds_an_english_word_nobody_marked(pseudo_english):
    from django.utils.translation import gettext

    user_data = ["Synthetic Lanh Quorvath"]
    marked = f"<h1>{gettext('My work')}</h1><p>Synthetic Lanh Quorvath</p><script>var x = 'code';</script>"
    assert unmarked_english(marked, user_data) == []
    unmarked = marked + f"<button title='Close this'>{gettext('Save')}</button><p>{gettext('Overdue')}: 3 days</p>"
    assert unmarked_english(unmarked, user_data) == ["Close this", "Óʋéŕđúé: 3 days"]


def _problems(
    client, pages: dict[str, str], checked: list[str] | None = None, *, also_ignore: tuple[str, ...] = ()
) -> list[str]:
    """The unmarked English on each page `client` may open (a page it is refused or sent on from is skipped);
    the names of the pages read are added to `checked`."""
    checked = [] if checked is None else checked
    problems = []
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code in (302, 403) or (response.status_code == 404 and name != "not found"):
            continue  # this visitor may not open it here (the access matrix checks who may)
        assert response.status_code in (200, 404), (name, response.status_code)
        if not response["Content-Type"].startswith("text/html"):
            continue  # a progress poll's JSON
        html = response.content.decode()
        assert "<html" not in html or '<html lang="en"' in html, name  # a fragment (HTMX) has no <html>
        checked.append(name)
        problems += [f"{name}: {text!r}" for text in unmarked_english(html, [*also_ignore, *stored_values()])]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_is_translated(role, world, client_for, pseudo_english):  # noqa: F811
    client = client_for(world.a.by_role(role), world.a.organization)
    pages = {name: reverse(name, kwargs=url_kwargs(name, world)) for name in PAGES}
    pages["not found"] = "/cases/999999/"
    checked = []
    problems = _problems(client, pages, checked)
    assert not problems, "English left unmarked:\n" + "\n".join(problems)
    assert set(EVERY_ROLE_READS) <= set(checked), set(EVERY_ROLE_READS) - set(checked)
    if role != "caseworker":
        assert set(SUPERVISORS_READ) <= set(checked), set(SUPERVISORS_READ) - set(checked)


def test_the_sign_in_password_and_two_factor_pages_are_translated(world, client, pseudo_english):  # noqa: F811
    public = ("accounts:login", "accounts:password_reset", "accounts:password_reset_done")
    pages = {name: reverse(name) for name in public}
    pages["accounts:password_reset_complete"] = reverse("accounts:password_reset_complete")
    pages["accounts:password_reset_confirm"] = reverse("accounts:password_reset_confirm", args=["MQ", "set-password"])
    problems = _problems(client, pages)
    # A supervisor who has signed in with a password but not yet given the code, and one with no device yet.
    client.force_login(world.a.supervisor)
    problems += _problems(client, {"two-factor code": reverse("accounts:two_factor_verify")})
    problems += _problems(client, {"two-factor set-up": reverse("accounts:two_factor_setup")})
    assert not problems, "English left unmarked:\n" + "\n".join(problems)


OUR_APPS = {"core", "accounts", "audit", "places", "cases", "lists", "homecoming", "tracker", "api"}


def third_party_admin_names() -> tuple[str, ...]:
    """The names of other projects' models and apps (django-otp, django-axes, Celery beat) in the admin's sidebar:
    theirs to translate, not ours. Their own changelists are not read."""
    names = set()
    for config in apps.get_app_configs():
        if config.label in OUR_APPS or config.name.startswith("django.contrib"):
            continue
        names.add(str(config.verbose_name))
        for model in config.get_models():
            names |= {str(model._meta.verbose_name), str(model._meta.verbose_name_plural)}
    return tuple(sorted((name[:1].upper() + name[1:] for name in names), key=len, reverse=True)) + tuple(names)


def test_the_admin_index_changelists_and_a_case_in_the_admin_are_translated(
    world,  # noqa: F811
    platform_admin,
    client_for,
    pseudo_english,
):
    client = client_for(platform_admin)
    pages = {"admin:index": reverse("admin:index")}
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        opts = model._meta
        if opts.app_label in OUR_APPS or opts.app_label in ("auth",):
            pages[f"admin {opts.label} list"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    victim = world.victim_a
    pages["admin case page"] = reverse(f"admin:cases_{victim._meta.model_name}_change", args=[victim.pk])
    checked = []
    problems = _problems(client, pages, checked, also_ignore=third_party_admin_names())
    assert not problems, "English left unmarked:\n" + "\n".join(problems)
    assert len(checked) == len(pages), set(pages) - set(checked)


def test_the_htcds_code_lists_are_translated(pseudo_english):
    """Countries, recruitment, means of control and exploitation: every label a form or page shows is translated
    (countries by CLDR in the other languages; in English through gettext, which the pseudo-locale accents)."""
    from places import codes

    lists = (
        codes.CITIZENSHIP_CHOICES,
        codes.RECRUITMENT_METHOD_CHOICES,
        codes.MEANS_OF_CONTROL_CHOICES,
        codes.EXPLOITATION_CHOICES,
    )
    english = [str(label) for choices in lists for _code, label in choices if str(label) != pseudo(str(label))]
    assert not english
