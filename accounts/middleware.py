"""Per-request organisation context: which organisation the signed-in user is working in, and its time zone.

Also marks every response to a signed-in user `Cache-Control: no-store`, so pages holding personal data are
never kept by a browser cache or a proxy (a laptop inspected at a checkpoint must not have them on disk).
"""

from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .models import Membership
from .permissions import Action, roles_allowed

SESSION_KEY = "organization_id"


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
        user = getattr(request, "user", None)
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
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
