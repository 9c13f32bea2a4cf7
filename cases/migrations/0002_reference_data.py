"""Load the public reference data (border regions, crossings, compounds, agencies) from cases/reference/."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.reference_data import load_reference_data

    load_reference_data(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        # Reversing removes nothing: victims may already point at these compounds and regions.
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
