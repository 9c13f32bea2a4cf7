"""The access matrix, generated from the URL conf.

Every named URL outside the admin (which has its own section below) and static files is requested by five
visitors — anonymous, organisation A's caseworker, supervisor and org admin, and organisation B's supervisor
(the widest view another organisation has) — with a GET (read) and an empty POST (write). Per-row URLs are filled
with organisation A's rows, so organisation B must get 404 (never 403: the page must not reveal that the row
exists). The expected statuses live in `MATRIX`, one entry per URL name; a URL without an entry fails.

Column order in `MATRIX`: anonymous, caseworker, supervisor, org admin, other organisation.
Anonymous 302s must go to the sign-in page; other 302s are checked against `REDIRECTS` where it matters.
"""

import csv
import io
import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim
from tests.homecoming.builders import homecoming_rows
from tests.security.conftest import session_client, world_copy

VISITORS = ("anonymous", "caseworker", "supervisor", "org_admin", "other_org")

# URL name -> (GET statuses, POST statuses), each in VISITORS order.
# Signed-in users who are already verified are sent on from the two-factor code page (302); with one organisation
# the organisation picker sends them on too. A POST to the victim list or a case page re-renders it (200, nothing
# changes; see attack-findings). An empty assignee is "unassign", so a supervisor's empty assign POST succeeds (302).
# 302 for a signed-in user on a write means "done, redirected" (e.g. sign-out) or a redirect to the login/two-factor
# page; 200 on an empty POST means "the form came back with errors" (nothing saved: see test_idor and fuzzing/).
MATRIX: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    # --- The icons browsers ask for at the site root: redirects to the static files, for everyone ------------
    "favicon": ((302, 302, 302, 302, 302), (405, 405, 405, 405, 405)),
    "touch_icon": ((302, 302, 302, 302, 302), (405, 405, 405, 405, 405)),
    # --- The health check, for load balancers: no sign-in; 503 here because beat never ran in the test world ----
    "healthz": ((503, 503, 503, 503, 503), (405, 405, 405, 405, 405)),
    # --- Sign-in, two-factor, passwords, organisation picker -------------------------------------------------
    "accounts:login": ((200, 302, 302, 302, 302), (200, 302, 302, 302, 302)),
    "accounts:logout": ((405, 405, 405, 405, 405), (302, 302, 302, 302, 302)),
    "accounts:two_factor_verify": ((302, 302, 302, 302, 302), (302, 302, 302, 302, 302)),
    "accounts:two_factor_setup": ((302, 200, 200, 200, 200), (302, 200, 200, 200, 200)),
    "accounts:two_factor_recovery_codes": ((302, 302, 200, 200, 200), (302, 302, 200, 200, 200)),
    "accounts:choose_organization": ((302, 302, 302, 302, 302), (302, 200, 200, 200, 200)),
    "accounts:password_change": ((302, 200, 200, 200, 200), (302, 200, 200, 200, 200)),
    "accounts:password_change_done": ((302, 200, 200, 200, 200), (302, 405, 405, 405, 405)),
    "accounts:profile": ((302, 200, 200, 200, 200), (302, 302, 302, 302, 302)),
    "accounts:set_language": ((405, 405, 405, 405, 405), (302, 302, 302, 302, 302)),
    "accounts:password_reset": ((200, 200, 200, 200, 200), (200, 200, 200, 200, 200)),
    "accounts:password_reset_done": ((200, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "accounts:password_reset_confirm": ((200, 200, 200, 200, 200), (200, 200, 200, 200, 200)),
    "accounts:password_reset_complete": ((200, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    # The audit trail: org admins only, their own organisation's entries (B's supervisor is not an org admin).
    "audit:audit": ((302, 403, 403, 200, 403), (405, 405, 405, 405, 405)),
    # --- My work and the team ---------------------------------------------------------------------------------
    "tracker:my_work": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "tracker:team": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    # --- Lists (each organisation sees its own rows) ------------------------------------------------------------
    "cases:victim_list": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:victim_search": ((302, 405, 405, 405, 405), (302, 302, 302, 302, 302)),
    "cases:intake": ((302, 200, 200, 200, 200), (302, 200, 200, 200, 200)),
    "cases:requests": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:request_list": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:referrals": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:referral_list": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    # Compounds and border regions are shared reference data (counts are per organisation).
    "cases:compounds": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:compound_list": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:compound_detail": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:regions": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:region_list": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:region_detail": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    # --- Exports: supervisors and org admins; statistics: org admins; the other org gets its own rows only -----
    "cases:exports": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:export_victims": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:export_requests": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:export_referrals": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    "cases:export_statistics": ((302, 403, 403, 200, 403), (405, 405, 405, 405, 405)),
    # --- One case of organisation A: its organisation works on it, organisation B gets 404 --------------------
    "cases:victim_detail": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "cases:victim_edit": ((302, 200, 200, 200, 404), (302, 200, 200, 200, 404)),
    "cases:victim_log_contact": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:victim_add_note": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:victim_status": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:victim_assign": ((302, 405, 405, 405, 405), (302, 403, 302, 302, 404)),
    "cases:request_open": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:request_close": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:referral_new": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:referral_response": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    # Evidence: added by anyone working on the case (an empty POST is a form error), downloaded by those who may
    # read the case, deleted by supervisors and org admins (an empty POST lacks the Delete button's confirmation).
    "cases:evidence_upload": ((302, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "cases:evidence_download": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "cases:evidence_thumbnail": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "cases:evidence_delete": ((302, 403, 405, 405, 405), (302, 403, 400, 400, 404)),
    # --- The partner API: an API key or nothing (401), a signed-in session is not a key (tests/api has the
    # key matrix: another organisation's ids 404, a read key cannot write). Schema and docs are public. ----------
    "api:schema": ((200, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "api:docs": ((200, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "api:case-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:case-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:report-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:request-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:request-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:request-contact": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:request-close": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:referral-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:referral-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:referral-respond": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:list-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:list-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:list-status": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:list-matches": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:batch-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:batch-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:screening-queue-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:screening-list": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    "api:screening-detail": ((401, 401, 401, 401, 401), (401, 401, 401, 401, 401)),
    # An agency's response link with a token that is not one (tests/api/test_agency_links.py has the real ones).
    "api:agency_response": ((400, 400, 400, 400, 400), (400, 400, 400, 400, 400)),
    # --- Homecoming: screening, batches, manifests (supervisors), the stage chart (team view) ------------------
    "homecoming:screening_queue": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "homecoming:case_return": ((302, 200, 200, 200, 404), (302, 200, 200, 200, 404)),
    "homecoming:follow_up_done": ((405, 405, 405, 405, 405), (302, 302, 302, 302, 404)),
    "homecoming:batch_list": ((302, 200, 200, 200, 200), (302, 403, 200, 200, 200)),
    "homecoming:batch_detail": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "homecoming:batch_add_member": ((405, 405, 405, 405, 405), (302, 200, 200, 200, 404)),
    "homecoming:manifest_page": ((302, 403, 200, 200, 404), (405, 405, 405, 405, 405)),
    "homecoming:manifest_pdf": ((302, 403, 200, 200, 404), (302, 403, 302, 302, 404)),
    "homecoming:manifest_pdf_download": ((302, 403, 404, 404, 404), (405, 405, 405, 405, 405)),  # none made yet
    "homecoming:manifest_csv": ((302, 403, 200, 200, 404), (405, 405, 405, 405, 405)),
    "homecoming:member_detail": ((302, 200, 200, 200, 404), (302, 200, 200, 200, 404)),
    "homecoming:overview": ((302, 403, 200, 200, 200), (405, 405, 405, 405, 405)),
    # --- Published lists (lists/): supervisors and org admins import and bulk-confirm; caseworkers review --------
    "lists:list_index": ((302, 200, 200, 200, 200), (405, 405, 405, 405, 405)),
    "lists:upload": ((302, 403, 200, 200, 200), (302, 403, 200, 200, 200)),
    "lists:case_upload": ((302, 403, 200, 200, 200), (302, 403, 200, 200, 200)),
    "lists:list_detail": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "lists:list_status": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "lists:review": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
    "lists:bulk_confirm": ((302, 403, 200, 200, 404), (302, 403, 200, 200, 404)),
    "lists:match_decide": ((405, 405, 405, 405, 405), (302, 302, 302, 302, 404)),
    "lists:entry_create_case": ((302, 200, 200, 200, 404), (405, 405, 405, 405, 405)),
}


def _walk(patterns, namespace: str | None = None, prefix: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or entry.namespace == "admin":
                continue  # the admin has its own section below
            child = entry.namespace
            ns = f"{namespace}:{child}" if namespace and child else (child or namespace)
            yield from _walk(entry.url_patterns, ns, route)
        elif isinstance(entry, URLPattern):
            static = settings.STATIC_URL.lstrip("/")
            if static and route.startswith(static):
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"<unnamed URL {route}>", route


def all_url_names() -> list[str]:
    """Every named URL the app serves, outside the admin and static files."""
    return sorted({name for name, _route in _walk(get_resolver().url_patterns)})


def url_kwargs(name: str, world) -> dict:
    """The URL's arguments, filled from organisation A's fixture rows by URL name and argument name."""
    route = dict(_walk(get_resolver().url_patterns))[name]
    by_name = {
        "cases:compound_detail": {"pk": world.compound.pk},
        "cases:region_detail": {"pk": world.region.pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "api:agency_response": {"token": "not-a-signed-token"},
    }
    by_kwarg = {"pk": world.victim_a.pk, "request_pk": world.request_a.pk, "referral_pk": world.referral_a.pk}
    if name.startswith("lists:"):
        by_kwarg |= _list_rows(world)
    wanted = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
    if "evidence_pk" in wanted:
        by_kwarg["evidence_pk"] = _evidence_row(world)
    if wanted & {"batch_pk", "member_pk", "followup_pk"}:
        by_kwarg.update(homecoming_rows(world))
    values = by_name.get(name, {})
    return {kwarg: values.get(kwarg, by_kwarg.get(kwarg)) for kwarg in wanted}


def _list_rows(world) -> dict:
    """A private list of organisation A with one entry suggested for A's case (made once per world)."""
    if not hasattr(world, "_list_rows"):
        from lists.models import ListEntry, Match, ReleasedList

        released = ReleasedList.objects.create(
            organization=world.a.organization, source="Synthetic embassy", file_name="l.csv", sha256="0" * 64
        )
        entry = ListEntry.objects.create(released_list=released, line=2, name="Synthetic Listed Person")
        match = Match.objects.create(
            organization=world.a.organization, entry=entry, victim=world.victim_a, score=0.9, reasons="[]"
        )
        world._list_rows = {"list_pk": released.pk, "entry_pk": entry.pk, "match_pk": match.pk}
    return world._list_rows


def _evidence_row(world) -> int:
    """A photo on organisation A's case (made once per world)."""
    if not hasattr(world, "_evidence_pk"):
        from cases.services import evidence_add
        from tests.security.test_evidence import synthetic_jpeg, upload_of

        added = evidence_add(
            victim=world.victim_a, added_by=world.a.caseworker, files=[upload_of(synthetic_jpeg(), "photo.jpg")]
        )
        world._evidence_pk = added[0].pk
    return world._evidence_pk


@pytest.fixture
def world(module_world, db):
    """The security world, built once for this module (tests/security/conftest.py: `module_world`)."""
    return world_copy(module_world)


# URLs that redirect everyone to a public static file (the icons browsers request at the site root).
PUBLIC_FILES = {"favicon", "touch_icon"}


def observe(name: str, world, signed_in_sessions) -> tuple[tuple[int, ...], tuple[int, ...], list[str]]:
    """(GET statuses, POST statuses, problems) for one URL, every visitor."""
    url = reverse(name, kwargs=url_kwargs(name, world))
    login = reverse("accounts:login")
    problems = []
    results = []
    for method in ("get", "post"):
        statuses = []
        for who in VISITORS:
            response = getattr(session_client(who, signed_in_sessions), method)(url, {} if method == "post" else None)
            statuses.append(response.status_code)
            where = response.get("Location", "")
            public = name in PUBLIC_FILES and where.startswith(settings.STATIC_URL)
            if who == "anonymous" and response.status_code == 302 and not where.startswith(login) and not public:
                problems.append(f"{method.upper()} {name}: anonymous redirected to {response['Location']}, not sign-in")
        results.append(tuple(statuses))
    return results[0], results[1], problems


def test_every_url_in_the_url_conf_has_an_entry_in_the_access_matrix():
    missing = [name for name in all_url_names() if name not in MATRIX]
    assert not missing, "".join(f"new view {name} has no entry in the access matrix\n" for name in missing)
    stale = sorted(set(MATRIX) - set(all_url_names()))
    assert not stale, f"access matrix entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", all_url_names())
def test_each_visitor_gets_the_expected_status_for_read_and_write(name, world, signed_in_sessions):
    assert name in MATRIX, f"new view {name} has no entry in the access matrix"
    got_get, got_post, problems = observe(name, world, signed_in_sessions)
    want_get, want_post = MATRIX[name]
    wrong = [
        f"{method} as {who}: got {got}, expected {want}"
        for method, got_row, want_row in (("GET", got_get, want_get), ("POST", got_post, want_post))
        for who, got, want in zip(VISITORS, got_row, want_row, strict=True)
        if got != want
    ]
    assert not wrong + problems, f"{name}: " + "; ".join(wrong + problems) + f" (observed {got_get}, {got_post})"


def test_nothing_of_organisation_a_changed_after_every_visitor_wrote_to_every_url(world, signed_in_sessions):
    before = {
        "victim": Victim.objects.filter(pk=world.victim_a.pk).values().get(),
        "request": RescueRequest.objects.filter(pk=world.request_a.pk).values().get(),
        "referral": AgencyReferral.objects.filter(pk=world.referral_a.pk).values().get(),
        "notes": CaseNote.objects.filter(victim=world.victim_a).count(),
    }
    for name in all_url_names():
        if name in ("accounts:logout",):
            continue
        url = reverse(name, kwargs=url_kwargs(name, world))
        for who in ("anonymous", "other_org"):
            session_client(who, signed_in_sessions).post(url, {})
    after = {
        "victim": Victim.objects.filter(pk=world.victim_a.pk).values().get(),
        "request": RescueRequest.objects.filter(pk=world.request_a.pk).values().get(),
        "referral": AgencyReferral.objects.filter(pk=world.referral_a.pk).values().get(),
        "notes": CaseNote.objects.filter(victim=world.victim_a).count(),
    }
    assert after == before


# --- Exports: the other organisation's files never hold organisation A's rows --------------------------------


@pytest.mark.parametrize(
    ("name", "column_value"),
    [
        ("cases:export_victims", "case_number"),
        ("cases:export_requests", "case_number"),
        ("cases:export_referrals", "case_number"),
    ],
)
def test_an_export_downloaded_by_the_other_organisation_holds_only_its_own_rows(
    name, column_value, world, signed_in_sessions
):
    client = session_client("other_org", signed_in_sessions)
    response = client.get(reverse(name), {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert world.victim_a.case_number not in text
    assert world.victim_b.case_number in text or name == "cases:export_referrals"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "the export has at least a header"


def test_a_caseworker_cannot_download_any_export(world, signed_in_sessions):
    client = session_client("caseworker", signed_in_sessions)
    for name in ("cases:export_victims", "cases:export_requests", "cases:export_referrals", "cases:export_statistics"):
        response = client.get(reverse(name), {"format": "csv"})
        assert response.status_code == 403, name
        assert world.victim_a.case_number.encode() not in response.content


# --- The admin: change pages of organisation A's rows ------------------------------------------------------


def _admin_rows(world) -> dict[str, object]:
    return {
        "cases_victim": world.victim_a,
        "cases_rescuerequest": world.request_a,
        "cases_agencyreferral": world.referral_a,
        "cases_casenote": world.note_a,
    }


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.mark.parametrize("model", ["cases_victim", "cases_rescuerequest", "cases_agencyreferral", "cases_casenote"])
def test_admin_change_pages_of_organisation_a_by_role(model, world, signed_in_sessions, client_for):
    row = _admin_rows(world)[model]
    change = reverse(f"admin:{model}_change", args=[row.pk])
    changelist = reverse(f"admin:{model}_changelist")
    admin_login = reverse("admin:login")

    # Anonymous, a caseworker and a supervisor (not staff) are sent to the admin's sign-in page.
    for who in ("anonymous", "caseworker", "supervisor"):
        response = session_client(who, signed_in_sessions).get(change)
        assert response.status_code == 302, who
        assert response["Location"].startswith(admin_login), who
        response = session_client(who, signed_in_sessions).post(change, {})
        assert response.status_code == 302 and response["Location"].startswith(admin_login), who

    # Even with the staff flag, a caseworker is not an org admin: no case-file admin at all.
    _staff(world.a.caseworker)
    response = client_for(world.a.caseworker, world.a.organization).get(change)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(admin_login)

    # Organisation A's admin works on the row.
    _staff(world.a.org_admin)
    response = client_for(world.a.org_admin, world.a.organization).get(change)
    assert response.status_code == 200

    # Organisation B's admin: the row does not exist for them (redirect to the admin index), and is not listed.
    _staff(world.b.org_admin)
    other = client_for(world.b.org_admin, world.b.organization)
    other.raise_request_exception = False
    response = other.get(change)
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert world.victim_a.case_number.encode() not in response.content
    response = other.post(change, {"organization": world.b.organization.pk})
    assert response.status_code in (302, 403, 404)
    listing = other.get(changelist)
    assert listing.status_code == 200
    assert world.victim_a.case_number.encode() not in listing.content
    delete = other.post(reverse(f"admin:{model}_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code in (302, 403, 404)
    assert type(row).objects.filter(pk=row.pk).exists()
