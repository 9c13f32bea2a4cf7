"""Access rules for pages: signed in, working in an organisation, and allowed by the permission table."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import request_can


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


def permission_required(action: str):
    """Like `organization_required`, and the permission table lets the user do `action` there (else 403)."""

    def decorator(view_func):
        @wraps(view_func)
        @organization_required
        def wrapper(request, *args, **kwargs):
            if not request_can(request, action):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator
