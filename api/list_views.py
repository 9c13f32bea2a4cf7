"""The partner API's released lists: upload (the web import's service), status, matches."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import Action
from audit import trail as audit
from core.names import latin_reading
from lists import chunks as list_chunks
from lists import reports as list_reports
from lists.models import Match, ReleasedList
from lists.reading import MappingError, UnreadableFile, apply_overrides, guess_mapping, read_table
from lists.services import list_import

from . import serializers as s
from .view_base import KeyViewMixin, call_service


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
