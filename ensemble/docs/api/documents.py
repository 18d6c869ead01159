"""The Docs REST API: documents and their tree, accesses, link, favourites, trash, images."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.accounts import guests
from ensemble.accounts.models import Team, User
from ensemble.core.abilities import LinkReach, Role
from ensemble.core.api import HasAbility, ObjectFirst, acting_user, refusing
from ensemble.core.files import picture
from ensemble.docs import actions, views
from ensemble.docs.api.comments import CommentViews
from ensemble.docs.api.content import ContentViews
from ensemble.docs.api.jobs import ExportViews
from ensemble.docs.models import (
    AccessRequest,
    Document,
    DocumentAccess,
    DocumentImage,
    remember_roles,
)

# The largest picture one may put in a document.
IMAGE_MAX_BYTES = 20 * 1024 * 1024


class DocumentSerializer(serializers.ModelSerializer[Document]):
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "parent",
            "link_reach",
            "link_role",
            "is_template",
            "deleted_at",
            "created_at",
            "updated_at",
            "abilities",
        ]
        read_only_fields = ["id", "parent", "deleted_at", "created_at", "updated_at"]

    def get_abilities(self, document: Document) -> dict[str, bool]:
        return document.get_abilities(self.context["request"].user)


class DocumentCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    parent = serializers.UUIDField(required=False, allow_null=True)  # type: ignore[assignment]
    template = serializers.UUIDField(required=False, allow_null=True)


class DocumentUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    link_reach = serializers.ChoiceField(choices=LinkReach.choices, required=False)
    link_role = serializers.ChoiceField(choices=actions.LINK_ROLES, required=False)
    is_template = serializers.BooleanField(required=False)


class MoveSerializer(serializers.Serializer[Any]):
    parent = serializers.UUIDField(allow_null=True)  # type: ignore[assignment]


class AccessSerializer(serializers.ModelSerializer[DocumentAccess]):
    user_name = serializers.SerializerMethodField()
    team_name = serializers.SerializerMethodField()
    inherited_from = serializers.SerializerMethodField(
        help_text="The page above that gives this access (null: given on this document)"
    )

    class Meta:
        model = DocumentAccess
        fields = ["id", "user", "user_name", "team", "team_name", "role", "inherited_from"]
        read_only_fields = ["id", "user", "team"]

    def get_inherited_from(self, access: DocumentAccess) -> dict[str, str | None] | None:
        here = self.context.get("document")
        if here is None or access.document_id == here.pk:
            return None
        # The title of a page above only for those who may read it.
        readable = access.document_id in self.context.get("readable", ())
        return {"id": str(access.document_id), "title": str(access.document) if readable else None}

    def get_user_name(self, access: DocumentAccess) -> str | None:
        return str(access.user) if access.user else None

    def get_team_name(self, access: DocumentAccess) -> str | None:
        return str(access.team) if access.team else None


class GrantSerializer(serializers.Serializer[Any]):
    user = serializers.UUIDField(required=False)
    team = serializers.UUIDField(required=False)
    role = serializers.ChoiceField(choices=Role.choices)


class RoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)


class AccessRequestSerializer(serializers.ModelSerializer[AccessRequest]):
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = ["id", "user", "user_name", "role", "created_at"]

    def get_user_name(self, request: AccessRequest) -> str:
        return str(request.user)


class RequestSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=actions.LINK_ROLES, default=Role.EDITOR)


class AnswerSerializer(serializers.Serializer[Any]):
    request = serializers.UUIDField()
    accept = serializers.BooleanField()
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class ImageSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class InvitationSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.READER)


class InvitationViews:
    @extend_schema(request=InvitationSerializer, responses={201: dict, 200: dict})
    @action(detail=True, methods=["post"])
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        """Invite by e-mail: a colleague gets the role at once, anyone else an e-mail with a
        link (and joins as an external guest)."""
        document = self.get_object()  # type: ignore[attr-defined]
        body = InvitationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor, role = acting_user(request), body.validated_data["role"]
        refusing(lambda: actions.check_may_invite(actor, document, role))
        sent = refusing(
            lambda: guests.invite(request, actor, document, body.validated_data["email"], role)
        )
        if sent is not None:
            return Response({"invited": sent.email}, status=status.HTTP_201_CREATED)
        return Response({"added": body.validated_data["email"]})


class DocumentViewSet(
    InvitationViews,
    ContentViews,
    ExportViews,
    CommentViews,
    ObjectFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Document],
):
    """Documents one may read: list (``view``: mine, shared, favourites, recent, templates,
    trash; ``search``), create, change, move, share, put in the trash and restore."""

    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated, HasAbility]
    queryset = Document.objects.none()
    rate_limits = {
        "exports": "docs.convert",
        "content:put": "docs.writes",
        "versions:post": "docs.writes",
        "restore_version": "docs.writes",
        "images": "docs.writes",
        "access_requests:post": "docs.requests",
        "invitations": "docs.requests",
    }
    ability_for_action = {
        "partial_update": "update",
        "destroy": "destroy",
        "restore": "restore",
        "move": "retrieve",  # the action checks the document's and the new parent's rights
        "children": "retrieve",
        "favourite": "favourite",
        "accesses:get": "accesses",
        "accesses:post": "manage_accesses",
        "access_detail": "manage_accesses",
        "access_requests:get": "manage_accesses",
        "access_requests:post": "retrieve",
        "answer_request": "manage_accesses",
        "images": "update",
        "content:get": "retrieve",
        "content:put": "update",
        "versions:get": "retrieve",
        "versions:post": "update",
        "version": "retrieve",
        "restore_version": "update",
        "comments:get": "retrieve",
        "comments:post": "comment",
        "comment": "retrieve",  # the action checks the author, the role
        "exports": "retrieve",
        "invitations": "manage_accesses",
    }

    def get_queryset(self) -> QuerySet[Document]:
        if self.action == "list":
            return Document.objects.none()
        return Document.objects.all()

    def get_object(self) -> Document:
        document = super().get_object()
        if document.deleted_at is not None and self.action not in ("retrieve", "restore"):
            raise NotFound(_("This document is in the trash."))
        return document

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        if not obj.get_abilities(request.user)["retrieve"]:
            raise NotFound(_("No such document, or you may not read it."))
        super().check_object_permissions(request, obj)

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=list(views.VIEWS)),
            OpenApiParameter("search", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view = request.query_params.get("view", "mine")
        if view not in views.VIEWS:
            raise ValidationError({"view": _("Unknown list.")})
        user = acting_user(request)
        found = views.listed(user, view, request.query_params.get("search", ""))
        documents = remember_roles(list(found), user)
        return Response(self.get_serializer(documents, many=True).data)

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentSerializer})
    def create(self, request: Request) -> Response:
        body = DocumentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        parent = self.readable(body.validated_data.get("parent"), "parent")
        template = self.readable(body.validated_data.get("template"), "template")
        document = refusing(
            lambda: actions.create_document(user, body.validated_data["title"], parent, template)
        )
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    def readable(self, document_id: Any, field: str) -> Document | None:
        if document_id is None:
            return None
        document = views.find(acting_user(self.request), document_id)
        if document is None:
            raise ValidationError({field: _("No such document, or you may not read it.")})
        return document

    @extend_schema(request=DocumentUpdateSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        body = DocumentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        refusing(lambda: actions.update_document(user, document, **body.validated_data))
        return Response(self.get_serializer(document).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Put the document (and what is below it) in the trash for 30 days."""
        document = self.get_object()
        refusing(lambda: actions.trash(acting_user(request), document))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        refusing(lambda: actions.restore(acting_user(request), document))
        return Response(self.get_serializer(document).data)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parent = self.readable(body.validated_data["parent"], "parent")
        refusing(lambda: actions.move(acting_user(request), document, parent))
        return Response(self.get_serializer(document).data)

    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        below = document.children.filter(deleted_at__isnull=True)
        return Response(
            self.get_serializer(remember_roles(list(below), acting_user(request)), many=True).data
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"])
    def favourite(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        actions.set_favourite(acting_user(request), document, request.method == "POST")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GrantSerializer, responses=AccessSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def accesses(self, request: Request, pk: str | None = None) -> Response:
        """Who has a role on this document (given here; those above are inherited)."""
        document = self.get_object()
        if request.method == "POST":
            body = GrantSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            person = team = None
            if body.validated_data.get("user"):
                person = User.objects.filter(pk=body.validated_data["user"]).first()
                if person is None:
                    raise ValidationError({"user": _("No such person.")})
            if body.validated_data.get("team"):
                team = Team.objects.filter(pk=body.validated_data["team"]).first()
                if team is None:
                    raise ValidationError({"team": _("No such team.")})
            actor, role = acting_user(request), body.validated_data["role"]
            access = refusing(lambda: actions.grant(actor, document, role, person, team))
            return Response(AccessSerializer(access).data, status=status.HTTP_201_CREATED)
        # Those given here, and those inherited from the pages above (changed there).
        rows = (
            DocumentAccess.objects.filter(document_id__in=document.ancestor_ids)
            .select_related("user", "team", "document")
            .order_by("-document__path", "created_at")
        )
        user = acting_user(request)
        readable = {doc.pk for doc in document.lineage() if doc.get_abilities(user)["retrieve"]}
        context = {"document": document, "readable": readable}
        return Response(AccessSerializer(rows, many=True, context=context).data)

    @extend_schema(request=RoleSerializer, responses={200: AccessSerializer, 204: None})
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"accesses/(?P<access_id>[0-9a-f-]{36})",
    )
    def access_detail(
        self, request: Request, pk: str | None = None, access_id: str = ""
    ) -> Response:
        document = self.get_object()
        access = document.accesses.filter(pk=access_id).first()
        if access is None:
            raise NotFound(_("No such access on this document."))
        actor = acting_user(request)
        if request.method == "DELETE":
            refusing(lambda: actions.revoke(actor, access))
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = RoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        refusing(lambda: actions.change_access(actor, access, body.validated_data["role"]))
        return Response(AccessSerializer(access).data)

    @extend_schema(request=RequestSerializer, responses=AccessRequestSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="access-requests")
    def access_requests(self, request: Request, pk: str | None = None) -> Response:
        """Ask for a role (anyone who can see the document), or list the requests (its
        administrators)."""
        document = self.get_object()
        if request.method == "POST":
            body = RequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            asked = refusing(
                lambda: actions.request_access(
                    acting_user(request), document, body.validated_data["role"]
                )
            )
            return Response(AccessRequestSerializer(asked).data, status=status.HTTP_201_CREATED)
        rows = document.access_requests.select_related("user")
        return Response(AccessRequestSerializer(rows, many=True).data)

    @extend_schema(request=AnswerSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="access-requests/answer")
    def answer_request(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        asked = document.access_requests.filter(pk=body.validated_data["request"]).first()
        if asked is None:
            raise NotFound(_("No such request on this document."))
        actor = acting_user(request)
        accept, role = body.validated_data["accept"], body.validated_data.get("role")
        refusing(lambda: actions.answer_request(actor, asked, accept, role))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request={"multipart/form-data": ImageSerializer}, responses={201: dict})
    @action(detail=True, methods=["post"])
    def images(self, request: Request, pk: str | None = None) -> Response:
        """Put a picture in the document: stored encrypted, its address comes back."""
        document = self.get_object()
        body = ImageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > IMAGE_MAX_BYTES:
            raise ValidationError({"file": _("A picture may be 20 MB at most.")})
        found = picture(upload)
        if found is None:
            raise ValidationError({"file": _("This file is not a picture (PNG, JPEG, GIF, WebP).")})
        image = DocumentImage.objects.create(
            document=document,
            file=upload,
            content_type=found.content_type,
            size=upload.size,
            uploaded_by=acting_user(request),
        )
        url = f"/docs/images/{image.pk}/"
        return Response({"id": str(image.pk), "url": url}, status=status.HTTP_201_CREATED)
