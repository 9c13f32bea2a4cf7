"""The victim list's filters (django-filter). Every filter lives in the URL so a view can be bookmarked,
except a search for a name: names never go in a URL, so that term is kept in the session behind an opaque token,
encrypted under the field key (the session table is a database table too) and only for SEARCH_TERM_TTL.

Names are encrypted at rest: a name search goes through the name index (cases/name_index.py), and the list cannot
be sorted by name (sorting would mean decrypting every row); sort by case number instead.
"""

import re
import secrets
import time
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import crypto
from core.parsing import plain_number
from core.widgets import FastSelect
from places.codes import CITIZENSHIP_CHOICES
from places.models import BorderRegion, Compound

from . import name_index
from .forms import MemberChoiceField, offer_options, organization_members
from .models import RescueRequest, Victim
from .models.requests import overdue_condition
from .request_filters import TranslatedOrderingFilter

SEARCH_SESSION_KEY = "victim_search_terms"
SEARCH_TOKENS_KEPT = 20
SEARCH_TERM_TTL = timedelta(hours=2)  # then the list says the search expired and asks for it again
CASE_NUMBER_PATTERN = re.compile(r"^[A-Z0-9]{1,10}-\d{4}-\d{1,6}$|^\d{4}-\d{1,6}$|^\d{1,6}$", re.IGNORECASE)

