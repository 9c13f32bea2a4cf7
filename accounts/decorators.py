"""Access rules for pages: signed in, working in an organisation, and (for some pages) a supervisor."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def _picker_redirect(request):
    return redirect(f"{reverse('accounts:choose_organization')}?{urlencode({'next': request.get_full_path()})}")


def organization_required(view_func):
    """Signed in and an organisation chosen; otherwise to the sign-in page or the organisation picker."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "organization", None) is None:
            return _picker_redirect(request)
        return view_func(request, *args, **kwargs)

    return wrapper


def supervisor_required(view_func):
    """Like `organization_required`, and the user is a supervisor or organisation admin there (else 403)."""

    @wraps(view_func)
    @organization_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_supervisor:
            raise PermissionDenied
        return view_func(request, *args, **kwargs)

    return wrapper


def is_supervisor(request) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.is_supervisor)


class OrganizationRequiredMixin:
    """Class-based-view form of `organization_required`."""

    def dispatch(self, request, *args, **kwargs):
        return organization_required(super().dispatch)(request, *args, **kwargs)


class SupervisorRequiredMixin:
    """Class-based-view form of `supervisor_required`."""

    def dispatch(self, request, *args, **kwargs):
        return supervisor_required(super().dispatch)(request, *args, **kwargs)
