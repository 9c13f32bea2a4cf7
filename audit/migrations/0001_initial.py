"""The audit trail and the data-access log move here from the cases app: state only, the tables keep their names
(cases_auditentry, cases_dataaccesslog, with their append-only triggers); cases/0007 moves their content types.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0006_victim_citizenship_namibia'),
        ('accounts', '0003_organization_identity_retention_days'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('object_pk', models.CharField(db_index=True, max_length=255, verbose_name='object pk')),
                        ('object_id', models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='object id')),
                        ('object_repr', models.TextField(verbose_name='object representation')),
                        ('serialized_data', models.JSONField(null=True)),
                        ('action', models.PositiveSmallIntegerField(choices=[(0, 'create'), (1, 'update'), (2, 'delete'), (3, 'access')], db_index=True, verbose_name='action')),
                        ('changes_text', models.TextField(blank=True, verbose_name='change message')),
                        ('changes', models.JSONField(null=True, verbose_name='change message')),
                        ('cid', models.CharField(blank=True, db_index=True, max_length=255, null=True, verbose_name='Correlation ID')),
                        ('remote_addr', models.GenericIPAddressField(blank=True, null=True, verbose_name='remote address')),
                        ('remote_port', models.PositiveIntegerField(blank=True, null=True, verbose_name='remote port')),
                        ('timestamp', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='timestamp')),
                        ('additional_data', models.JSONField(blank=True, null=True, verbose_name='additional data')),
                        ('actor_email', models.CharField(blank=True, max_length=254, null=True, verbose_name='actor email')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='content type')),
                        ('organization', models.ForeignKey(blank=True, db_constraint=False, help_text='Empty for shared reference data (e.g. a shared agency).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit trail',
                        'db_table': 'cases_auditentry',
                        'ordering': ['-timestamp'],
                        'get_latest_by': 'timestamp',
                        'abstract': False,
                        'indexes': [models.Index(fields=['organization', '-timestamp'], name='auditentry_org_time')],
                    },
                ),
                migrations.CreateModel(
                    name='DataAccessLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('export', 'Export'), ('statistics', 'De-identified statistics'), ('redaction', 'Retention redaction')], max_length=20, verbose_name='kind')),
                        ('object_count', models.PositiveIntegerField(verbose_name='rows')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='organisation')),
                        ('user', models.ForeignKey(blank=True, help_text='Empty for the scheduled retention task.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'data-access log entry',
                        'verbose_name_plural': 'data-access log',
                        'db_table': 'cases_dataaccesslog',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['organization', '-created_at'], name='dataaccesslog_org_created')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['export', 'statistics', 'redaction'])), name='dataaccesslog_kind_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
