"""Two-factor sign-in with django-otp: who needs it, setting up an authenticator app, the code step, recovery codes.

Who must use a second factor (`two_factor_required`): platform admins (superusers), staff (the admin site),
supervisors and organisation admins, everyone in an organisation that requires it for everyone, and anyone who
set up an authenticator anyway. After the password, `accounts.security_middleware.TwoFactorMiddleware` keeps such
a user on these pages until a code from their authenticator app (TOTP, RFC 6238) or a recovery code is accepted.

- TOTP codes are single-use: django-otp's TOTPDevice remembers the last accepted time step (`last_t`).
- Wrong codes slow down: each failure doubles the wait before the device accepts another try (OTP_*_THROTTLE_FACTOR).
- Recovery codes: `TWO_FACTOR_RECOVERY_CODES` (10) single-use codes (django-otp's static device), shown once when
  set up or renewed; each is deleted when used.
- Setting up a new authenticator needs a verified session when the user already has one, so a stolen password
  alone cannot replace the victim's second factor.
"""

import base64
import io

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership
from .permissions import requires_two_factor
from .sessions import HAS_DEVICE_KEY

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- Policy ---------------------------------------------------------------------------------------


def two_factor_required(user, memberships=None, *, has_device: bool | None = None) -> bool:
    """True when `user` must pass a second factor before using Homeward.

    `memberships` may be the user's active memberships with their organisations already loaded (the request's),
    and `has_device` whether the user has a confirmed device (as recorded in the session at sign-in), to save queries.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if memberships is None:
        memberships = Membership.objects.filter(user=user).active().select_related("organization")
    for membership in memberships:
        if membership.is_active and (
            requires_two_factor(membership) or membership.organization.require_two_factor_for_everyone
        ):
            return True
    return user_has_device(user) if has_device is None else has_device


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


# --- Forms ----------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_otp_token(self) -> str:
        token = "".join(self.cleaned_data["otp_token"].split()).replace("-", "").lower()
        if not token.isalnum():
            raise forms.ValidationError(_("Type the code with letters and digits only."))
        return token


class SetupForm(CodeForm):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=12,
        help_text=gettext_lazy("The 6-digit code your authenticator app shows for Homeward."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


# --- Helpers --------------------------------------------------------------------------------------


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _devices_for_token(user, token: str):
    """Digits go to the authenticator app's devices, letters to the recovery codes: a mistyped recovery code
    never counts as a wrong authenticator code, and the other way round."""
    model = TOTPDevice if token.isdigit() else StaticDevice
    return model.objects.devices_for_user(user, confirmed=True)


def _match_device(user, token: str):
    """The confirmed device of `user` that accepts `token` (consuming it), or None. Locks the rows meanwhile."""
    with transaction.atomic():
        for device in _devices_for_token(user, token).select_for_update():
            if device.verify_token(token):
                return device
    return None


def _throttled(user, token: str) -> bool:
    return any(not device.verify_is_allowed()[0] for device in _devices_for_token(user, token))


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session key whenever the session gains privileges


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with `TWO_FACTOR_RECOVERY_CODES` fresh ones, returned once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset_two_factor(*, user) -> None:
    """Remove all of the user's devices: they set up a new authenticator at their next sign-in (lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _qr_code_data_uri(text: str) -> str | None:
    """An SVG QR code as a data: URI (drawn here by segno, never fetched)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=5, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Views ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step after the password: a code from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if is_verified(user):
        return HttpResponseRedirect(next_url)  # a URL, never a view name to reverse
    if not user_has_device(user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(user, form.cleaned_data["otp_token"]):
            form.add_error(None, _("Too many wrong codes. Wait a minute, then try the newest code from your app."))
        else:
            device = _match_device(user, form.cleaned_data["otp_token"])
            if device is not None:
                _mark_verified(request, device)
                if isinstance(device, StaticDevice):
                    left = remaining_recovery_codes(user)
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; %(left)s are left. If your phone is lost, "
                            "set up your authenticator again and make new recovery codes."
                        )
                        % {"left": left},
                    )
                return HttpResponseRedirect(next_url)  # a URL, never a view name to reverse
            form.add_error(
                None,
                _("That code did not work. Codes change every 30 seconds and each can be used once; try the newest."),
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app: show the secret (and a QR code), confirm with a code, show recovery codes."""
    user = request.user
    next_url = _next_url(request)
    if user_has_device(user) and not is_verified(user):
        # Only someone who passed the second factor may replace it.
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not device.verify_is_allowed()[0]:
        form.add_error("otp_token", _("Too many wrong codes. Wait a few seconds, then type the newest code."))
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(user)
            _mark_verified(request, device)
            request.session[HAS_DEVICE_KEY] = True
            return render(
                request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": next_url, "new": True}
            )
        form.add_error(
            "otp_token", _("That code did not match. Check the time on your phone and type the newest code.")
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "next": next_url,
        "secret": _grouped(secret),
        "config_url": device.config_url,
        "qr_code": _qr_code_data_uri(device.config_url),
        "replacing": user_has_device(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; POST makes a new set (shown once; the old ones stop working)."""
    user = request.user
    if not is_verified(user):
        return redirect(_with_next("accounts:two_factor_verify", request.path))
    if request.method == "POST":
        codes = new_recovery_codes(user)
        return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
    return render(
        request,
        "accounts/two_factor_overview.html",
        {"remaining": remaining_recovery_codes(user), "required": two_factor_required(user, request.memberships)},
    )
