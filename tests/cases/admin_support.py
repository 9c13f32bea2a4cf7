"""Shared by the case-file admin tests: sign-in as each kind of admin, two organisations' case files."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cases import services
from cases.models import (
    AgencyReferral,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)
from places.models import Agency, BorderRegion, Compound, Crossing
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
    sign_in_verified,
)


class _FormReader(HTMLParser):
    """Reads the values a browser would submit from an admin page's model form (`<form id="..._form">`)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("id") or "").endswith("_form") and attrs.get("id") != "logout-form":
            self._in_form = True
        if not self._in_form or not attrs.get("name") and tag != "option":
            if tag != "option" or self._select is None:
                return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
            self._select_multiple = "multiple" in attrs
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            if "selected" in attrs:
                self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._text = []

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if not self.data[self._select] and not self._select_multiple:
                self.data[self._select] = [""]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text).lstrip("\n"))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_data(response) -> dict:
    """What the browser would post back from an admin add/change page, unchanged."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    data = {}
    for name, values in reader.data.items():
        data[name] = values if len(values) != 1 else values[0]
    data.pop("csrfmiddlewaretoken", None)
    data["_save"] = "Save"
    return data


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def staff_org_admin(org_a):
    user = org_a.org_admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def org_admin_client(client, staff_org_admin):
    return sign_in_verified(client, staff_org_admin)


@pytest.fixture
def superuser_client(client, platform_admin):
    return sign_in_verified(client, platform_admin)


@pytest.fixture(params=["superuser", "org_admin"])
def any_admin_client(request, client, platform_admin, staff_org_admin):
    sign_in_verified(client, platform_admin if request.param == "superuser" else staff_org_admin)
    return client


def _case_file(org, *, name: str, agency, region):
    compound = CompoundFactory(region=region)
    victim = make_victim(
        organization=org.organization,
        created_by=org.caseworker,
        full_name=name,
        compound=compound,
        reporter={"name": f"Reporter of {name}", "relationship": "parent"},
    )
    request = make_request(victim=victim, opened_by=org.caseworker, priority="high")
    referral = make_referral(victim=victim, agency=agency, created_by=org.caseworker, rescue_request=request)
    note = make_note(victim=victim, author=org.caseworker, body="Synthetic note about the call")
    change = services.victim_change_status(victim=victim, to_status="verified", changed_by=org.caseworker)
    return {
        Victim: victim,
        RescueRequest: request,
        AgencyReferral: referral,
        CaseNote: note,
        Reporter: victim.reporters.get(),
        VictimStatusChange: change,
        CaseNumberSequence: CaseNumberSequence.objects.get(organization=org.organization),
    }


@pytest.fixture
def case_files(org_a, org_b):
    region = BorderRegionFactory()
    Crossing.objects.create(region=region, name="Synthetic crossing", is_open=True)
    shared = AgencyFactory(name="Synthetic shared police")
    private_b = AgencyFactory(name="Bravo private shelter", organization=org_b.organization)
    return {
        "a": _case_file(org_a, name="Alpha Synthetic Person", agency=shared, region=region),
        "b": _case_file(org_b, name="Bravo Synthetic Person", agency=private_b, region=region),
        "region": region,
        "shared_agency": shared,
        "private_b": private_b,
    }


CASE_MODELS = [Victim, RescueRequest, AgencyReferral, CaseNote, Reporter, VictimStatusChange]
REFERENCE_MODELS = [BorderRegion, Crossing, Compound, Agency]
