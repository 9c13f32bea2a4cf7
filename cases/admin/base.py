"""What every case-file admin page shares: organisation scoping, narrowed choices, version checks, service errors."""

import re
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import (
    OrgAdminAccessMixin,
    ScopedChoicesMixin,
    ScopedRelatedListFilter,
    admin_organization_ids,
)
from accounts.models import Membership, User
from audit.trail import record_case_read, record_reads
from core.fields import secret_field_names
from places.models import BorderRegion

from ..filters import place_options
from ..models import CaseNote, StaleRecordError, Victim


def changelist_secret_fields(model, select_related, shown=()) -> list[str]:
    names = [name for name in secret_field_names(model) if name not in shown]
    for relation in select_related or ():
        related = model._meta.get_field(relation).related_model
        names += [f"{relation}__{name}" for name in secret_field_names(related)]
    return names


class CaseAdmin(OrgAdminAccessMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """A ModelAdmin for rows owned by an organisation.

    Service errors (a ValidationError raised while saving, e.g. a record changed by someone else a moment
    after the form was checked) roll the whole save back and come back to the page as a message, never a 500.
    """

    org_admin_can_delete = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        self._record_change_page_read(request, response)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist is not None:  # the rows shown (names, contacts of reporters): a recorded read of each
            record_reads(request, changelist.result_list, view="admin_list")
        return response

    def _record_change_page_read(self, request, response) -> None:
        """An existing row's page shown (not a redirect after saving): recorded like the case page."""
        context = getattr(response, "context_data", None) or {}
        shown = context.get("original")
        if shown is None or getattr(response, "status_code", 200) != 200:
            return
        if isinstance(shown, Victim):
            notes = [
                form.instance
                for inline in context.get("inline_admin_formsets", ())
                if inline.formset.model is CaseNote
                for form in inline.formset.forms
                if form.instance.pk is not None
            ]
            record_case_read(request, shown, notes=notes, view="admin_change")
        else:
            record_reads(request, [shown], view="admin_change")

    changelist_secrets_shown: tuple[str, ...] = ()  # secret fields a changelist shows (a name, encrypted at rest)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith(("_changelist", "autocomplete")):
            # Lists show no secrets but a name: don't load (and decrypt) them, here or on the rows joined in.
            shown = self.changelist_secrets_shown
            queryset = queryset.defer(*changelist_secret_fields(self.model, self.list_select_related, shown))
        return queryset

    def get_list_filter(self, request):
        # One organisation needs no organisation filter; several do.
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser and len(admin_organization_ids(request.user)) < 2:
            filters = [f for f in filters if not (isinstance(f, tuple) and f[0] == "organization")]
        return filters

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        org_ids = admin_organization_ids(request.user)
        if "organization" not in initial and len(org_ids) == 1:
            initial["organization"] = org_ids[0]
        return initial


class PlaceListFilter(admin.RelatedFieldListFilter):
    """The border-region and compound filters: both option lists from one query per request (`place_options`)."""

    def field_choices(self, field, request, model_admin):
        if not hasattr(request, "_place_options"):
            request._place_options = place_options()
        return request._place_options["region" if field.related_model is BorderRegion else "compound"]


class MemberListFilter(ScopedRelatedListFilter):
    """A people filter ("assigned to") placed before the place filters: its people come in their query."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        if hasattr(request, "_place_options") or field.related_model is not User or tuple(ordering) != ("email",):
            return super().field_choices(field, request, model_admin)
        people = User.objects.all()
        limit = self.choice_limit(User, request.user)
        if limit is not None:
            people = people.filter(limit)
        request._place_options = place_options(people=people)
        return request._place_options["person"]


class CaseInline(OrgAdminAccessMixin, ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    org_admin_can_delete = False


class ReadOnlyInline(CaseInline):
    """Rows listed on their parent's page; they change through their own page or an action."""

    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class AddOnlyInline(CaseInline):
    """A blank row for adding one new item through a service; existing items are listed elsewhere."""

    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class ParentAwareFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                form.parent_victim = self.instance  # the victim as edited on this page (unsaved when adding)
                return form

        return ParentAwareFormSet


def check_assignee(form, organization, assignee, field: str = "assigned_to") -> None:
    """Only members of the case's organisation can be assigned: say so on the form, before any service refuses."""
    if organization is None or assignee is None:
        return
    if not Membership.objects.filter(user=assignee, organization=organization, is_active=True).exists():
        form.add_error(field, gettext("%(user)s is not a member of %(org)s.") % {"user": assignee, "org": organization})


# --- Rows that belong to a victim ----------------------------------------------------------------

# A complete case number such as HW-2025-00042 is looked up exactly (the unique index), its start ("HW-2025-")
# by prefix; anything else by the default search (case-number start or part of the name).
CASE_NUMBER_RE = re.compile(r"^[A-Za-z0-9]{1,10}-\d{4}-\d{1,9}$")
CASE_NUMBER_START_RE = re.compile(r"^[A-Za-z0-9]{1,10}-[\d-]*$")


def search_by_case_number(queryset, search_term: str, field: str = "case_number"):
    """Case-number lookups that can use an index: exact for a whole number, prefix for its start; else None."""
    term = search_term.strip()
    if CASE_NUMBER_RE.match(term):
        return queryset.filter(**{field: term.upper()})
    if CASE_NUMBER_START_RE.match(term):
        return queryset.filter(**{f"{field}__startswith": term.upper()})
    return None


class VictimChildAdmin(CaseAdmin):
    """Rows that belong to a victim: listed and searched by the victim's case number."""

    autocomplete_fields = ("victim",)
    search_fields = ("=victim__case_number",)
    search_help_text = _("A case number or its start, e.g. HW-2025-00042 or HW-2025-.")

    def get_search_results(self, request, queryset, search_term):
        exact = search_by_case_number(queryset, search_term, "victim__case_number")
        if exact is not None:
            return exact, False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(self.readonly_fields)
        return readonly if obj is None else (*readonly, "victim")

    @admin.display(description=_("victim"), ordering="victim__case_number")
    def case(self, obj) -> str:
        return obj.victim.case_number


# --- Optimistic locking in forms ------------------------------------------------------------------


class VersionedAdminForm(forms.ModelForm):
    """Carries the version a record was loaded with; saving a copy someone else has changed since is refused."""

    loaded_version = forms.IntegerField(label=_("version"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            loaded = cleaned.get("loaded_version")
            if loaded is None:
                raise ValidationError(_("This form is missing the version it was opened with; reload the page."))
            try:
                self.instance.check_version(loaded)
            except StaleRecordError as error:
                raise ValidationError(error.messages, code="stale") from error
        return cleaned


# --- Actions with an intermediate form ------------------------------------------------------------


def run_for_each(modeladmin, request, queryset, handle: Callable, done_message: Callable[[int], str]) -> int:
    """Apply `handle` to each row in its own transaction; report each refused row by its case number."""
    done = 0
    for obj in queryset:
        try:
            with transaction.atomic():
                handle(obj)
        except ValidationError as error:
            modeladmin.message_user(
                request,
                gettext("%(row)s: %(error)s") % {"row": obj, "error": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    return done


def action_with_form(modeladmin, request, queryset, *, form_class, title: str, intro: str, handle, done_message):
    """An admin action that first asks for details (an outcome, a reason) on a confirmation page.

    `handle(obj, cleaned_data)` calls one service for one row.
    """
    form = None
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            run_for_each(modeladmin, request, queryset, lambda obj: handle(obj, form.cleaned_data), done_message)
            return None
    form = form or form_class()
    shown = list(queryset[:50])
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "objects": shown,
        "more": max(queryset.count() - len(shown), 0) if len(shown) == 50 else 0,
        "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/cases/action_form.html", context)
