"""The places and agencies move here from the cases app: state only, the tables keep their names (cases_*).

The rows, ids and foreign keys stay where they are; cases/0007 drops the models from the cases app's state and
moves their content types, so audit entries and permissions follow them.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0006_victim_citizenship_namibia'),
        ('accounts', '0003_organization_identity_retention_days'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BorderRegion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('latitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-90), django.core.validators.MaxValueValidator(90)], verbose_name='latitude')),
                        ('longitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-180), django.core.validators.MaxValueValidator(180)], verbose_name='longitude')),
                        ('slug', models.SlugField(max_length=80, unique=True, verbose_name='slug')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('country_a', models.CharField(max_length=2, verbose_name='country (side A)')),
                        ('subdivision_a', models.CharField(blank=True, max_length=200, verbose_name='subdivision (side A)')),
                        ('country_b', models.CharField(max_length=2, verbose_name='country (side B)')),
                        ('subdivision_b', models.CharField(blank=True, max_length=200, verbose_name='subdivision (side B)')),
                        ('coordinates_note', models.CharField(blank=True, max_length=200, verbose_name='note on the coordinates')),
                        ('source', models.TextField(blank=True, verbose_name='source')),
                    ],
                    options={
                        'verbose_name': 'border region',
                        'verbose_name_plural': 'border regions',
                        'db_table': 'cases_borderregion',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('latitude__isnull', True), models.Q(('latitude__gte', -90), ('latitude__lte', 90)), _connector='OR'), name='borderregion_latitude_range'), models.CheckConstraint(condition=models.Q(('longitude__isnull', True), models.Q(('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='borderregion_longitude_range'), models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__isnull', False), ('longitude__isnull', False)), _connector='OR'), name='borderregion_coordinates_paired')],
                    },
                ),
                migrations.CreateModel(
                    name='Agency',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('kind', models.CharField(choices=[('police', 'Police'), ('immigration', 'Immigration'), ('embassy', 'Embassy'), ('international', 'International organisation'), ('ngo', 'NGO'), ('shelter', 'Shelter'), ('hospital', 'Hospital'), ('government', 'Government'), ('military', 'Military')], max_length=20, verbose_name='kind')),
                        ('country', models.CharField(blank=True, help_text='For an embassy: the country it represents.', max_length=2, verbose_name='country')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='referral email')),
                        ('public_contact', models.CharField(blank=True, max_length=300, verbose_name='public contact channels')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('source', models.TextField(blank=True, verbose_name='source')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('organization', models.ForeignKey(blank=True, help_text='Empty for shared reference data.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='private_agencies', to='accounts.organization', verbose_name='private to organisation')),
                        ('regions', models.ManyToManyField(blank=True, related_name='agencies', to='places.borderregion', verbose_name='border regions covered')),
                    ],
                    options={
                        'verbose_name': 'agency',
                        'verbose_name_plural': 'agencies',
                        'db_table': 'cases_agency',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['police', 'immigration', 'embassy', 'international', 'ngo', 'shelter', 'hospital', 'government', 'military'])), name='agency_kind_valid'), models.UniqueConstraint(condition=models.Q(('organization__isnull', True)), fields=('name',), name='agency_unique_shared_name'), models.UniqueConstraint(fields=('organization', 'name'), name='agency_unique_private_name')],
                    },
                ),
                migrations.CreateModel(
                    name='Compound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('latitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-90), django.core.validators.MaxValueValidator(90)], verbose_name='latitude')),
                        ('longitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-180), django.core.validators.MaxValueValidator(180)], verbose_name='longitude')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('aliases', models.CharField(blank=True, help_text='Comma-separated.', max_length=300, verbose_name='aliases')),
                        ('country', models.CharField(max_length=2, verbose_name='country')),
                        ('locality', models.CharField(blank=True, max_length=200, verbose_name='locality')),
                        ('status', models.CharField(choices=[('active', 'Active'), ('raided', 'Raided'), ('relocated', 'Relocated'), ('demolished', 'Demolished'), ('unknown', 'Unknown')], default='unknown', max_length=20, verbose_name='status')),
                        ('controlling_group', models.CharField(blank=True, max_length=300, verbose_name='controlling group')),
                        ('facts', models.TextField(blank=True, verbose_name='facts')),
                        ('source', models.TextField(blank=True, verbose_name='sources')),
                        ('last_verified_on', models.DateField(blank=True, null=True, verbose_name='last verified')),
                        ('region', models.ForeignKey(blank=True, help_text='Empty for compounds inland.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='compounds', to='places.borderregion', verbose_name='border region')),
                    ],
                    options={
                        'verbose_name': 'compound',
                        'verbose_name_plural': 'compounds',
                        'db_table': 'cases_compound',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['active', 'raided', 'relocated', 'demolished', 'unknown'])), name='compound_status_valid'), models.CheckConstraint(condition=models.Q(('latitude__isnull', True), models.Q(('latitude__gte', -90), ('latitude__lte', 90)), _connector='OR'), name='compound_latitude_range'), models.CheckConstraint(condition=models.Q(('longitude__isnull', True), models.Q(('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='compound_longitude_range'), models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__isnull', False), ('longitude__isnull', False)), _connector='OR'), name='compound_coordinates_paired')],
                    },
                ),
                migrations.CreateModel(
                    name='Crossing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('latitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-90), django.core.validators.MaxValueValidator(90)], verbose_name='latitude')),
                        ('longitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(-180), django.core.validators.MaxValueValidator(180)], verbose_name='longitude')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('is_open', models.BooleanField(blank=True, help_text='Empty when not known.', null=True, verbose_name='open')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('source', models.TextField(blank=True, verbose_name='source')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='crossings', to='places.borderregion', verbose_name='border region')),
                    ],
                    options={
                        'verbose_name': 'crossing',
                        'verbose_name_plural': 'crossings',
                        'db_table': 'cases_crossing',
                        'ordering': ['region__name', 'name'],
                        'constraints': [models.UniqueConstraint(fields=('region', 'name'), name='crossing_unique_name_per_region'), models.CheckConstraint(condition=models.Q(('latitude__isnull', True), models.Q(('latitude__gte', -90), ('latitude__lte', 90)), _connector='OR'), name='crossing_latitude_range'), models.CheckConstraint(condition=models.Q(('longitude__isnull', True), models.Q(('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='crossing_longitude_range'), models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__isnull', False), ('longitude__isnull', False)), _connector='OR'), name='crossing_coordinates_paired')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
