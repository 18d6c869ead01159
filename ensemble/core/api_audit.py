"""The audit log on the API: operators only (each sees its organisation's entries, a superuser
every entry); filter, and export as JSON lines."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request

from ensemble.core import audit
from ensemble.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "position",
            "time",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "ip",
            "user_agent",
            "data",
            "hash",
        ]
        read_only_fields = fields


FILTERS = [
    OpenApiParameter("action", str, description="Exact action, e.g. accounts.signed_in"),
    OpenApiParameter("actor", str, description="Actor's user id"),
    OpenApiParameter("since", str, description="ISO date or date-time (inclusive)"),
    OpenApiParameter("until", str, description="ISO date or date-time (exclusive)"),
]


@extend_schema(parameters=FILTERS)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    serializer_class = AuditEntrySerializer
    permission_classes = [IsAdminUser]
    queryset = AuditEntry.objects.none()
    lookup_field = "position"

    def get_queryset(self) -> QuerySet[AuditEntry]:
        # A superuser sees every entry; another operator, its organisation's.
        from ensemble.accounts.scopes import audit_entries_of

        entries = audit_entries_of(self.request.user, AuditEntry.objects.order_by("-position"))
        params = self.request.query_params
        if params.get("action"):
            entries = entries.filter(action=params["action"])
        if params.get("actor"):
            try:
                entries = entries.filter(actor_id=uuid.UUID(params["actor"]))
            except ValueError as error:
                raise ValidationError({"actor": _("Give a user id (a UUID).")}) from error
        for name, lookup in (("since", "time__gte"), ("until", "time__lt")):
            if params.get(name):
                try:
                    entries = entries.filter(**{lookup: audit.parse_time(params[name])})
                except ValueError as error:
                    raise ValidationError(
                        {name: _("Give an ISO date from 1900 to 9000, e.g. 2026-01-31.")}
                    ) from error
        return entries

    @extend_schema(
        responses={(200, "application/jsonl"): OpenApiResponse(description="JSON lines")}
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            audit.export_lines(self.get_queryset()), content_type="application/jsonl"
        )
        response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
        return response