RISK_RANK = Case(
    When(risk_level=Victim.RiskLevel.CRITICAL, then=Value(0)),
    When(risk_level=Victim.RiskLevel.HIGH, then=Value(1)),
    When(risk_level=Victim.RiskLevel.MEDIUM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def looks_like_case_number(term: str) -> bool:
    return bool(CASE_NUMBER_PATTERN.match(term.strip()))


def _live_terms(session) -> dict[str, tuple[str, float]]:
    """token -> (encrypted term, when stored) for the terms not yet expired; older shapes are dropped."""
    oldest = time.time() - SEARCH_TERM_TTL.total_seconds()
    terms = session.get(SEARCH_SESSION_KEY, {})
    if not isinstance(terms, dict):
        return {}
    return {
        token: (entry[0], entry[1])
        for token, entry in terms.items()
        if isinstance(entry, list | tuple) and len(entry) == 2 and crypto.is_encrypted(entry[0]) and entry[1] >= oldest
    }


def _opened(stored: str) -> str | None:
    try:
        return crypto.decrypt(stored, label="A search term in the session")
    except crypto.DecryptionError:  # encrypted under a key since retired: as if it had expired
        return None


def store_search_term(session, term: str) -> str:
    """Keep a free-text search term in the session, encrypted, and return the opaque token for it in URLs."""
    terms = _live_terms(session)
    for token, (stored, _at) in terms.items():
        if _opened(stored) == term:
            terms[token] = (stored, time.time())
            session[SEARCH_SESSION_KEY] = {k: list(v) for k, v in terms.items()}
            return token
    token = secrets.token_urlsafe(6)
    terms[token] = (crypto.encrypt(term), time.time())
    while len(terms) > SEARCH_TOKENS_KEPT:
        terms.pop(next(iter(terms)))
    session[SEARCH_SESSION_KEY] = {k: list(v) for k, v in terms.items()}
    return token


def search_term_for(session, token: str | None) -> str | None:
    """The term behind a token, or None when it is unknown, expired or no longer opens."""
    if not token:
        return None
    entry = _live_terms(session).get(token)
    return _opened(entry[0]) if entry else None


def open_requests_for_victim():
    return RescueRequest.objects.open().filter(victim_id=OuterRef("pk"))


def place_options(people=None) -> dict[str, list[tuple[int, str]]]:
    """Every border region and compound as (pk, name) by name, in one query (a UNION ALL of the two tables).

    With `people` (a User queryset), its users come as "person" (pk, str(user)) by email in the same query.
    """
    text = CharField()
    regions = BorderRegion.objects.annotate(kind=Value("region", output_field=text), label=F("name"), sort=F("name"))
    compounds = Compound.objects.annotate(kind=Value("compound", output_field=text), label=F("name"), sort=F("name"))
    parts = [compounds.order_by().values_list("kind", "pk", "label", "sort")]
    if people is not None:
        people = people.annotate(kind=Value("person", output_field=text), label=F("display_name"), sort=F("email"))
        parts.append(people.order_by().values_list("kind", "pk", "label", "sort"))
    rows = regions.order_by().values_list("kind", "pk", "label", "sort").union(*parts, all=True).order_by("sort")
    options = {"region": [], "compound": [], "person": []}
    for kind, pk, label, sort in rows:
        if kind == "person":  # labelled as everywhere else: the user's own __str__ (display name, else email)
            label = str(people.model(pk=pk, display_name=label, email=sort))
        options[kind].append((pk, label))
    return options


def offer_place_choices(form) -> None:
    """The compound and border-region pickers' options, from `place_options()`'s one query."""
    options = place_options()
    offer_options(form.fields["border_region"], options["region"])
    offer_options(form.fields["compound"], options["compound"])


def offer_member_choices(form, organization) -> None:
    """The caseworker picker's options as (pk, label) rows, labelled as MemberChoiceField labels a member, without
    building a User per member."""
    members = organization_members(organization).values_list("pk", "display_name", "email")
    offer_options(form.fields["assigned_to"], [(pk, name or email) for pk, name, email in members])


class VictimFilter(django_filters.FilterSet):
    """Filters for the victim list. Needs `request` (for the organisation, the session and the time)."""

    case_number = django_filters.CharFilter(
        label=_("Case number"), method="filter_case_number", widget=forms.TextInput(attrs={"inputmode": "text"})
    )
    q = django_filters.CharFilter(label=_("Name search"), method="filter_name_token", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Victim.Status.choices, widget=FastSelect, empty_label=_("Any")
    )
    open_cases = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=[("open", _("Open cases")), ("closed", _("Closed cases"))],
        method="filter_open_cases",
        widget=FastSelect,
        empty_label=_("Any"),
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk"), choices=Victim.RiskLevel.choices, widget=FastSelect, empty_label=_("Any")
    )
    citizenship = django_filters.ChoiceFilter(
        label=_("Nationality"), choices=CITIZENSHIP_CHOICES, widget=FastSelect, empty_label=_("Any")
    )
    compound = django_filters.ModelChoiceFilter(
        label=_("Compound"), queryset=Compound.objects.order_by("name"), widget=FastSelect, empty_label=_("Any")
    )
    border_region = django_filters.ModelChoiceFilter(
        label=_("Border region"),
        queryset=BorderRegion.objects.order_by("name"),
        widget=FastSelect,
        empty_label=_("Any"),
    )
    assigned_to = django_filters.ModelChoiceFilter(
        label=_("Assigned caseworker"),
        queryset=None,
        method="filter_assigned_to",
        widget=FastSelect,
        empty_label=_("Anyone"),
    )
    unassigned = django_filters.BooleanFilter(
        label=_("Unassigned only"), method="filter_unassigned", widget=forms.CheckboxInput
    )
    has_open_request = django_filters.ChoiceFilter(
        label=_("Has an open rescue request"),
        choices=YES_NO,
        method="filter_has_open_request",
        widget=FastSelect,
        empty_label=_("Any"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Follow-up overdue"), method="filter_overdue", widget=forms.CheckboxInput
    )
    no_contact_days = django_filters.NumberFilter(
        label=_("No contact for more than (days)"),
        method="filter_no_contact_days",
        min_value=1,
        max_value=3650,
        help_text=_("Includes people never contacted."),
    )
    sort = TranslatedOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("case_number", "case_number"),
            ("status", "status"),
            ("risk_rank", "risk"),
            ("last_contact_at", "last_contact"),
            ("updated_at", "updated"),
            ("created_at", "created"),
        ),
        field_labels={
            "case_number": _("Case number"),
            "status": _("Status"),
            "risk_rank": _("Risk"),
            "last_contact_at": _("Last contact"),
            "updated_at": _("Updated"),
            "created_at": pgettext_lazy("the date a case was reported", "Reported"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Victim
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.now = timezone.now()
        members = self.filters["assigned_to"]
        members.queryset = organization_members(request.organization)
        members.field_class = MemberChoiceField

    # A name search that is no longer in the session (another browser, a bookmark from last month) matches nothing
    # rather than everything, and the page says so.
    def filter_name_token(self, queryset, name, value):
        term = search_term_for(self.request.session, value)
        self.search_term = term
        if term is None:
            return queryset.none()
        term = term.strip()
        # Full name and the names used in the compound, through the index: any order, script or tone marks.
        by_name = name_index.search_q(self.request.organization.pk, term)
        by_number = Q(case_number__iexact=term)
        return queryset.filter(by_number | by_name if by_name is not None else by_number)

    def filter_case_number(self, queryset, name, value):
        """Accept a full case number, "2025-42" or just "42": the sequence is zero-padded as case numbers are."""
        value = value.strip().upper()
        if (sequence := plain_number(value)) is not None:
            return queryset.filter(case_number__endswith=f"-{sequence:05d}")
        short = re.match(r"^([0-9]{4})-([0-9]{1,18})$", value)
        if short:
            return queryset.filter(case_number__endswith=f"-{short[1]}-{int(short[2]):05d}")
        if re.match(r"^[A-Z0-9]{1,10}-\d{4}-\d{5,}$", value):
            return queryset.filter(case_number=value)  # a whole case number: the unique index finds it at once
        return queryset.filter(case_number__icontains=value)

    def filter_open_cases(self, queryset, name, value):
        if value == "open":
            return queryset.exclude(status__in=Victim.CLOSED_STATUSES)
        return queryset.filter(status__in=Victim.CLOSED_STATUSES)

    def filter_assigned_to(self, queryset, name, value):
        return queryset.filter(assigned_to=value)

    def filter_unassigned(self, queryset, name, value):
        # An unticked box means "don't filter", not "assigned only".
        return queryset.filter(assigned_to__isnull=True) if value else queryset

    def filter_has_open_request(self, queryset, name, value):
        has = Exists(open_requests_for_victim())
        return queryset.filter(has) if value == "yes" else queryset.filter(~has)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(open_requests_for_victim().filter(overdue_condition(self.now))))

    def filter_no_contact_days(self, queryset, name, value):
        cutoff = self.now - timedelta(days=int(value))
        return queryset.filter(Q(last_contact_at__lt=cutoff) | Q(last_contact_at__isnull=True))
