"""Per-request organisation context: which organisation the signed-in user is working in, and its time zone.

Also marks every response to a signed-in user `Cache-Control: no-store`, so pages holding personal data are
never kept by a browser cache or a proxy (a laptop inspected at a checkpoint must not have them on disk).
"""

from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import LazyObject, empty

from .models import Membership
from .permissions import Action, roles_allowed

SESSION_KEY = "organization_id"


def resolve_user(request):
    """`request.user` as the user object itself, no longer behind lazy proxies, which it then becomes.

    AuthenticationMiddleware and django-otp's OTPMiddleware each wrap it in a `SimpleLazyObject` (the second around
    the first), so every attribute read on every page went through two proxies and every ORM filter on the user
    (`assigned_to=request.user`) copied the proxies. Loading it here costs nothing extra: every request reads it
    right after (its language, its session limits). The object is the one the proxies held, with django-otp's
    `otp_device` and `is_verified` already set on it.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, LazyObject):
        return user
    concrete = user
    while isinstance(concrete, LazyObject):
        if concrete._wrapped is empty:
            concrete._setup()
        concrete = concrete._wrapped
    request.user = concrete
    return concrete


def active_memberships(user) -> list[Membership]:
    """The user's active memberships with their organisations, in one query."""
    return list(
        Membership.objects.filter(user=user, is_active=True, organization__isnull=False)
        .select_related("organization")
        .order_by("organization__name")
    )


class CurrentOrganizationMiddleware:
    """Set `request.organization` and `request.membership` (None when anonymous or not chosen yet).

    The organisation id in the session is re-checked against the user's active memberships on every request,
    so a membership that is deactivated takes effect at once. A user with exactly one organisation gets it
    chosen automatically. The organisation's time zone is activated, so dates render in local time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        request.memberships = []
        user = resolve_user(request)
        if user is not None and user.is_authenticated:
            memberships = active_memberships(user) if user.is_active else []
            request.memberships = memberships
            # Prime the user's cached organisation ids so `visible_to(user)` needs no extra query.
            user._organization_ids = [m.organization_id for m in memberships]
            if user.is_staff:  # and the admin's (accounts/admin/access.py admin_organization_ids), from the same rows
                administer = roles_allowed(Action.ADMINISTER)
                user._admin_organization_ids = sorted(m.organization_id for m in memberships if m.role in administer)
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.organization_id == chosen), None)
            if membership is None and len(memberships) == 1:
                membership = memberships[0]
                request.session[SESSION_KEY] = membership.organization_id
            elif membership is None and chosen is not None:
                request.session.pop(SESSION_KEY, None)
            if membership is not None:
                request.membership = membership
                request.organization = membership.organization
                timezone.activate(membership.organization.tzinfo)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class UserLanguageMiddleware:
    """A signed-in user's own language (User.language) wins over the language cookie and Accept-Language.

    Runs after Django's LocaleMiddleware (which picked the cookie's or the browser's language) and after
    authentication; LocaleMiddleware's response step then reports the language actually used (Content-Language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = resolve_user(request)  # first after authentication and OTPMiddleware: no proxies from here on
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
