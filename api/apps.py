from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Partner API")

    def ready(self):
        from audit import trail

        from . import agency_links, webhooks
        from .models import ApiKey, WebhookSubscription

        trail.register(ApiKey, excluded=("secret_hash", "last_used_at"))
        trail.register(WebhookSubscription, excluded=("secret",))
        webhooks.connect()
        agency_links.connect()
