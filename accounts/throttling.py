"""Login throttling (django-axes) with two limits: one per (email, IP address) and a higher one per IP address.

Axes compares a single failure count with a single limit. `AXES_LOCKOUT_PARAMETERS` is
`[["username", "ip_address"], "ip_address"]`, so `get_user_attempts` gives the failures of this email from this
address and the failures of this address for any email; this handler scales the second to the first's limit:

- `AXES_FAILURE_LIMIT` (default 5) wrong passwords for one email from one address pause that pair;
- `LOGIN_FAILURE_LIMIT_PER_IP` (default 20) wrong passwords from one address, whatever the emails, pause the address.

There is deliberately no limit per email alone: it would let anyone lock a colleague out from everywhere by
typing wrong passwords for their email. Every pause ends after `AXES_COOLOFF_TIME`; none is permanent.

A successful sign-in clears only that email's failures from that address (`AXES_RESET_ON_SUCCESS`), never the
address's failures for other emails: otherwise an attacker with an account of their own could sign in between
guesses at a colleague's password and start counting afresh.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PerAccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        per_account, *others = self.get_user_attempts(request, credentials)
        failures = _failures(per_account)
        if others:
            account_limit = get_failure_limit(request, credentials)
            address_limit = max(settings.LOGIN_FAILURE_LIMIT_PER_IP, account_limit)
            per_address = _failures(others[0])
            # On the account's scale: reaching the address limit reaches the account limit.
            failures = max(failures, math.floor(per_address * account_limit / address_limit))
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        per_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_account.delete()
        return count


def normalised_username(request, credentials: dict | None) -> str:
    """The email as counted: case and surrounding spaces ignored, so `Ann@x.org ` and `ann@x.org` share a count."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or ""
    if not username and request is not None:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(username).strip().lower()


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """The friendly 'signing in is paused' page (status 429), saying how long the pause lasts."""
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": minutes}, status=settings.AXES_HTTP_RESPONSE_CODE
    )
