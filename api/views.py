"""The partner API's cases, reports, rescue requests and referrals. Every row comes from
`visible_to(key.as_viewer())`; every write from a service. Lists: list_views.py; batches and screening:
homecoming_views.py; what they share: view_base.py.

Another organisation's id is a 404 (its rows are not in the queryset), never a 403.
"""

from datetime import UTC

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import Action
from audit import trail as audit
from cases import services
from cases.duplicates import find_possible_duplicates
from cases.models import AgencyReferral, RescueRequest, Victim

from . import serializers as s
from .view_base import KeyViewMixin, call_service, plain_arguments


class CaseFilter(filters.FilterSet):
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", method="filter_updated_since")

    def filter_updated_since(self, queryset, name, value):
        # Any ISO offset parses, but the database takes only real ones (±14 h); in UTC every moment is one it takes.
        return queryset.filter(updated_at__gte=value.astimezone(UTC))

    case_number = filters.CharFilter(field_name="case_number")

    class Meta:
        model = Victim
        fields = ("status", "risk_level", "compound", "border_region", "case_number", "updated_since")


class CaseViewSet(KeyViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases of the key's organisation: list (filter), read, log a new one, edit details."""

    queryset = Victim.objects.none()
    serializer_class = s.CaseSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CaseFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_actions = {"create": Action.CREATE, "partial_update": Action.EDIT}

    def get_queryset(self):
        return Victim.objects.visible_to(self.viewer).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return s.CaseCreateSerializer if self.action == "create" else s.CaseSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data["results"]]
        audit.record_reads(
            request, Victim.objects.filter(pk__in=ids).only("pk", "organization_id", "case_number"), view="api_cases"
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        victim = self.get_object()
        audit.record_reads(request, [victim], view="api_case")
        return Response(self.get_serializer(victim).data)

    def perform_create(self, serializer):
        serializer.instance = call_service(
            services.victim_create,
            organization=self.request.auth.organization,
            created_by=None,
            assigned_to=None,
            **plain_arguments(serializer.validated_data),
        )

    def perform_update(self, serializer):
        changes = plain_arguments(serializer.validated_data)
        if "version" not in changes:
            raise exceptions.ValidationError({"version": ["Send the version you read."]})
        expected = changes.pop("version")
        serializer.instance = call_service(
            services.victim_update, victim=serializer.instance, editor=None, expected_version=expected, **changes
        )


class ReportViewSet(KeyViewMixin, viewsets.GenericViewSet):
    """A hotline's report: a new case in triage (reported, nobody assigned) with its reporter, and its duplicates."""

    serializer_class = s.ReportSerializer
    write_action = Action.CREATE

    @extend_schema(request=s.ReportSerializer, responses={201: s.ReportResultSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = plain_arguments(serializer.validated_data["person"])
        reporter = dict(serializer.validated_data["reporter"])
        organization = request.auth.organization
        now = timezone.now()
        duplicates = find_possible_duplicates(
            organization=organization,
            today=timezone.localdate(now, organization.tzinfo),
            full_name=person.get("full_name", ""),
            names_in_compound=person.get("names_in_compound", ""),
            citizenship=person.get("citizenship", ""),
            date_of_birth=person.get("date_of_birth"),
            estimated_age=person.get("estimated_age"),
            passport_number=person.get("passport_number", ""),
            phone_numbers=person.get("phone_numbers", ""),
        )
        victim = call_service(
            services.victim_create,
            organization=organization,
            created_by=None,
            now=now,
            assigned_to=None,
            reporter=reporter,
            **person,
        )
        reference = serializer.validated_data.get("hotline_reference", "").strip()
        if reference:
            services.case_note_add(
                victim=victim, author=None, body=f"Reported through the API; hotline reference {reference}."
            )
        audit.record_reads(request, [m.victim for m in duplicates.matches], view="api_report_duplicates")
        result = {
            "case": victim,
            "possible_duplicates": [
                {"case_id": m.victim.pk, "case_number": m.victim.case_number, "reasons": m.reasons}
                for m in duplicates.matches
            ],
        }
        return Response(s.ReportResultSerializer(result, context=self.get_serializer_context()).data, status=201)


class RescueRequestViewSet(KeyViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rescue requests: list, read, open one on a case, log contact, close."""

    queryset = RescueRequest.objects.none()
    serializer_class = s.RescueRequestSerializer

    def get_queryset(self):
        return RescueRequest.objects.visible_to(self.viewer).order_by("-opened_at", "-pk")

    def perform_create(self, serializer):
        serializer.instance = call_service(
            services.rescue_request_open,
            victim=serializer.validated_data["victim"],
            opened_by=None,
            priority=serializer.validated_data.get("priority", RescueRequest.Priority.NORMAL),
        )

    @extend_schema(request=s.LogContactSerializer, responses={200: s.RescueRequestSerializer})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        rescue = self.get_object()
        data = s.LogContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(services.rescue_request_log_update, request=rescue, author=None, **data.validated_data)
        rescue.refresh_from_db()
        return Response(self.get_serializer(rescue).data)

    @extend_schema(request=s.CloseRequestSerializer, responses={200: s.RescueRequestSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rescue = self.get_object()
        data = s.CloseRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(services.rescue_request_close, request=rescue, closed_by=None, **data.validated_data)
        rescue.refresh_from_db()
        return Response(self.get_serializer(rescue).data)


class ReferralViewSet(KeyViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals: list, read, refer a case to an agency (sent at once unless `send` is false), record a response."""

    queryset = AgencyReferral.objects.none()
    serializer_class = s.ReferralSerializer
    write_action = Action.REFER

    def get_queryset(self):
        return AgencyReferral.objects.visible_to(self.viewer).order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        send = data.pop("send", True)
        referral = call_service(services.referral_create, created_by=None, **data)
        if send:
            referral = call_service(services.referral_send, referral=referral, sent_by=None)
        serializer.instance = referral

    @extend_schema(request=s.ReferralResponseSerializer, responses={200: s.ReferralSerializer})
    @action(detail=True, methods=["post"], url_path="response")
    def respond(self, request, pk=None):
        referral = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.ReferralResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = call_service(
            services.referral_record_response, referral=referral, recorded_by=None, via="api", **data.validated_data
        )
        return Response(self.get_serializer(referral).data)
