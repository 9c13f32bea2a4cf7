"""The partner API's batches and screening: read-only, the homecoming pages' own queries."""

from django import forms as django_forms
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from audit import trail as audit
from homecoming import selectors as homecoming_selectors
from homecoming.models import RepatriationBatch, Screening

from . import serializers as s
from .view_base import KeyViewMixin


class BatchViewSet(KeyViewMixin, viewsets.ReadOnlyModelViewSet):
    """Repatriation batches; a batch's detail lists its members with their steps and blockers (the batch page)."""

    queryset = RepatriationBatch.objects.none()
    serializer_class = s.BatchSerializer

    def get_queryset(self):
        return RepatriationBatch.objects.visible_to(self.viewer).select_related("agency").order_by("-departs_on", "-pk")

    @extend_schema(responses={200: s.BatchDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        batch = self.get_object()
        batch.rows = homecoming_selectors.batch_rows(batch=batch, now=timezone.now())
        audit.record_reads(request, [row.member.victim for row in batch.rows], view="api_batch")
        return Response(s.BatchDetailSerializer(batch).data)


class ScreeningQueueViewSet(KeyViewMixin, viewsets.GenericViewSet):
    """The screening queue: people released or rescued with no screening yet, and anyone missing in transit."""

    serializer_class = s.ScreeningQueueSerializer

    @extend_schema(responses={200: s.ScreeningQueueSerializer(many=True)})
    def list(self, request):
        rows = homecoming_selectors.screening_queue(organization=request.auth.organization, now=timezone.now())
        page = self.paginate_queryset(rows)
        audit.record_reads(request, [row.victim for row in page], view="api_screening_queue")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class IdFilter(filters.NumberFilter):
    """A row id: a whole number the database can hold (a float or a 30-digit number is a 400, not a 500)."""

    field_class = django_forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class ScreeningFilter(filters.FilterSet):
    case = IdFilter(field_name="victim_id")

    class Meta:
        model = Screening
        fields = ("case", "outcome")


class ScreeningViewSet(KeyViewMixin, viewsets.ReadOnlyModelViewSet):
    """Screenings (victim-identification interviews); notes only for keys that may see identity."""

    queryset = Screening.objects.none()
    serializer_class = s.ScreeningSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ScreeningFilter

    def get_queryset(self):
        return Screening.objects.visible_to(self.viewer).order_by("-screened_at", "-pk")
