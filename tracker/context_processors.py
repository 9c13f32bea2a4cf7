"""Navigation counts (overdue, due today, awaiting an agency) for the signed-in member, computed lazily.

Lives in `tracker` because the counts come from the follow-up engine; `accounts` must not import `tracker`.
They may come from the shared cache (tracker/navigation.py).
"""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .navigation import navigation_counts as counts_for


def navigation_counts(request) -> dict:
    organization = getattr(request, "organization", None)
    if organization is None:
        return {"nav_counts": None}

    def counts() -> dict[str, int]:
        # A page that already computed the user's work (My work) leaves it on the request: no second query.
        cached = getattr(request, "nav_counts", None)
        if cached is None:
            cached = counts_for(user=request.user, organization=organization, now=timezone.now())
            request.nav_counts = cached
        return cached

    return {"nav_counts": SimpleLazyObject(counts)}
