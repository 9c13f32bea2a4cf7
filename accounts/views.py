"""Sign-in, sign-out, password change and reset (Django's views, our templates), and the organisation picker."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import OrganizationChoiceForm, ProfileForm, SignInForm
from .middleware import SESSION_KEY


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_language(response, form.get_user().language)
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
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


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


def remember_language(response, language: str) -> None:
    """Keep the language in the cookie too, so the sign-in page after signing out stays in it."""
    if language and translation.check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )


@require_POST
def set_language(request):
    """The switcher on every page: remember the language in the cookie and, when signed in, on the user."""
    language = request.POST.get("language", "")
    fallback = reverse("tracker:my_work" if request.user.is_authenticated else "accounts:login")
    next_url = request.POST.get("next") or request.headers.get("referer")  # the page the switcher was on
    if not (next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())):
        next_url = fallback
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES) and translation.check_for_language(language):
        remember_language(response, language)
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


@login_required
def profile(request):
    """The user's own settings: language of pages and emails, and whether the weekly digest comes."""
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            user = form.save()
            response = redirect("accounts:profile")
            with translation.override(user.preferred_language):
                messages.success(request, _("Your settings are saved."))
            remember_language(response, user.language)
            return response
    else:
        form = ProfileForm(instance=request.user)
    return render(request, "registration/profile.html", {"form": form})
