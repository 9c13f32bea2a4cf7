"""Invariants hold in the database, and model validation explains them in the user's terms."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import AgencyReferral, RescueRequest, Victim
from places.models import BorderRegion, Compound, Crossing
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_referral,
    make_request,
    make_victim,
)

pytestmark = pytest.mark.django_db


def refused_by_database(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


def test_a_date_of_birth_in_the_future_is_refused_with_a_message(org_a):
    tomorrow = timezone.localdate(timezone=org_a.organization.tzinfo) + timedelta(days=1)  # where the NGO works
    with pytest.raises(ValidationError) as error:
        make_victim(organization=org_a.organization, date_of_birth=tomorrow)
    assert error.value.message_dict["date_of_birth"] == ["The date of birth cannot be in the future."]
    assert not Victim.objects.exists()


def test_a_release_before_recruitment_is_refused(org_a):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        make_victim(
            organization=org_a.organization,
            recruited_on=today - timedelta(days=10),
            released_on=today - timedelta(days=20),
        )
    assert "Release cannot be before recruitment." in error.value.message_dict["released_on"]


def test_a_compound_in_another_region_is_refused(org_a):
    compound = CompoundFactory()
    with pytest.raises(ValidationError) as error:
        make_victim(organization=org_a.organization, compound=compound, border_region=BorderRegionFactory())
    assert "border_region" in error.value.message_dict


def test_latitude_200_is_refused_by_validation_and_by_the_database():
    region = BorderRegion(
        slug="x", name="X", country_a="MM", country_b="TH", latitude=Decimal("200"), longitude=Decimal("98")
    )
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "latitude" in error.value.message_dict
    compound = CompoundFactory()
    refused_by_database(Compound.objects.filter(pk=compound.pk), latitude=200, longitude=98)
    refused_by_database(Compound.objects.filter(pk=compound.pk), latitude=16, longitude=None)
    crossing = Crossing.objects.create(region=compound.region, name="Bridge")
    refused_by_database(Crossing.objects.filter(pk=crossing.pk), latitude=10, longitude=-181)


def test_status_values_outside_the_lists_are_refused_by_the_database(org_a):
    victim = make_victim(organization=org_a.organization)
    refused_by_database(Victim.objects.filter(pk=victim.pk), status="escaped")
    refused_by_database(Victim.objects.filter(pk=victim.pk), risk_level="extreme")
    request = make_request(victim=victim)
    refused_by_database(RescueRequest.objects.filter(pk=request.pk), status="lost")
    refused_by_database(RescueRequest.objects.filter(pk=request.pk), priority="whenever")


def test_a_closed_request_must_have_a_closed_time_and_an_open_one_a_follow_up(org_a):
    request = make_request(victim=make_victim(organization=org_a.organization))
    refused_by_database(RescueRequest.objects.filter(pk=request.pk), status="rescued")
    refused_by_database(RescueRequest.objects.filter(pk=request.pk), next_follow_up_at=None)
    refused_by_database(RescueRequest.objects.filter(pk=request.pk), closed_at=timezone.now())


def test_a_referral_sharing_identity_without_consent_or_reason_is_refused_by_the_database(org_a):
    referral = make_referral(victim=make_victim(organization=org_a.organization), agency=AgencyFactory())
    refused_by_database(AgencyReferral.objects.filter(pk=referral.pk), shares_identity=True)
    refused_by_database(
        AgencyReferral.objects.filter(pk=referral.pk), shares_identity=True, consent_basis="vital_interest"
    )
    AgencyReferral.objects.filter(pk=referral.pk).update(
        shares_identity=True, consent_basis="vital_interest", override_reason="Life at risk"
    )


def test_a_declined_referral_without_a_reason_is_refused_by_the_database(org_a):
    referral = make_referral(victim=make_victim(organization=org_a.organization), agency=AgencyFactory())
    now = timezone.now()
    refused_by_database(AgencyReferral.objects.filter(pk=referral.pk), status="declined", sent_at=now, closed_at=now)


def test_a_ransom_amount_needs_the_flag_and_a_currency(org_a):
    with pytest.raises(ValidationError) as error:
        make_victim(organization=org_a.organization, ransom_amount=Decimal("5000"))
    assert set(error.value.message_dict) == {"ransom_amount", "ransom_currency"}
    victim = make_victim(
        organization=org_a.organization, ransom_demanded=True, ransom_amount=Decimal("5000"), ransom_currency="USD"
    )
    assert victim.ransom_amount == Decimal("5000")


def test_victims_never_show_their_name_as_text(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Hidden Name")
    assert "Hidden" not in str(victim)
    assert "Hidden" not in str(make_request(victim=victim))
