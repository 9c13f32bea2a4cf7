"""Names never keep bidirectional controls (issue 16): strip them from names already stored.

The names are encrypted, so every row is read (decrypted by the field) in batches and only rows that change are
written back; running it again changes nothing. The name index is unaffected: its keys ignore these characters.
"""

from django.db import migrations

from core.text import strip_bidi_controls

BATCH = 500


def strip_names(apps, schema_editor):
    db = schema_editor.connection.alias
    for model_name, fields in (("Victim", ("full_name", "names_in_compound")), ("Reporter", ("name",))):
        model = apps.get_model("cases", model_name)
        for row in model.objects.using(db).only("pk", *fields).iterator(chunk_size=BATCH):
            cleaned = {name: strip_bidi_controls(getattr(row, name)) for name in fields}
            if any(cleaned[name] != getattr(row, name) for name in fields):
                model.objects.using(db).filter(pk=row.pk).update(**cleaned)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_free_text_size_limits")]

    operations = [migrations.RunPython(strip_names, migrations.RunPython.noop)]
