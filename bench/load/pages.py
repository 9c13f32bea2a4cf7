"""A caseworker's clicks as plain HTTP, shared by the Locust file and the runner's one-at-a-time CPU pass.

The server runs with production settings behind an imagined TLS proxy: every request says X-Forwarded-Proto:
https, so Django treats it as secure (no redirect; `__Host-` cookies with the Secure flag are set), and POSTs carry
Origin and Referer as a browser's would. URLs and form fields are those of templates/ and cases/urls.py.
"""

import random
import re
from collections.abc import Callable
from urllib.parse import urlsplit

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
OPEN_REQUEST = re.compile(r'<select name="rescue_request"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')
FIRST_NAMES = ["Synthetic", "Sample", "Example", "Placeholder", "Testcase", "Dummy", "Mock", "Fixture"]
LAST_NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"]
FILTERS = [
    {"status": "in_contact"},
    {"open_cases": "open", "risk_level": "high"},
    {"overdue": "on"},
    {"has_open_request": "yes", "citizenship": "VN"},
    {"no_contact_days": "30"},
    {"status": "lost_contact", "risk_level": "critical"},
]
SORTS = ["name", "-last_contact", "risk", "case_number", "-status"]

# send(method, url, name, expect, data=None, headers=None) -> response; raises PageError on another status.
Send = Callable[..., object]


class PageError(Exception):
    pass


def prepare(session, host: str) -> None:
    """Set up a requests (or Locust) session as a browser behind the TLS proxy.

    The cookies are Secure, which a cookie jar keeps from a plain-HTTP URL; the browser would send them to the
    proxy, so every request carries every cookie of the jar (there is one server).
    """
    plain_prepare = session.prepare_request

    def prepare_request(request):
        prepared = plain_prepare(request)
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
        if cookies:
            prepared.headers["Cookie"] = cookies
        return prepared

    session.prepare_request = prepare_request
    session.headers["X-Forwarded-Proto"] = "https"
    session.headers["Origin"] = "https://" + urlsplit(host).netloc


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    if not match:
        raise PageError("no CSRF token in the page")
    return match[1]


class Caseworker:
    """One caseworker's session: sign in once, then any of the clicks below."""

    def __init__(self, send: Send, host: str, email: str, password: str, rng: random.Random | None = None):
        self.send, self.host, self.email, self.password = send, host, email, password
        self.rng = rng or random.Random()
        self.case_ids: list[int] = []
        self.list_token = ""

    def _post(self, path: str, name: str, data: dict, referer: str):
        headers = {"Referer": "https://" + urlsplit(self.host).netloc + referer}
        return self.send("POST", path, name, 302, data=data, headers=headers)

    def sign_in(self) -> None:
        page = self.send("GET", "/accounts/sign-in/", "sign-in page", 200)
        data = {"csrfmiddlewaretoken": csrf_token(page.text), "username": self.email, "password": self.password}
        done = self._post("/accounts/sign-in/", "sign in (POST)", data, "/accounts/sign-in/")
        if "two-factor" in done.headers.get("Location", ""):
            raise PageError(f"{self.email} is asked for a second factor; use caseworkers that need none")
        self.case_list()

    def _remember(self, html: str) -> None:
        ids = [int(pk) for pk in CASE_LINK.findall(html)]
        if ids:
            self.case_ids = ids
        self.list_token = csrf_token(html)

    def my_work(self):
        return self.send("GET", "/", "My work", 200)

    def case_list(self):
        response = self.send("GET", "/cases/", "case list", 200)
        self._remember(response.text)
        return response

    def filtered_list(self):
        params = "&".join(f"{k}={v}" for k, v in self.rng.choice(FILTERS).items())
        response = self.send("GET", f"/cases/?{params}", "case list, filtered", 200)
        self._remember(response.text)
        return response

    def sorted_list(self):
        page = "&page=2" if self.rng.random() < 0.3 else ""
        response = self.send("GET", f"/cases/?sort={self.rng.choice(SORTS)}{page}", "case list, sorted", 200)
        self._remember(response.text)
        return response

    def name_search(self):
        """Type part of a name into the search box (POST, the name stays out of the URL), then see the results."""
        n = self.rng.randrange(20_000)
        term = self.rng.choice([f"{FIRST_NAMES[n % 8]} {LAST_NAMES[(n // 8) % 10]} {n}", f"{LAST_NAMES[n % 10]} {n}"])
        data = {"csrfmiddlewaretoken": self.list_token, "search": term, "filters": ""}
        done = self._post("/cases/search/", "name search (POST)", data, "/cases/")
        results = self.send("GET", done.headers["Location"], "name search results", 200)
        self._remember(results.text)
        return results

    def case_page(self, pk: int | None = None):
        pk = pk or self.rng.choice(self.case_ids)
        return self.send("GET", f"/cases/{pk}/", "case page", 200)

    def log_contact(self):
        """Open a case, log contact on its open request (or as a note when it has none), land back on the case."""
        pk = self.rng.choice(self.case_ids)
        html = self.case_page(pk).text
        match = OPEN_REQUEST.search(html)
        options = OPTION_VALUE.findall(match[1]) if match else []
        data = {
            "csrfmiddlewaretoken": csrf_token(html),
            "kind": "contact_family",
            "note": "Synthetic load-test contact: called the family, no news.",
        }
        if options:
            data["rescue_request"] = options[0]
        self._post(f"/cases/{pk}/contact/", "log contact (POST)", data, f"/cases/{pk}/")
        return self.case_page(pk)

    def add_note(self):
        pk = self.rng.choice(self.case_ids)
        html = self.case_page(pk).text
        data = {"csrfmiddlewaretoken": csrf_token(html), "kind": "internal", "body": "Synthetic load-test note."}
        self._post(f"/cases/{pk}/note/", "add note (POST)", data, f"/cases/{pk}/")
        return self.case_page(pk)


# A caseworker's mix: (weight, click). My work and case pages most; writes least.
MIX = [
    (4, Caseworker.my_work),
    (3, Caseworker.case_list),
    (2, Caseworker.filtered_list),
    (1, Caseworker.sorted_list),
    (1, Caseworker.name_search),
    (5, Caseworker.case_page),
    (1, Caseworker.log_contact),
    (1, Caseworker.add_note),
]
