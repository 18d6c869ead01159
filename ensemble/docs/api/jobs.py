"""The Docs REST API: imports and exports, done in the background, followed by the person who
asked for them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.core.api import acting_user, refusing
from ensemble.core.files import file_response
from ensemble.docs import conversions, views
from ensemble.docs.models import ConversionJob, JobState


class JobSerializer(serializers.ModelSerializer[ConversionJob]):
    class Meta:
        model = ConversionJob
        fields = [
            "id",
            "kind",
            "format",
            "state",
            "progress",
            "document",
            "name",
            "error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    parent = serializers.UUIDField(required=False, allow_null=True)  # type: ignore[assignment]


class ExportSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=["pdf", "docx", "odt", "md", "html"])


class JobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ConversionJob]
):
    """Your imports and exports: POST a file to import it into a new document, follow the
    job's progress, download an export once done."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    rate_limits = {"create": "docs.convert"}
    queryset = ConversionJob.objects.none()

    def get_queryset(self) -> QuerySet[ConversionJob]:
        mine = ConversionJob.objects.filter(requested_by=acting_user(self.request))
        return mine.order_by("-created_at")[:50] if self.action == "list" else mine

    @extend_schema(
        request={"multipart/form-data": ImportSerializer}, responses={202: JobSerializer}
    )
    def create(self, request: Request) -> Response:
        body = ImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        parent = None
        if body.validated_data.get("parent"):
            parent = views.find(user, body.validated_data["parent"])
            if parent is None:
                raise ValidationError({"parent": _("No such document, or you may not read it.")})
        job = refusing(lambda: conversions.ask_import(user, body.validated_data["file"], parent))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse()})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        """The exported file (404 until the export is done)."""
        job = self.get_object()
        if job.kind != "export" or job.state != JobState.DONE or not job.file:
            raise Http404(_("This export is not ready."))
        if views.find(acting_user(request), job.document_id) is None:  # access lost since
            raise Http404(_("No such document, or you may not read it."))
        return file_response(
            job.file.open("rb"), job.name, conversions.CONTENT_TYPES[job.format], job.file.size
        )


class ExportViews:
    @extend_schema(request=ExportSerializer, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def exports(self, request: Request, pk: str | None = None) -> Response:
        """Export the document to a file (in the background: follow the job)."""
        document = self.get_object()  # type: ignore[attr-defined]
        body = ExportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user, fmt = acting_user(request), body.validated_data["format"]
        job = refusing(lambda: conversions.ask_export(user, document, fmt))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
