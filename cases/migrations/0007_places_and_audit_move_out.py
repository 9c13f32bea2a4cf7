"""Places, agencies, the audit trail and the data-access log leave the cases app (state only; tables stay).

Their models now live in `places` (places/0001) and `audit` (audit/0001) with `db_table` set to the old names, so
no table, row, id or foreign key changes. The content types of the moved models are renamed to their new app, so
audit entries and permissions that point at them keep pointing at the same rows.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {
    "places": ("borderregion", "crossing", "compound", "agency"),
    "audit": ("auditentry", "dataaccesslog"),
}


def move_content_types(apps, schema_editor, *, backwards=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for new_label, models_ in MOVED.items():
        old, new = ("cases", new_label) if not backwards else (new_label, "cases")
        for model in models_:
            if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
                ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_victim_citizenship_namibia"),
        ("places", "0001_initial"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='agency',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='agency',
                    name='regions',
                ),
                migrations.AlterField(
                    model_name='agencyreferral',
                    name='agency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='places.agency', verbose_name='agency'),
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='content_type',
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='organization',
                ),
                migrations.AlterField(
                    model_name='victim',
                    name='border_region',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='victims', to='places.borderregion', verbose_name='border region'),
                ),
                migrations.RemoveField(
                    model_name='compound',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='crossing',
                    name='region',
                ),
                migrations.AlterField(
                    model_name='victim',
                    name='compound',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='victims', to='places.compound', verbose_name='compound'),
                ),
                migrations.RemoveField(
                    model_name='dataaccesslog',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='dataaccesslog',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Agency',
                ),
                migrations.DeleteModel(
                    name='AuditEntry',
                ),
                migrations.DeleteModel(
                    name='BorderRegion',
                ),
                migrations.DeleteModel(
                    name='Crossing',
                ),
                migrations.DeleteModel(
                    name='Compound',
                ),
                migrations.DeleteModel(
                    name='DataAccessLog',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
