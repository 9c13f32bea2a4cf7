"""Time every list page, the case page and the admin changelists against one SQL query returning the same rows.

    .venv/bin/python bench/pages.py [--database homeward_perf] [--repeat 15]

Runs in-process with production settings against the PostgreSQL database bench/load/run.py made
(`run.py --database homeward_perf --cases 200000 --seed-only`), with its throwaway keys. For each page: the median
wall time of --repeat requests through Django's test Client (HTTPS, signed in), the number of queries, and the
median time of one SQL statement that returns the rows the page shows (the same filter, order, LIMIT and the
columns shown, with the joins), run back to back with the page, so the ratio is measured side by side.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "load"))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database", default="homeward_perf")
parser.add_argument("--repeat", type=int, default=15)
parser.add_argument("--queries", action="store_true", help="print each page's SQL (first 160 characters)")
parser.add_argument("--only", default="", help="comma-separated substrings of page names to run")
args = parser.parse_args()

import run as load_run  # noqa: E402  (bench/load/run.py: keys and environment of the load databases)

load_run.DATABASE = args.database
os.environ.update(load_run.environment("config.settings.production"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from cases import name_index  # noqa: E402
from cases.models import AgencyReferral, RescueRequest, Victim  # noqa: E402
from cases.models.requests import open_condition, overdue_condition  # noqa: E402

HOST = "127.0.0.1"


def sign_in(user: User) -> Client:
    """A signed-in client with the second factor passed (as django_otp.login records it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    if not user.is_staff and not user.memberships.exclude(role="caseworker").exists():
        return client  # caseworkers sign in without a second factor (as the load caseworkers do)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Bench authenticator", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def single_query_ms(queryset, repeat: int) -> float:
    """Median ms of the one SELECT of `queryset` (rows fetched), without the ORM building objects."""
    sql, params = queryset.query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_ms(client: Client, url: str, repeat: int) -> tuple[float, int, int]:
    client.get(url, secure=True)  # warm
    times, queries, status = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(captured), response.status_code
    if args.queries:
        for query in captured.captured_queries:
            print(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
    return statistics.median(times), queries, status


def search_url(client: Client, term: str) -> str:
    response = client.post(reverse("cases:victim_search"), {"search": term, "filters": ""}, secure=True)
    return response["Location"]


def main() -> int:
    organization = Organization.objects.get(slug="mekong")
    caseworker = User.objects.get(email="load-caseworker0@mekong.example.org")
    supervisor = User.objects.get(email="supervisor@mekong.example.org")
    platform_admin = User.objects.get(email="platform-admin@example.org")
    now = timezone.now()
    victims = Victim.objects.filter(organization=organization)
    sample = victims.filter(rescue_requests__isnull=False).order_by("pk")[victims.count() // 3]
    compact = ("id", "case_number", "full_name", "status", "risk_level", "citizenship", "created_at")
    open_requests = RescueRequest.objects.filter(open_condition(), victim_id=OuterRef("pk"))

    def case_rows(queryset):
        """The case list's rows: the columns shown, the joins, the open/overdue flags, one page."""
        return queryset.annotate(
            has_open=Exists(open_requests), overdue=Exists(open_requests.filter(overdue_condition(now)))
        ).values(*compact, "has_open", "overdue", "compound__name", "border_region__name", "assigned_to__email")[:50]

    requests = RescueRequest.objects.filter(organization=organization).open()
    mine = requests.filter(assigned_to=caseworker)
    request_rows = ("id", "priority", "next_follow_up_at", "victim__case_number", "victim__full_name")
    pages = [
        ("case list, default", caseworker, reverse("cases:victim_list"), case_rows(victims.order_by("-created_at"))),
        (
            "case list, filtered",
            caseworker,
            reverse("cases:victim_list") + "?status=in_contact&risk_level=high",
            case_rows(victims.filter(status="in_contact", risk_level="high").order_by("-created_at")),
        ),
        (
            "case list, overdue",
            caseworker,
            reverse("cases:victim_list") + "?overdue=on",
            case_rows(victims.filter(Exists(open_requests.filter(overdue_condition(now)))).order_by("-created_at")),
        ),
        (
            "case list, sorted by name",
            caseworker,
            reverse("cases:victim_list") + "?sort=name",
            case_rows(victims.order_by("full_name")),
        ),
        (
            "case list, by last contact",
            caseworker,
            reverse("cases:victim_list") + "?sort=-last_contact",
            case_rows(victims.order_by("-last_contact_at")),
        ),
        (
            "case list, case number",
            caseworker,
            reverse("cases:victim_list") + f"?case_number={sample.case_number}",
            case_rows(victims.filter(case_number=sample.case_number)),
        ),
        (
            "name search",
            caseworker,
            "search:Sample Echo 1234",
            # names are encrypted: the page and this query both find them through the name index
            case_rows(victims.filter(name_index.search_q(organization.pk, "Sample Echo 1234")).order_by("-created_at")),
        ),
        (
            "My work",
            caseworker,
            reverse("tracker:my_work"),
            mine.filter(overdue_condition(now))
            .values(*request_rows, "victim__compound__name")
            .order_by("next_follow_up_at")[:50],
        ),
        (
            "Team",
            supervisor,
            reverse("tracker:team"),
            victims.exclude(status__in=Victim.CLOSED_STATUSES)
            .filter(assigned_to__isnull=True)
            .values(*compact, "compound__name")
            .order_by("-created_at")[:50],
        ),
        (
            "requests list",
            caseworker,
            reverse("cases:request_list"),
            requests.values(*request_rows, "assigned_to__email").order_by("next_follow_up_at")[:50],
        ),
        (
            "referrals list",
            caseworker,
            reverse("cases:referral_list"),
            AgencyReferral.objects.filter(organization=organization)
            .values("id", "status", "created_at", "victim__case_number", "victim__full_name", "agency__name")
            .order_by("-created_at")[:50],
        ),
        (
            "case page",
            caseworker,
            reverse("cases:victim_detail", args=[sample.pk]),
            Victim.objects.filter(pk=sample.pk).select_related("compound", "border_region", "assigned_to"),
        ),
        (
            "admin: cases",
            platform_admin,
            reverse("admin:cases_victim_changelist") + "?status__exact=in_contact",
            Victim.objects.filter(status="in_contact")
            .values(*compact, "organization__name", "assigned_to__email")
            .order_by("-created_at")[:100],
        ),
        (
            "admin: requests",
            platform_admin,
            reverse("admin:cases_rescuerequest_changelist"),
            RescueRequest.objects.values(*request_rows, "organization__name", "assigned_to__email").order_by(
                "-opened_at"
            )[:100],
        ),
        (
            "admin: referrals",
            platform_admin,
            reverse("admin:cases_agencyreferral_changelist"),
            AgencyReferral.objects.values(
                "id", "status", "created_at", "victim__case_number", "agency__name", "organization__name"
            ).order_by("-created_at")[:100],
        ),
    ]
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    print(f"database {args.database}: {victims.count()} cases in {organization.slug}; repeat {args.repeat}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; CPUs: {}".format(*os.getloadavg(), os.cpu_count()))
    print(f"  {'page':<28} {'p50 ms':>7} {'queries':>7} {'one SQL ms':>10} {'ratio':>6} {'status':>6}")
    clients: dict[int, Client] = {}
    for name, user, url, queryset in pages:
        if only and not any(part in name for part in only):
            continue
        client = clients.get(user.pk) or clients.setdefault(user.pk, sign_in(user))
        if url.startswith("search:"):
            url = search_url(client, url.removeprefix("search:"))
        sql = single_query_ms(queryset, args.repeat)
        wall, queries, status = page_ms(client, url, args.repeat)
        sql = min(sql, single_query_ms(queryset, args.repeat))  # once before, once after: the faster
        print(f"  {name:<28} {wall:7.1f} {queries:7d} {sql:10.2f} {wall / sql:6.1f} {status:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
