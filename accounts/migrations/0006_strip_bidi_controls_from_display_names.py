"""Staff display names are saved without bidirectional controls (User.clean); clean the ones saved before."""

import re

from django.db import migrations

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")  # as core.text.BIDI_CONTROLS, frozen here


def strip_display_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(display_name__regex="[\u202a-\u202e\u2066-\u2069]").only("pk", "display_name"):
        User.objects.filter(pk=user.pk).update(display_name=BIDI_CONTROLS.sub("", user.display_name))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_two_factor_resets_and_password_reset_attempts")]

    operations = [migrations.RunPython(strip_display_names, migrations.RunPython.noop)]
