"""Exact-match lookup of passports and phone numbers, which are encrypted, through their blind index.

The digests are kept on the victim row (`Victim.passport_index`, `Victim.phone_index`, see crypto.py); a
lookup digests the typed values the same way and compares digests in SQL, within one organisation only.
"""

from django.db.models import Q, QuerySet

from accounts.models import Organization
from core import crypto

from .models import Victim


def victims_with_same_identifiers(
    *, organization: Organization, passport_number: str = "", phone_numbers: str = "", exclude_pk: int | None = None
) -> QuerySet[Victim]:
    """Victims of `organization` with the same passport, or a phone number that is the same line, in one query.

    Passports match whatever the spacing, separators and case; phone numbers whatever the formatting and
    whether or not the country code is written. Another organisation's victims are never returned.
    """
    passport = crypto.passport_index(organization_id=organization.pk, passport_number=passport_number)
    phone_digests = crypto.phone_lookup_digests(organization_id=organization.pk, phone_numbers=phone_numbers)
    if not passport and not phone_digests:
        return Victim.objects.none()
    condition = Q(passport_index=passport) if passport else Q()
    for digest in phone_digests:
        # Digests are fixed-length hex separated by spaces, so "contains" can only match a whole digest.
        condition |= Q(phone_index__contains=digest)
    victims = Victim.objects.visible_to(organization).filter(condition)
    if exclude_pk is not None:
        victims = victims.exclude(pk=exclude_pk)
    return victims
