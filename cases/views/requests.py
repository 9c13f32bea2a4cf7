"""The rescue-request and referral lists: filtered, sortable, paginated, in a fixed number of queries."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.decorators import organization_required
from audit import trail as audit
from core.fields import secret_field_names

from ..models import Victim
from ..request_filters import ReferralFilter, RescueRequestFilter, referrals_for, rescue_requests_for
from .choice_labels import label_choices
from .paging import EstimatingPaginator

PAGE_SIZE = 50


def _shown_columns(queryset):
    """The list shows the person's name and no other secret column: never decrypt (or hold) the others here."""
    hidden = [f"victim__{name}" for name in secret_field_names(Victim) if name != "full_name"]
    return queryset.defer(*hidden, *secret_field_names(queryset.model))


def _sort_columns(filterset, columns: list[tuple[str, str]]) -> list[dict]:
    """Column headers with the sort key each one toggles, and which way the list is sorted now."""
    current = (filterset.form.cleaned_data.get("o") or [""])[0] if filterset.form.is_valid() else ""
    headers = []
    for key, label in columns:
        ascending_now = current == key
        descending_now = current == f"-{key}"
        headers.append(
            {
                "key": key,
                "label": label,
                "toggle": f"-{key}" if ascending_now else key,
                "sorted": "ascending" if ascending_now else "descending" if descending_now else "",
            }
        )
    return headers


def _list_page(request, *, filterset, template: str, columns: list[tuple[str, str]], view: str, labels: dict):
    # Exact up to a thousand rows, then the planner's estimate: no count of every request on each view.
    paginator = EstimatingPaginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    label_choices(rows, **labels)
    # Each row names the person: a recorded read of their case.
    audit.record_reads(request, [row.victim for row in rows], view=view, organization_id=request.organization.pk)
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "columns": _sort_columns(filterset, columns),
            "now": filterset.now,
        },
    )


@require_GET
@organization_required
def request_list(request):
    """All of the organisation's rescue requests: by default the open ones, next follow-up first."""
    now = timezone.now()
    filterset = RescueRequestFilter(
        request.GET or None,
        queryset=_shown_columns(rescue_requests_for(user=request.user, organization=request.organization)),
        user=request.user,
        organization=request.organization,
        now=now,
    )
    columns = [
        ("case", _("Case")),
        ("priority", _("Priority")),
        ("status", _("Status")),
        ("due", _("Follow-up due")),
        ("updated", _("Last update")),
        ("opened", _("Opened")),
    ]
    return _list_page(
        request,
        filterset=filterset,
        template="cases/requests_list.html",
        columns=columns,
        view="request_list",
        labels={"priority_label": "priority", "status_label": "status"},
    )


@require_GET
@organization_required
def referral_list(request):
    """The organisation's referrals to agencies: by default those not finished, response due first."""
    now = timezone.now()
    filterset = ReferralFilter(
        request.GET or None,
        queryset=_shown_columns(referrals_for(user=request.user, organization=request.organization)),
        user=request.user,
        organization=request.organization,
        now=now,
    )
    columns = [
        ("case", _("Case")),
        ("agency", _("Agency")),
        ("status", _("Status")),
        ("sent", _("Sent")),
        ("due", _("Response due")),
    ]
    return _list_page(
        request,
        filterset=filterset,
        template="cases/referrals_list.html",
        columns=columns,
        view="referral_list",
        labels={"status_label": "status"},
    )
