"""Admin for the follow-up engine: the outbox (read-only, with retry), sweep locks and digest checkpoints."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import admin_organization_ids

from . import outbox
from .models import DigestCheckpoint, OutboxMessage, SweepLock


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "recipient_email", "subject", "attempts", "sent_at"]
    list_filter = ["status", "kind", "organization"]
    search_fields = ["dedupe_key", "recipient_email", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxMessage._meta.concrete_fields]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization_id__in=admin_organization_ids(request.user))

    @admin.action(description=_("Retry the selected messages now"))
    def retry_now(self, request, queryset):
        updated = outbox.retry(queryset, now=timezone.now())
        self.message_user(
            request,
            ngettext("%(n)d message will be retried.", "%(n)d messages will be retried.", updated) % {"n": updated},
            messages.SUCCESS,
        )


@admin.register(SweepLock)
class SweepLockAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "last_result", "locked_until"]
    readonly_fields = ["name", "locked_until", "holder", "last_started_at", "last_finished_at", "last_result"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DigestCheckpoint)
class DigestCheckpointAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "last_week", "last_slot_at", "updated_at"]
    list_filter = ["organization"]
    search_fields = ["user__email"]
