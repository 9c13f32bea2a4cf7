"""The project's faster select and radio/checkbox templates (templates/django/forms/widgets/) write the same HTML as
Django's own, apart from whitespace: if a Django upgrade changes the widget markup, this says so."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting


class EveryChoiceWidget(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("x", "X <b>&"), ("y", "Y")], initial="y")
    grouped = forms.ChoiceField(choices=[("Group <i>", [("1", "One"), ("2", "Two")]), ("3", "Three")], initial="2")
    ticks = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", "Q")], widget=forms.CheckboxSelectMultiple(attrs={"class": "c"}), initial=["q"]
    )
    radio = forms.ChoiceField(choices=[("p", "P"), ("q", "Q")], widget=forms.RadioSelect, required=False)
    several = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", "Q")], widget=forms.SelectMultiple(attrs={"disabled": True}), initial=["p"]
    )
    yes_no = forms.NullBooleanField()


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("name", list(EveryChoiceWidget.base_fields))
@pytest.mark.parametrize("bound", [False, True])
def test_the_project_widget_templates_write_djangos_markup(name, bound):
    data = {"plain": "x", "grouped": "3", "ticks": ["p", "q"], "radio": "q", "several": ["q"]} if bound else None
    djangos = EveryChoiceWidget(data, renderer=DjangoTemplates())[name]
    ours = EveryChoiceWidget(data, renderer=TemplatesSetting())[name]
    assert normalised(str(ours)) == normalised(str(djangos))


@pytest.mark.parametrize("template", ["select.html", "multiple_input.html"])
def test_forms_render_with_the_project_templates(template):
    from django.conf import settings
    from django.forms.renderers import get_default_renderer

    found = get_default_renderer().get_template(f"django/forms/widgets/{template}")
    assert found.origin.name == str(settings.BASE_DIR / "templates" / "django" / "forms" / "widgets" / template)
