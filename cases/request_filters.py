"""Filters for the rescue-request and referral lists (django-filter), scoped to one organisation.

Filters only carry codes, ids, case numbers and dates, never personal data, so a filtered view can be
bookmarked and shared without exposing anyone. Dates are read in the organisation's time zone.
"""

from datetime import datetime

import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from core.widgets import FastSelect
from places.models import Agency

from .models import AgencyReferral, RescueRequest

PRIORITY_RANK = Case(
    When(priority=RescueRequest.Priority.URGENT, then=Value(0)),
    When(priority=RescueRequest.Priority.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

DEFAULT_REQUEST_STATUSES = list(RescueRequest.OPEN_STATUSES)
DEFAULT_REFERRAL_STATUSES = [
    AgencyReferral.Status.DRAFT,
    AgencyReferral.Status.SENT,
    AgencyReferral.Status.NO_RESPONSE,
    AgencyReferral.Status.ACKNOWLEDGED,
    AgencyReferral.Status.ACTING,
]
FILTERED_MARKER = "f"  # present once the filter form was submitted: an empty status list then means "all"


def _with_defaults(data, *, statuses: list[str]):
    """The list starts on what is still being worked on; an explicit (even empty) choice overrides it."""
    if data is None or FILTERED_MARKER not in data:
        merged = data.copy() if data is not None else {}
        if hasattr(merged, "setlist"):
            merged.setlist("status", statuses)
        else:
            merged["status"] = statuses
        return merged
    return data


class DateInput(forms.DateInput):
    input_type = "date"


def members_of(organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization=organization, memberships__is_active=True, is_active=True
    ).order_by("display_name")


class AssignedChoiceFilter(django_filters.ChoiceFilter):
    """ "Assigned to": me, nobody, or a member of the organisation (by id)."""

    def __init__(self, *args, assigned_field: str, **kwargs):
        self.assigned_field = assigned_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            return qs.filter(**{self.assigned_field: self.parent.user})
        if value == "none":
            return qs.filter(**{f"{self.assigned_field}__isnull": True})
        return qs.filter(**{f"{self.assigned_field}_id": int(value)})


def _descending(label) -> str:
    return gettext("%(column)s (descending)") % {"column": label}


class TranslatedOrderingFilter(django_filters.OrderingFilter):
    """django-filter writes "Status (descending)" once, when the filter set is defined (at import, in English);
    here each label stays lazy and is written in the reader's language."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices)
        return [
            (value, lazy(_descending, str)(ascending[value[1:]]) if value.startswith("-") else label)
            for value, label in choices
        ]


class StableOrderingFilter(TranslatedOrderingFilter):
    """Sorts by the chosen column, then by id, so pages never repeat or skip rows between requests."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class OrganizationFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the user, the organisation and the time (for "overdue")."""

    default_statuses: list[str] = []

    def __init__(self, data=None, *args, user: User, organization: Organization, now: datetime, **kwargs):
        self.user = user
        self.organization = organization
        self.now = now
        super().__init__(_with_defaults(data, statuses=self.default_statuses), *args, **kwargs)
        members = list(members_of(organization).values_list("pk", "display_name"))
        self.filters["assigned"].extra["choices"] = [
            ("me", _("Me")),
            ("none", _("Nobody (unassigned)")),
            *[(str(pk), name) for pk, name in members],
        ]
        self.filters["agency"].queryset = Agency.objects.visible_to(user).filter(is_active=True).order_by("name")


class RescueRequestFilter(OrganizationFilterSet):
    default_statuses = DEFAULT_REQUEST_STATUSES

    case = django_filters.CharFilter(field_name="victim__case_number", lookup_expr="icontains", label=_("Case number"))
    # distinct=False: these filter the request's own columns, and every join (the case, its compound, the
    # assignee) is to one row, so no row can repeat; a relation to many (referrals) is filtered with EXISTS.
    status = django_filters.MultipleChoiceFilter(
        choices=RescueRequest.Status.choices, widget=forms.CheckboxSelectMultiple, label=_("Status"), distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=RescueRequest.Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Priority"),
        distinct=False,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=forms.CheckboxInput, label=_("Only overdue follow-ups")
    )
    assigned = AssignedChoiceFilter(
        assigned_field="assigned_to", label=_("Assigned to"), empty_label=_("Anyone"), widget=FastSelect
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(),
        method="filter_agency",
        label=_("Referred to agency"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    due_from = django_filters.DateFilter(
        field_name="next_follow_up_at", lookup_expr="date__gte", widget=DateInput, label=_("Follow-up due from")
    )
    due_to = django_filters.DateFilter(
        field_name="next_follow_up_at", lookup_expr="date__lte", widget=DateInput, label=_("Follow-up due until")
    )
    o = StableOrderingFilter(
        fields=(
            ("next_follow_up_at", "due"),
            ("priority_rank", "priority"),
            ("opened_at", "opened"),
            ("victim__case_number", "case"),
            ("status", "status"),
            ("last_update_at", "updated"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = RescueRequest
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(now=self.now) if value else queryset

    def filter_agency(self, queryset, name, agency):
        if agency is None:
            return queryset
        referred = AgencyReferral.objects.filter(rescue_request=OuterRef("pk"), agency=agency)
        same_case = AgencyReferral.objects.filter(victim=OuterRef("victim_id"), agency=agency)
        return queryset.filter(Q(Exists(referred)) | Q(Exists(same_case)))


class ReferralFilter(OrganizationFilterSet):
    default_statuses = DEFAULT_REFERRAL_STATUSES

    case = django_filters.CharFilter(field_name="victim__case_number", lookup_expr="icontains", label=_("Case number"))
    status = django_filters.MultipleChoiceFilter(  # the referral's own column, joins to one row only: no DISTINCT
        choices=AgencyReferral.Status.choices, widget=forms.CheckboxSelectMultiple, label=_("Status"), distinct=False
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=forms.CheckboxInput, label=_("Only responses overdue")
    )
    assigned = AssignedChoiceFilter(
        assigned_field="victim__assigned_to", label=_("Case assigned to"), empty_label=_("Anyone"), widget=FastSelect
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), label=_("Agency"), empty_label=_("Any"), widget=FastSelect
    )
    due_from = django_filters.DateFilter(
        field_name="response_due_at", lookup_expr="date__gte", widget=DateInput, label=_("Response due from")
    )
    due_to = django_filters.DateFilter(
        field_name="response_due_at", lookup_expr="date__lte", widget=DateInput, label=_("Response due until")
    )
    sent_from = django_filters.DateFilter(
        field_name="sent_at", lookup_expr="date__gte", widget=DateInput, label=_("Sent from")
    )
    sent_to = django_filters.DateFilter(
        field_name="sent_at", lookup_expr="date__lte", widget=DateInput, label=_("Sent until")
    )
    o = StableOrderingFilter(
        fields=(
            ("response_due_at", "due"),
            ("sent_at", "sent"),
            ("victim__case_number", "case"),
            ("agency__name", "agency"),
            ("status", "status"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = AgencyReferral
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES, response_due_at__lt=self.now)


def rescue_requests_for(*, user: User, organization: Organization) -> QuerySet[RescueRequest]:
    """The organisation's requests the user may see, with what the list shows, in one query per page."""
    return (
        RescueRequest.objects.visible_to(user)
        .visible_to(organization)
        .select_related("victim", "victim__compound", "assigned_to")
        .annotate(priority_rank=PRIORITY_RANK)
        .order_by("next_follow_up_at", "priority_rank", "pk")
    )


def referrals_for(*, user: User, organization: Organization) -> QuerySet[AgencyReferral]:
    return (
        AgencyReferral.objects.visible_to(user)
        .visible_to(organization)
        .select_related("victim", "victim__assigned_to", "agency", "sent_by")
        .order_by("response_due_at", "-created_at", "pk")
    )
