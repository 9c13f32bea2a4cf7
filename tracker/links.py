"""Absolute links for emails. Built from settings.SITE_URL and ids only: a URL never carries personal data."""

from django.conf import settings


def site_link(path: str = "/") -> str:
    """An absolute link to a page of this site, e.g. site_link("/cases/42/")."""
    return f"{settings.SITE_URL}{path if path.startswith('/') else '/' + path}"


def case_link(victim_id: int) -> str:
    """The case page of a victim (`cases:victim_detail`, /cases/<pk>/)."""
    return site_link(f"/cases/{int(victim_id)}/")
