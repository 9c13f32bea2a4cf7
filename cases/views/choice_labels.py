"""A list's choice labels ("In contact", "High") translated once per page, not once per row.

Django's `get_<field>_display()` builds a dict of every choice on each call, and hashing a lazy label translates it:
on a list of 50 cases that was ~800 translations, the largest cost of rendering the rows, and one nationality
on the case page translated all 250 countries. For fields of one value (not the multiple-choice lists).
"""

from django.utils.encoding import force_str


def label_choices(rows, **labels: str) -> None:
    """Set, on every row, the attribute named by each keyword to what `get_<field>_display()` returns for the
    field named by its value: `label_choices(rows, status_label="status")`."""
    if not rows:
        return
    model = type(rows[0])
    for attribute, field_name in labels.items():
        field = model._meta.get_field(field_name)
        labels_by_value = dict(field.flatchoices)  # the labels still lazy: only those shown are translated
        translated: dict = {}
        for row in rows:
            value = getattr(row, field.attname)
            if value not in translated:
                translated[value] = force_str(labels_by_value.get(value, value), strings_only=True)
            setattr(row, attribute, translated[value])
