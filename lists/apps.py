from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = _("Released lists")

    def ready(self):
        from audit import trail

        from .models import CaseImport, ImportedCase, ListEntry, ListSettings, Match, ReleasedList

        # Entries, reasons and raw rows are encrypted (SecretTextField); the trail masks them.
        trail.register(ReleasedList, personal=("source",))
        trail.register(ListEntry, excluded=("has_errors",))
        trail.register(Match)
        trail.register(ListSettings)
        trail.register(CaseImport)
        trail.register(ImportedCase, personal=("external_reference",))
