"""The project's faster select and radio/checkbox templates (templates/django/forms/widgets/) write the same HTML as
Django's own, apart from whitespace: if a Django upgrade changes the widget markup, this says so."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.utils.safestring import mark_safe

from core.widgets import FastSelect


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


class SelectsBothWays(forms.Form):
    """The same select fields twice: through the project's select.html, and through core.widgets.FastSelect."""

    choices = [
        ("", "---"),
        ("x", "X <b>&"),
        ("y", mark_safe("<em>Y</em>")),
        (3, 3000),
        ("Group <i>", [("1", "One"), ("2", "Two"), ("x", "X again")]),
        (None, "None"),
        ("q\"'", "Quoted \"'"),
    ]
    plain = forms.ChoiceField(choices=choices, initial="y")
    optional = forms.ChoiceField(
        choices=choices[1:],
        required=False,
        disabled=True,
        help_text="Help",
        widget=forms.Select(attrs={"title": "<t>"}),
    )
    grouped = forms.TypedChoiceField(choices=choices, initial="x", coerce=str)


class FastSelectsBothWays(SelectsBothWays):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices, fast.is_required = field.widget.choices, field.widget.is_required
            field.widget = fast


@pytest.mark.parametrize("name", list(SelectsBothWays.base_fields))
@pytest.mark.parametrize("data", [None, {"plain": "2", "optional": "", "grouped": "3"}, {"plain": "nothing"}])
def test_the_python_select_writes_exactly_what_the_select_template_writes(name, data):
    template = SelectsBothWays(data, renderer=TemplatesSetting())[name]
    python = FastSelectsBothWays(data, renderer=TemplatesSetting())[name]
    assert str(python) == str(template)
    assert "<option" in str(python)
