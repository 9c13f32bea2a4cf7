"""Admin for the partner API: API keys (shown once, revocable), webhook subscriptions and their delivery log."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import OrgAdminAccessMixin, ScopedChoicesMixin, admin_organization_ids

from . import webhook_urls
from .models import ApiKey, WebhookAttempt, WebhookEvent, WebhookSubscription


def default_expiry():
    return timezone.now() + timedelta(days=365)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["organization", "name", "role", "scope", "includes_identity", "rate_per_minute", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(OrgAdminAccessMixin, ScopedChoicesMixin, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "organization", "role", "scope", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope", "role", "organization"]
    readonly_fields = ["prefix", "last_used_at", "revoked_at", "created_at", "created_by"]
    actions = ["revoke"]

    def get_changeform_initial_data(self, request):
        return {"expires_at": default_expiry(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data[name] for name in ApiKeyForm.Meta.fields}
        key, secret = ApiKey.issue(created_by=request.user, **fields)
        obj.pk, obj.prefix = key.pk, key.prefix
        obj._state.adding = False
        self.message_user(
            request,
            _("The API key is %(key)s — copy it now: it is shown this once and never again.") % {"key": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            count += 1
        self.message_user(request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count})


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "url", "events", "includes_personal_data", "is_active"]

    def clean_url(self):
        """https only, to a host that resolves to public addresses only (checked again at every delivery)."""
        url = self.cleaned_data["url"]
        webhook_urls.check(url)  # its ValidationError says why, next to the field
        return url


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["attempted_at", "event", "status_code", "error", "duration_ms", "outbox_message"]
    ordering = ["-attempted_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(OrgAdminAccessMixin, ScopedChoicesMixin, admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["url", "organization", "events", "includes_personal_data", "is_active", "created_at"]
    list_filter = ["is_active", "organization"]
    readonly_fields = ["signing_secret", "created_at", "created_by"]
    inlines = [WebhookAttemptInline]

    @admin.display(description=_("signing secret"))
    def signing_secret(self, obj):
        return obj.secret or _("made when saved")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "event", "subscription", "status_code", "error", "duration_ms"]
    list_filter = ["event", "status_code"]
    readonly_fields = [f.name for f in WebhookAttempt._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(self._org_ids(request))

    def has_view_permission(self, request, obj=None):
        ids = self._org_ids(request)
        if request.user.is_superuser:
            return True
        return bool(ids) and (obj is None or obj.subscription.organization_id in ids)

    def _org_ids(self, request):
        return admin_organization_ids(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("subscription")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(subscription__organization_id__in=self._org_ids(request))
