"""Attack suite: no 5xx from any admin URL or page URL, whoever asks and whatever the query string holds.

Generated from the admin's registry and the URL conf: every changelist, change, add, history and delete page of every
registered model, and the autocomplete view with the `field_name` of every field and relation of every model (forward
and reverse), each with hostile parameters, as every role; then every page URL with the same parameters.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tracker.schedules import install_schedules

from .conftest import session_client, world_copy
from .test_access_matrix import VISITORS, all_url_names, url_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world, db):
    """The security world, built once for this module (tests/security/conftest.py: `module_world`)."""
    return world_copy(module_world)


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
HOSTILE = ["", "'", '"; --', "%", "²", "9" * 40, "-1", "<b>x</b>", "\u202e", "x" * 3000]
SHORT_HOSTILE = ["'", "²", "\u202e", "x" * 3000]
ADMIN_ROLES = ("anonymous", "caseworker", "org_admin_a", "org_admin_b", "platform_admin")


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _client(role: str, world, client_for, platform_admin) -> Client:
    user = {
        "anonymous": None,
        "caseworker": world.a.caseworker,
        "org_admin_a": world.a.org_admin,
        "org_admin_b": world.b.org_admin,
        "platform_admin": platform_admin,
    }[role]
    if user is not None and role != "caseworker":
        _staff(user)
    client = Client() if user is None else client_for(user)
    client.raise_request_exception = False
    return client


def _row_ids(model, world) -> list[str]:
    own = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return [str(own) if own is not None else "1", "abc"]


def _changelist_queries(model) -> list[dict]:
    fields = [f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)]
    queries = [{"q": value} for value in SHORT_HOSTILE]
    queries += [{"o": "99"}, {"o": "-1.x"}, {"p": "-3"}, {"p": "9999"}, {"e": "1"}, {"_to_field": "password"}]
    queries += [{"all": ""}, {"_popup": "1", "_to_field": "id"}]
    for name in fields[:6]:
        queries += [{f"{name}__exact": "²"}, {f"{name}__isnull": "maybe"}]
    return queries


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_admin_page_of_any_model_answers_a_server_error(model, world, client_for, platform_admin):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    failures = []
    for role in ADMIN_ROLES:
        client = _client(role, world, client_for, platform_admin)
        queries = _changelist_queries(model) if role.startswith(("org_admin", "platform")) else [{"q": "'"}]
        urls = [(reverse(f"{base}_changelist"), query) for query in queries]
        urls.append((reverse(f"{base}_add"), {"_changelist_filters": "q=%", "_popup": "1"}))
        for row in _row_ids(model, world):
            for page in ("change", "history", "delete"):
                urls.append((reverse(f"{base}_{page}", args=[row]), {"_changelist_filters": "o=99"}))
        for url, query in urls:
            status = client.get(url, query).status_code
            if status >= 500:
                failures.append((role, url, query, status))
    assert failures == []


def _autocomplete_queries() -> list[dict]:
    queries = []
    for model in apps.get_models():
        opts = model._meta
        for field in opts.get_fields(include_hidden=True):
            name = getattr(field, "name", None) or getattr(field, "related_name", "")
            queries.append({"app_label": opts.app_label, "model_name": opts.model_name, "field_name": name})
    queries += [
        {"app_label": "nope", "model_name": "user", "field_name": "x"},
        {"app_label": "accounts", "model_name": "nope", "field_name": "x"},
        {"app_label": "accounts", "model_name": "organization"},
        {},
    ]
    return queries


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_the_admin_autocomplete_never_answers_a_server_error_for_any_field_of_any_model(
    role, world, client_for, platform_admin
):
    client = _client(role, world, client_for, platform_admin)
    url = reverse("admin:autocomplete")
    failures = []
    for index, query in enumerate(_autocomplete_queries()):
        query = {**query, "term": HOSTILE[index % len(HOSTILE)], "page": "²" if index % 3 else "2"}
        response = client.get(url, query)
        if response.status_code >= 500:
            failures.append((query, response.status_code))
    assert failures == []


def test_the_reported_autocomplete_crash_is_a_refusal(world, client_for, platform_admin):
    client = _client("platform_admin", world, client_for, platform_admin)
    query = {"app_label": "accounts", "model_name": "organization", "field_name": "memberships"}
    assert client.get(reverse("admin:autocomplete"), query).status_code == 403
    forward = {"app_label": "accounts", "model_name": "membership", "field_name": "user", "term": "alpha"}
    answer = client.get(reverse("admin:autocomplete"), forward)
    assert answer.status_code == 200 and answer.json()["results"]


PAGES = [name for name in all_url_names() if not name.startswith("<unnamed")]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_answers_a_server_error_for_hostile_query_parameters(name, world, signed_in_sessions):
    if name == "healthz":  # its 503 is deliberate while beat has never ticked: give it a tick, so any 5xx is a fault
        install_schedules()
        PeriodicTask.objects.update(last_run_at=timezone.now())
    url = reverse(name, kwargs=url_kwargs(name, world))
    failures = []
    for who in VISITORS:
        client = session_client(who, signed_in_sessions)
        for value in SHORT_HOSTILE:
            query = {"q": value, "page": value, "status": value, "sort": value, "next": value, "organization": value}
            for method in ("get", "post") if value == "²" else ("get",):
                status = getattr(client, method)(url, query).status_code
                if status >= 500:
                    failures.append((who, method, value[:20], status))
    assert failures == []
