"""Load the public reference data (border regions, crossings, compounds, agencies) from places/reference/."""

from django.db import migrations


def load(apps, schema_editor):
    from places.reference_data import load_reference_data

    load_reference_data(apps=apps, app_label="cases")  # the models moved to `places` in cases/0007


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        # Reversing removes nothing: victims may already point at these compounds and regions.
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
