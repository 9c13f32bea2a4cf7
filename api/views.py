"""The partner API's resources. Every row comes from `visible_to(key.as_viewer())`; every write from a service.

Another organisation's id is a 404 (its rows are not in the queryset), never a 403.
"""

from datetime import UTC

from django import forms as django_forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import Action
from audit import trail as audit
from audit.trail import AuditEntry, AuditMiddleware
from cases import services
from cases.duplicates import find_possible_duplicates
from cases.models import AgencyReferral, RescueRequest, StaleRecordError, Victim
from core.names import latin_reading
from homecoming import selectors as homecoming_selectors
from homecoming.models import RepatriationBatch, Screening
from lists import chunks as list_chunks
from lists import reports as list_reports
from lists.models import Match, ReleasedList
from lists.reading import MappingError, UnreadableFile, apply_overrides, guess_mapping, read_table
from lists.services import list_import

from . import serializers as s


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone changed this record since you read it; read it again and retry."


def call_service(function, **kwargs):
    """Run a service; its ValidationError (the user's terms) becomes a 400, a stale version a 409."""
    try:
        return function(**kwargs)
    except StaleRecordError as error:
        raise Conflict() from error
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise exceptions.ValidationError(detail) from error


def _plain(data: dict) -> dict:
    """Serializer output to service arguments (multi-choice sets become lists)."""
    return {k: sorted(v) if isinstance(v, set) else v for k, v in data.items()}


class KeyViewMixin:
    """The key's viewer, and one audit entry per request: which key, what, from where, with what result."""

    write_action = Action.EDIT
    lookup_value_regex = r"[0-9]+"

    @property
    def viewer(self):
        if getattr(self, "swagger_fake_view", False):
            return None  # the schema generator: no rows
        return self.request.auth.as_viewer()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(request, "auth", None)
        if key is not None:
            AuditEntry.objects.log_create(
                key,
                force_log=True,
                action=AuditEntry.Action.ACCESS,
                changes=None,
                actor=None,
                actor_email=f"api-key:{key.prefix}",
                remote_addr=AuditMiddleware._get_remote_addr(request),
                additional_data={
                    "view": "api",
                    "method": request.method,
                    "path": request.path[:200],
                    "status": response.status_code,
                },
            )
        return response


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
            **_plain(serializer.validated_data),
        )

    def perform_update(self, serializer):
        changes = _plain(serializer.validated_data)
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
        person = _plain(serializer.validated_data["person"])
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


# --- Released lists: upload (the web import's service), status, matches -----------------------------------------


class ReleasedListViewSet(KeyViewMixin, viewsets.GenericViewSet):
    """Published lists the key's organisation sees (its own and those shared with all): upload, read, status, matches.

    Upload needs IMPORT_LISTS (supervisor and org admin keys, read-write). It runs `lists.services.list_import`, the
    web import's service: the same reading and validation, provenance (source, date, file name, SHA-256) and
    matching; the same file again is recognised and returned (200, `already_imported`), not imported twice.
    """

    serializer_class = s.ReleasedListSerializer
    parser_classes = [MultiPartParser, FormParser]
    write_actions = {"create": Action.IMPORT_LISTS}

    def get_queryset(self):
        return ReleasedList.objects.visible_to(self.viewer).order_by("-uploaded_at", "-pk")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request={"multipart/form-data": s.ListUploadSerializer},
        responses={201: s.ListUploadResultSerializer, 200: s.ListUploadResultSerializer},
    )
    def create(self, request):
        form = s.ListUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            table = read_table(upload.read(), upload.name)
            mapping = apply_overrides(table.headers, guess_mapping(table.headers), form.validated_data["map"])
        except UnreadableFile as error:
            raise exceptions.ValidationError({"file": [str(error)]}) from error
        except MappingError as error:
            raise exceptions.ValidationError({"map": [str(error)]}) from error
        try:
            result = call_service(
                list_import,
                organization=request.auth.organization,
                uploaded_by=None,  # the key: its use is in the audit trail (api-key:<prefix>)
                table=table,
                mapping=mapping,
                source=form.validated_data["source"],
                kind=form.validated_data["kind"],
                published=form.validated_data.get("published"),
                shared_with_all=False,  # only a platform admin shares, never a key
            )
        except MappingError as error:
            raise exceptions.ValidationError({"map": [str(error)]}) from error
        data = {"list": result.released_list, "already_imported": not result.created, "messages": len(result.messages)}
        return Response(s.ListUploadResultSerializer(data).data, status=201 if result.created else 200)

    @extend_schema(responses={200: s.ListStatusSerializer})
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        released_list = self.get_object()
        organization = request.auth.organization
        error_lines = released_list.entries.filter(has_errors=True).values_list("line", flat=True)[:200]
        data = {
            **list_reports.counts(released_list, organization),
            "error_lines": list(error_lines),
            "matching": list_chunks.progress(released_list, organization),
        }
        return Response(s.ListStatusSerializer(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=["suggested", "confirmed", "rejected"], required=False),
            OpenApiParameter("limit", int, required=False),
            OpenApiParameter("offset", int, required=False),
        ],
        responses={200: s.ListMatchSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=LimitOffsetPagination)
    def matches(self, request, pk=None):
        """The organisation's suggestions for this list's rows, best first (as the review page)."""
        released_list = self.get_object()
        matches = (
            Match.objects.visible_to(self.viewer)
            .filter(entry__released_list=released_list)
            .select_related("entry", "victim")
            .order_by("-score", "entry__line", "rank")
        )
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in Match.Status.values:
                raise exceptions.ValidationError({"status": ["Choose suggested, confirmed or rejected."]})
            matches = matches.filter(status=wanted)
        page = self.paginate_queryset(matches)
        for match in page:
            match.entry_shown, match.entry_zawgyi = match.entry.readable_name()
            match.entry_reading = latin_reading(match.entry_shown)
            match.victim_reading = latin_reading(match.victim.full_name)
        audit.record_reads(request, [m.victim for m in page], view="api_list_matches")
        return self.get_paginated_response(s.ListMatchSerializer(page, many=True).data)


# --- Batches and screening: read-only, the homecoming pages' own queries -------------------------------------------


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
