"""URL map: the admin (its path from the environment), sign-in and organisations, the case file, my work."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.http import require_safe
from django.views.generic.base import RedirectView

from tracker.health import healthz

static_lazy = lazy(static, str)  # the hashed name, resolved per request (right after a redeploy too)


def icon(name: str):
    """The icons browsers ask for at the site root: a redirect to the static file (GET and HEAD only)."""
    return require_safe(RedirectView.as_view(url=static_lazy(name)))


urlpatterns = [
    path("favicon.ico", require_safe(RedirectView.as_view(url=static_lazy("favicon.ico"))), name="favicon"),
    path(
        "apple-touch-icon.png",
        require_safe(RedirectView.as_view(url=static_lazy("apple-touch-icon.png"))),
        name="touch_icon",
    ),
    path("healthz", healthz, name="healthz"),  # database, broker, beat (tracker/health.py)
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/audit/", include("audit.urls")),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("api/", include("api.urls")),
    path("lists/", include("lists.urls")),
    path("home/", include("homecoming.urls")),
    path("", include("tracker.urls")),
]

# Friendly error pages (templates/403.html, 404.html, 500.html). A row of another organisation is a 404,
# never a 403: the page must not reveal that it exists.
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
