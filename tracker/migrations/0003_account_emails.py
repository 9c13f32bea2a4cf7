# Outbox kinds for password links and security notices (issue 16); a row may have no organisation (a platform admin).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_strip_bidi_controls_from_display_names'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('tracker', '0002_outbox_webhook_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='outboxmessage',
            name='outbox_kind_valid',
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='kind',
            field=models.CharField(choices=[('reminder', 'Follow-up reminder'), ('escalation', 'Escalation'), ('referral_chase', 'Referral chase'), ('digest', 'Weekly digest'), ('delivery_failure', 'Delivery failure notice'), ('agency_referral', 'Referral to an agency'), ('webhook', 'Webhook delivery'), ('password_reset', 'Password link'), ('security_notice', 'Security notice')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='organization',
            field=models.ForeignKey(blank=True, help_text='Empty for an account email to someone who belongs to no organisation (a platform admin).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization', verbose_name='organisation'),
        ),
        migrations.AddConstraint(
            model_name='outboxmessage',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['reminder', 'escalation', 'referral_chase', 'digest', 'delivery_failure', 'agency_referral', 'webhook', 'password_reset', 'security_notice'])), name='outbox_kind_valid'),
        ),
    ]
