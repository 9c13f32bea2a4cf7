"""Session limits and the two-factor gate, as middleware (see config/settings/base.py MIDDLEWARE for the order).

`SessionLimitsMiddleware` (after AuthenticationMiddleware and django-otp's OTPMiddleware) signs a session out when
- it has been idle longer than `SESSION_IDLE_TIMEOUT` (default 30 minutes),
- it started longer ago than `SESSION_ABSOLUTE_LIFETIME` (default 12 hours), whatever the activity,
- it started before the user's `sessions_valid_after` (sessions ended by an admin, deactivation, removal), or
- it carries no sign-in time (a session from before these limits existed).
The request then goes on as anonymous, so a page that needs a signed-in user sends it to the sign-in page.

`TwoFactorMiddleware` (after CurrentOrganizationMiddleware, whose memberships it reuses) sends a signed-in user who
must use a second factor but has not passed it yet to the code page (or to set up an authenticator), from every
page except signing in and out, password reset, the two-factor pages themselves and static files.

`RefusedAccessLogMiddleware` writes one line to the `homeward.security` log for every 403 or 404 answered to a
signed-in user: who, in which organisation, which page and ids, from where. A user guessing other organisations'
case ids leaves a run of these lines (another organisation's case is a 404, never a 403). The line never holds the
query string or an unresolved path, either of which could carry a name typed by someone.
"""

import logging

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import user_has_device

from core.client_ip import client_ip
from core.parsing import plain_number

from .sessions import HAS_DEVICE_KEY, LAST_SEEN_KEY, LAST_SEEN_RESOLUTION_SECONDS, LOGIN_AT_KEY
from .two_factor import is_verified, two_factor_required

security_log = logging.getLogger("homeward.security")


def session_end_reason(*, session, user, now_ts: float) -> str | None:
    """Why this signed-in session must end now ("idle", "lifetime", "ended", "unknown"), or None."""
    started = session.get(LOGIN_AT_KEY)
    if not isinstance(started, int | float):
        return "unknown"
    if now_ts - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
        return "lifetime"
    last_seen = session.get(LAST_SEEN_KEY, started)
    if now_ts - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return "idle"
    valid_after = user.sessions_valid_after
    if valid_after is not None and started < valid_after.timestamp():
        return "ended"
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now_ts = timezone.now().timestamp()
            reason = session_end_reason(session=request.session, user=user, now_ts=now_ts)
            if reason is not None:
                logout(request)  # flushes the session (its key is deleted) and makes request.user anonymous
            elif now_ts - request.session.get(LAST_SEEN_KEY, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now_ts
        return self.get_response(request)


# URL names (in the accounts namespace) an unverified user may still reach.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two_factor_verify",
        "two_factor_setup",
        "set_language",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def _is_open_path(path: str) -> bool:
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    if path.startswith(static_url) or path == "/favicon.ico":
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return True  # a 404 page shows nothing personal
    return match.namespace == "accounts" and match.url_name in OPEN_URL_NAMES


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and not _is_open_path(request.path_info)
            and two_factor_required(
                user, getattr(request, "memberships", None), has_device=request.session.get(HAS_DEVICE_KEY)
            )
        ):
            url_name = "accounts:two_factor_verify" if user_has_device(user) else "accounts:two_factor_setup"
            return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class RefusedAccessLogMiddleware:
    """Log 403 and 404 answers to signed-in users (module docstring). Goes after the organisation middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.user.is_authenticated:
            match = request.resolver_match
            if match is None:
                try:
                    match = resolve(request.path_info)
                except Resolver404:
                    match = None
            ids = {
                key: number
                for key, value in (match.kwargs.items() if match else ())
                if (number := plain_number(str(value))) is not None
            }
            organization = getattr(request, "organization", None)
            security_log.warning(
                "access refused: status=%s user=%s organization=%s method=%s page=%s ids=%s ip=%s",
                response.status_code,
                request.user.pk,
                organization.pk if organization is not None else "-",
                request.method,
                match.view_name if match is not None else "(no such page)",
                ",".join(f"{key}={value}" for key, value in sorted(ids.items())) or "-",
                client_ip(request),
            )
        return response
