from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case file")

    def ready(self):
        from django.db.models.signals import post_delete

        from audit import trail
        from core import secret_columns

        from . import name_index
        from .models import AgencyReferral, CaseNote, Evidence, Reporter, RescueRequest, Victim, VictimStatusChange
        from .services import evidence

        # The audit trail (audit/trail.py). `personal`: identity and free-text fields that are not encrypted but
        # name people (retention redacts them); `excluded`: blind-index digests and per-save bookkeeping.
        trail.register(
            Victim,
            personal=("full_name", "date_of_birth", "closed_reason"),
            excluded=("passport_index", "phone_index", "updated_at", "version"),
        )
        trail.register(Reporter, personal=("name", "safe_contact_times"), excluded=("updated_at",))
        trail.register(CaseNote)
        trail.register(VictimStatusChange, personal=("reason",))
        trail.register(RescueRequest, personal=("outcome",), excluded=("updated_at", "version"))
        trail.register(
            AgencyReferral,
            personal=("override_reason", "decline_reason", "response_note"),
            excluded=("updated_at",),
        )
        trail.register(Evidence)
        post_delete.connect(evidence.delete_stored_files_of, sender=Evidence, dispatch_uid="evidence-stored-files")
        secret_columns.register_encrypted_files(
            "cases.Evidence files", count=evidence.count_evidence, rotate=evidence.rotate_evidence_files
        )
        secret_columns.register_derived_index(
            "cases.NameKey index", count=name_index.count_victims, rebuild=name_index.rebuild
        )
