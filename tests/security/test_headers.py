"""Attack suite: security headers on every kind of page, no inline script or style in any template, deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_victim, sign_in_verified

from .test_sessions import production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


@pytest.fixture
def pages(org_a, platform_admin):
    """(description, client, url, expected status, personal data on it) for each kind of page."""
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Header")
    caseworker = Client()
    caseworker.force_login(org_a.caseworker)
    return [
        ("sign-in page", Client(), reverse("accounts:login"), 200, False),
        ("my work", caseworker, reverse("tracker:my_work"), 200, True),
        ("case page", caseworker, reverse("cases:victim_detail", args=[victim.pk]), 200, True),
        ("case list", caseworker, reverse("cases:victim_list"), 200, True),
        ("admin", sign_in_verified(Client(), platform_admin), reverse("admin:cases_victim_changelist"), 200, True),
        ("not found", caseworker, "/no-such-page/", 404, False),
        ("not found, anonymous", Client(), "/no-such-page/", 404, False),
    ]


def test_every_kind_of_page_carries_the_strict_policy_and_the_other_headers(pages):
    for description, client, url, status, personal in pages:
        response = client.get(url)
        assert response.status_code == status, description
        policy = parse_csp(response.get("Content-Security-Policy", ""))
        for directive, value in REQUIRED_CSP.items():
            assert policy.get(directive) == value, (description, directive, policy)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], description
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], description
        assert response["X-Content-Type-Options"] == "nosniff", description
        assert response["Referrer-Policy"] == "same-origin", description
        assert response["X-Frame-Options"] == "DENY", description
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", description
        if personal:
            assert "no-store" in response["Cache-Control"], description


def test_https_responses_carry_hsts_in_production():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, check=True
    )
    hsts_seconds, subdomains, redirect = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert hsts_seconds >= 31536000 and subdomains and redirect


def test_the_deploy_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_admin_lives_at_the_path_given_by_the_environment():
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "ADMIN_URL": "back-office-7f3a/"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "/back-office-7f3a/"


# --- Templates: nothing the policy would block ----------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def project_templates() -> list[Path]:
    """Every template of this project: templates/ and the templates/ folder of each of our own apps."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [
        Path(app.path) / "templates"
        for app in django_apps.get_app_configs()
        if Path(app.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(app.path).parts
    ]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


def test_the_template_scan_finds_our_templates():
    names = {path.relative_to(ROOT).as_posix() for path in project_templates()}
    assert "templates/base.html" in names
    assert "templates/accounts/two_factor_verify.html" in names
    assert any(name.startswith("cases/templates/") for name in names)


def is_email_template(path: Path) -> bool:
    """Email bodies are never served as pages (no CSP applies; mail clients need inline CSS)."""
    return "emails" in path.parts


def test_no_template_has_inline_script_event_handlers_or_inline_style():
    offenders = []
    for path in project_templates():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}", "", text, flags=re.DOTALL)
        text = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.DOTALL)
        checks = [
            ("inline <script>", INLINE_SCRIPT),
            ("on*= event handler", EVENT_HANDLER),
            ("javascript: URL", JAVASCRIPT_URL),
        ]
        if not is_email_template(path):
            checks += [("style= attribute", STYLE_ATTRIBUTE), ("<style> block", STYLE_BLOCK)]
        for label, pattern in checks:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {label}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    "snippet, caught",
    [
        ("<script>alert(1)</script>", True),
        ('<script src="/static/js/intake.js" defer></script>', False),
        ('<button onclick="go()">Go</button>', True),
        ('<div style="color:red">x</div>', True),
        ("<style>p{}</style>", True),
        ('<a href="javascript:void(0)">x</a>', True),
        ('<p class="one" data-on="x">fine</p>', False),
    ],
)
def test_the_template_scan_catches_what_the_policy_would_block(snippet, caught):
    patterns = (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_BLOCK, JAVASCRIPT_URL)
    assert any(pattern.search(snippet) for pattern in patterns) is caught
