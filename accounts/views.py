"""Sign-in, sign-out, password change and reset (Django's views, our templates), and the organisation picker."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.client_ip import client_ip

from . import password_reset
from .forms import OrganizationChoiceForm, SignInForm
from .middleware import SESSION_KEY
from .password_reset import OutboxPasswordResetForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # A fresh sign-in always starts without a chosen organisation; the middleware picks the only one,
        # and a member of several is sent to the picker by the first page that needs one.
        self.request.session.pop(SESSION_KEY, None)
        return response


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled per address and per IP address; the link goes out through the outbox (accounts/password_reset.py)."""

    form_class = OutboxPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        now = timezone.now()
        email, address = form.cleaned_data["email"], client_ip(self.request)
        if password_reset.is_paused(email=email, ip_address=address, now=now):
            return render(
                self.request,
                "registration/password_reset_paused.html",
                {"cooloff_minutes": password_reset.cooloff_minutes()},
                status=429,
            )
        password_reset.record_attempt(email=email, ip_address=address, now=now)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("tracker:my_work")


@login_required
def choose_organization(request):
    """Pick the organisation to work in. Members of one organisation never need this page."""
    memberships = request.memberships
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        form = OrganizationChoiceForm(request.POST, memberships=memberships)
        if form.is_valid():
            request.session[SESSION_KEY] = form.cleaned_data["organization"]
            chosen = next(m for m in memberships if m.organization_id == form.cleaned_data["organization"])
            messages.success(request, _("You are working in %(org)s.") % {"org": chosen.organization.name})
            return redirect(next_url)
    else:
        if len(memberships) == 1 and request.organization is not None and "switch" not in request.GET:
            return redirect(next_url)
        initial = {"organization": request.organization.pk} if request.organization else {}
        form = OrganizationChoiceForm(initial=initial, memberships=memberships)
    return render(
        request,
        "registration/choose_organization.html",
        {"form": form, "next": next_url, "memberships": memberships},
    )
