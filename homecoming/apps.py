from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomecomingConfig(AppConfig):
    name = "homecoming"
    verbose_name = _("Homecoming")

    def ready(self):
        from audit import trail
        from cases.signals import list_match_confirmed
        from cases.views.timeline import TIMELINE_SOURCES

        from . import models
        from .lists import on_list_match_confirmed
        from .timeline import HOMECOMING_TIMELINE

        trail.register(models.Screening, excluded=("updated_at",))
        trail.register(models.RepatriationBatch, excluded=("updated_at",))
        trail.register(models.BatchMember)
        trail.register(models.ReturnFollowUp)
        trail.register(models.RetraffickingFlag, excluded=("updated_at",))
        trail.register(models.ReturnSettings)
        list_match_confirmed.connect(on_list_match_confirmed, dispatch_uid="homecoming.list_match_confirmed")
        if HOMECOMING_TIMELINE not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(HOMECOMING_TIMELINE)
