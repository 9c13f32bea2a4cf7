# Size limits on the free text of the case file (issue 16), on top of the fields encrypted by 0009.

import core.fields
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_casenote_author_may_be_the_system'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agencyreferral',
            name='decline_reason',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='reason the agency declined'),
        ),
        migrations.AlterField(
            model_name='agencyreferral',
            name='override_reason',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='reason for the vital-interest override'),
        ),
        migrations.AlterField(
            model_name='agencyreferral',
            name='response_note',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name="agency's response"),
        ),
        migrations.AlterField(
            model_name='agencyreferral',
            name='shared_information',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='what was shared'),
        ),
        migrations.AlterField(
            model_name='casenote',
            name='body',
            field=core.fields.SecretTextField(blank=False, default='', validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='reporter',
            name='contact_channels',
            field=core.fields.SecretTextField(blank=True, default='', help_text='Phone, messaging handles; one per line.', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='contact channels'),
        ),
        migrations.AlterField(
            model_name='rescuerequest',
            name='outcome',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(20000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='victim',
            name='last_known_location',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='last known location'),
        ),
        migrations.AlterField(
            model_name='victim',
            name='messaging_handles',
            field=core.fields.SecretTextField(blank=True, default='', help_text='One per line, e.g. “Telegram: @name”, “LINE: id”.', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='messaging handles'),
        ),
        migrations.AlterField(
            model_name='victim',
            name='names_in_compound',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='names used in the compound'),
        ),
        migrations.AlterField(
            model_name='victim',
            name='passport_number',
            field=core.fields.SecretTextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='passport number'),
        ),
        migrations.AlterField(
            model_name='victim',
            name='phone_numbers',
            field=core.fields.SecretTextField(blank=True, default='', help_text='One per line.', validators=[django.core.validators.MaxLengthValidator(2000, message='This text is %(show_value)d characters long; it can hold at most %(limit_value)d. Shorten it, or split it into two entries.')], verbose_name='phone numbers'),
        ),
    ]
