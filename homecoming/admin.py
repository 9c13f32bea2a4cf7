"""Admin: each organisation's homecoming settings (follow-ups after return, stuck and missing thresholds)."""

from django.contrib import admin

from accounts.admin import OrgAdminAccessMixin, ScopedChoicesMixin

from .models import ReturnSettings


@admin.register(ReturnSettings)
class ReturnSettingsAdmin(OrgAdminAccessMixin, ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["organization", "follow_up_days", "stuck_after_days", "missing_after_days"]
