"""A select widget written in Python: the HTML of templates/django/forms/widgets/select.html, without the template
engine per option. The case list's filter form offers ~400 options (countries, caseworkers, compounds), and
building an option dict and rendering it through the template language was most of that page's CPU.

tests/web/test_widget_templates.py checks that both write the same HTML, so a change to the template shows.
"""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe


def _text(value) -> str:
    """`{{ value }}` as a template writes it: localised, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _attribute_value(value) -> str:
    """`{{ value|stringformat:'s' }}`: a safe value stays as it is (the filter is is_safe), any other is escaped."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def attributes_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_attribute_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """forms.Select with the same markup, rendered in Python. Subclasses that change `get_context`, the template
    or `create_option` are not honoured: use forms.Select for those."""

    def render(self, name, value, attrs=None, renderer=None):
        widget_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            widget_attrs["multiple"] = True
        values = self.format_value(value)
        parts = [f'<select name="{_text(name)}"{attributes_html(widget_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:  # the loop of ChoiceWidget.optgroups
            if option_value is None:
                option_value = ""
            if isinstance(option_label, list | tuple):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = None, [(option_value, option_label)]
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for subvalue, sublabel in choices:
                selected = (not has_selected or self.allow_multiple_selected) and str(subvalue) in values
                has_selected |= selected
                marker = " selected" if selected else ""
                parts.append(f'\n  <option value="{_attribute_value(subvalue)}"{marker}>{_text(sublabel)}</option>')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every name, value and label above is escaped
