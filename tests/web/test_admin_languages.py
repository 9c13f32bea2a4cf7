"""The admin's index names every app and model in the reader's language, those of the packages we install too.

A name passes when each of our five languages already translates it (Django's or the package's own catalogue),
or when our code marks it, so bin/make-messages puts it in our catalogue for the lead to translate. Our marked
messages are read with xgettext (GNU gettext, as makemessages uses) from the project's Python files.
"""

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
NOT_THE_PRODUCT = {"tests", "bench", "demo", "var", "node_modules", "test-artifacts", ".venv", ".git"}
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]


@cache
def our_messages() -> frozenset[str]:
    """Every msgid marked in the project's Python files (with or without a msgctxt)."""
    files = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not NOT_THE_PRODUCT.intersection(path.relative_to(ROOT).parts)
    ]
    keywords = ["gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "pgettext_lazy:1c,2", "_"]
    pot = subprocess.run(  # noqa: S603 - fixed arguments
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-wrap", "--output=-"]  # noqa: S607
        + [f"--keyword={keyword}" for keyword in keywords]
        + ["--keyword=gettext", "--keyword=ngettext:1,2"]
        + files,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return frozenset(re.findall(r'^msgid "(.+)"$', pot, re.M))


def english(message) -> str:
    with translation.override("en"):
        return str(message)


def translated_in_every_language(message) -> bool:
    source = english(message)
    for code in TRANSLATED:
        with translation.override(code):
            if str(message) == source:
                return False
    return True


def test_every_app_and_model_name_on_the_platform_admins_index_reads_in_each_language(platform_admin, client_for):
    response = client_for(platform_admin).get(reverse("admin:index"))
    assert response.status_code == 200
    untranslated = []
    for app in response.context["app_list"]:
        config = apps.get_app_config(app["app_label"])
        names = [config.verbose_name]
        names += [
            apps.get_model(app["app_label"], model["object_name"])._meta.verbose_name_plural for model in app["models"]
        ]
        for name in names:
            if english(name) not in our_messages() and not translated_in_every_language(name):
                untranslated.append(f"{app['app_label']}: {english(name)}")
    assert not untranslated, untranslated
    assert {"otp_totp", "django_celery_beat"} <= {app["app_label"] for app in response.context["app_list"]}


def test_an_organisation_admin_has_no_django_admin(org_a, client_for):
    """Organisation admins manage their organisation in Homeward's own pages; the admin index is for platform staff."""
    response = client_for(org_a.org_admin, org_a.organization).get(reverse("admin:index"))
    assert response.status_code == 302


VENDOR_APPS = ("django_celery_beat", "otp_static", "otp_totp")
KEPT_AS_WRITTEN = {"Exchange", "Routing Key", "t0"}  # AMQP's own terms and TOTP's t0, kept in some languages


def test_the_third_party_admin_pages_field_labels_and_help_read_in_each_language(platform_admin, rf):
    """The schedules' and devices' change pages (platform admins pause the sweeps there): every field label, help
    text and section heading reads in each language. core/vendor_admin_messages.py marks what the packages mark;
    django-otp's plain strings are wrapped in gettext (accounts/vendor_apps.py, accounts/admin/devices.py) and marked
    in core/vendor_messages.py."""
    from django.contrib import admin
    from django.core.exceptions import FieldDoesNotExist

    request = rf.get("/admin/")
    request.user = platform_admin
    untranslated, checked = [], 0
    models = [model for model in admin.site._registry if model._meta.app_label in VENDOR_APPS]
    assert len(models) >= 5
    for model in models:
        model_admin = admin.site._registry[model]
        for heading, _options in model_admin.get_fieldsets(request):
            if heading and not translated_in_every_language(heading):
                untranslated.append(f"{model._meta.label} section: {english(heading)}")
        form = model_admin.get_form(request)()
        for name, field in form.fields.items():
            try:
                label = model._meta.get_field(name).verbose_name  # lazy: the form's label is already a str
            except FieldDoesNotExist:
                label = field.label  # a form-only field (its label is the admin form's lazy message)
            for text in (label, field.help_text):
                if not english(text) or english(text) in KEPT_AS_WRITTEN:
                    continue
                checked += 1
                if not translated_in_every_language(text):
                    untranslated.append(f"{model._meta.label}.{name}: {english(text)}")
    assert not untranslated, untranslated
    assert checked > 30  # the schedules' fields and help texts
