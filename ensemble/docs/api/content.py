"""The Docs REST API: a document's content (JSON, HTML, Markdown) and its versions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.core.api import acting_user
from ensemble.docs import changes, content
from ensemble.docs.models import Document, DocumentVersion, VersionKind

FORMATS = ("json", "html", "markdown")


class ContentSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=FORMATS)
    content = serializers.JSONField(help_text="ProseMirror JSON (an object), or HTML/Markdown text")


class VersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["id", "name", "kind", "author", "author_name", "seq", "created_at"]
        read_only_fields = fields

    def get_author_name(self, version: DocumentVersion) -> str | None:
        return str(version.author) if version.author else None


class NameSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)


class ContentViews:
    """The document's content (as JSON, HTML or Markdown, to read and to write) and versions."""

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("as", str, enum=list(FORMATS))],
        responses=ContentSerializer,
    )
    @extend_schema(methods=["PUT"], request=ContentSerializer, responses={200: dict})
    @action(detail=True, methods=["get", "put"])
    def content(self, request: Request, pk: str | None = None) -> Response:
        """Read the content, or replace it (a Yjs change that open editors see at once)."""
        document = self.get_object()  # type: ignore[attr-defined]
        if request.method == "PUT":
            body = ContentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            pm_json = parsed(body.validated_data["format"], body.validated_data["content"])
            try:
                seq = changes.replace(document, acting_user(request), pm_json)
            except ValueError as error:
                raise ValidationError({"content": str(error)}) from error
            return Response({"seq": seq})
        fmt = request.query_params.get("as", "json")
        if fmt not in FORMATS:
            raise ValidationError({"as": _("Give json, html or markdown.")})
        pm_json, seq = changes.current(document.pk)
        return Response({"format": fmt, "content": rendered(fmt, pm_json), "seq": seq})

    @extend_schema(methods=["POST"], request=NameSerializer, responses={201: VersionSerializer})
    @extend_schema(methods=["GET"], responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """The document's versions, newest first; POST keeps the content as a named version."""
        document = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            body = NameSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            version = changes.snapshot(
                document,
                acting_user(request),
                VersionKind.NAMED,
                body.validated_data["name"].strip(),
            )
            return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)
        rows = self.visible_versions(document).select_related("author")[:200]
        return Response(VersionSerializer(rows, many=True).data)

    def visible_versions(self, document: Document) -> Any:
        """The versions the person may see: from when they were given access (its
        administrators see them all; a link's role alone sees none)."""
        since = document.history_since(acting_user(self.request))  # type: ignore[attr-defined]
        if since is None:
            return document.versions.none()
        return document.versions.filter(created_at__gte=since)

    def version_of(self, document: Document, version_id: str) -> DocumentVersion:
        version = self.visible_versions(document).filter(pk=version_id).first()
        if version is None:
            raise NotFound(_("No such version of this document."))
        return version

    @extend_schema(parameters=[OpenApiParameter("as", str, enum=list(FORMATS))], responses=dict)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<version_id>[0-9a-f-]{36})")
    def version(self, request: Request, pk: str | None = None, version_id: str = "") -> Response:
        """One version's content, and what changed from it to the current text."""
        document = self.get_object()  # type: ignore[attr-defined]
        version = self.version_of(document, version_id)
        fmt = request.query_params.get("as", "html")
        if fmt not in FORMATS:
            raise ValidationError({"as": _("Give json, html or markdown.")})
        old = changes.version_json(version)
        now, _seq = changes.current(document.pk)
        return Response(
            {
                **VersionSerializer(version).data,
                "format": fmt,
                "content": rendered(fmt, old),
                "changes": changes.compare(old, now),
            }
        )

    @extend_schema(request=None, responses={200: dict})
    @action(
        detail=True, methods=["post"], url_path=r"versions/(?P<version_id>[0-9a-f-]{36})/restore"
    )
    def restore_version(
        self, request: Request, pk: str | None = None, version_id: str = ""
    ) -> Response:
        """Make the content what it was in this version, as a new change everyone follows (the
        content before is kept as a version)."""
        document = self.get_object()  # type: ignore[attr-defined]
        version = self.version_of(document, version_id)
        user = acting_user(request)
        changes.snapshot(document, user, VersionKind.RESTORE, _("Before restoring a version"))
        seq = changes.replace(document, user, changes.version_json(version))
        return Response({"seq": seq})


def parsed(fmt: str, given: Any) -> dict[str, Any]:
    if fmt == "json":
        if not isinstance(given, dict):
            raise ValidationError({"content": _("Give the document as a JSON object.")})
        return given
    if not isinstance(given, str):
        raise ValidationError({"content": _("Give the document as text.")})
    return content.from_html(given) if fmt == "html" else content.from_markdown(given)


def rendered(fmt: str, pm_json: dict[str, Any]) -> Any:
    if fmt == "html":
        return content.to_html(pm_json)
    if fmt == "markdown":
        return content.to_markdown(pm_json)
    return pm_json
