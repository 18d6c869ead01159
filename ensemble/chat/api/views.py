from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.accounts import guests
from ensemble.accounts.models import User
from ensemble.chat.actions.attachments import upload_attachment
from ensemble.chat.actions.invitations import invite_from_csv
from ensemble.chat.actions.members import (
    add_member,
    join_room,
    lift_ban,
    mark_read,
    remove_member,
    set_member_role,
    set_notify_level,
)
from ensemble.chat.actions.messages import delete_message, edit_message, react
from ensemble.chat.actions.messages import pin as pin_message
from ensemble.chat.actions.rooms import (
    archive_room,
    create_room,
    direct_room,
    set_avatar,
    set_retention,
    update_room,
)
from ensemble.chat.actions.sending import check_body, send_message
from ensemble.chat.api.lookups import RATE_LIMITS as LOOKUP_LIMITS
from ensemble.chat.api.lookups import MessageLookups, RoomLookups
from ensemble.chat.api.serializers import (
    MESSAGE_RELATED,
    AttachmentSerializer,
    DirectSerializer,
    EditSerializer,
    MemberSerializer,
    MessageSerializer,
    NotifySerializer,
    ReadSerializer,
    RetentionSerializer,
    RoomCreateSerializer,
    RoomInvitationSerializer,
    RoomMemberEntrySerializer,
    RoomSerializer,
    RoomUpdateSerializer,
    SendSerializer,
    TypingSerializer,
)
from ensemble.chat.export import export_lines
from ensemble.chat.markdown import render as render_markdown
from ensemble.chat.models import Message, MessageRevision, Room, RoomKind, RoomMember, RoomRole
from ensemble.chat.search import search_messages
from ensemble.chat.streams import TYPING
from ensemble.core import audit
from ensemble.core.api import HasAbility, ObjectFirst, acting_user, query_int, refusing
from ensemble.core.ephemeral import send_signal
from ensemble.core.events import current_seq
from ensemble.core.files import SyncStreamingResponse, file_response, picture_type
from ensemble.core.presence import states as presence_states

PAGE = 50


def visible_rooms(user: User) -> QuerySet[Room]:
    """Rooms one may read (``RoomQuerySet.readable_by``: not where one is banned)."""
    return Room.objects.readable_by(user)


def with_membership(rooms: QuerySet[Room], user: User) -> QuerySet[Room]:
    """Each room with the reader's role and notification level (abilities need no query)."""
    mine = RoomMember.objects.filter(room=OuterRef("pk"), user=user)
    return rooms.annotate(
        my_role=Subquery(mine.values("role")[:1]),
        my_banned=Subquery(mine.values("banned")[:1]),
        my_notify=Subquery(mine.values("notify")[:1]),
        my_last_read=Subquery(mine.values("last_read_seq")[:1]),
    )


def with_counts(rooms: QuerySet[Room], user: User) -> QuerySet[Room]:
    """Each room with the reader's membership and unread and mention counts."""
    rooms = with_membership(rooms, user)
    unread = Message.objects.filter(
        room=OuterRef("pk"), seq__gt=OuterRef("my_last_read"), deleted_at__isnull=True
    ).exclude(author=user)
    mentioned = unread.filter(Q(mentions=user) | Q(mentions_room=True))
    return rooms.annotate(
        unread=Subquery(
            unread.values("room").annotate(n=Count("pk", distinct=True)).values("n")[:1]
        ),
        mention_count=Subquery(
            mentioned.values("room").annotate(n=Count("pk", distinct=True)).values("n")[:1]
        ),
    ).order_by("name")


def sees_member_emails(reader: Any, room: Room) -> bool:
    """Whether the members list shows ``reader`` the members' addresses: someone of the room's
    organisation who is not external, or a moderator of the room (a meeting's room keeps
    everyone ever admitted: its external attendees do not get each other's addresses)."""
    if not reader.is_external and reader.organisation_id == room.organisation_id:
        return True
    moderators = (RoomRole.ADMIN, RoomRole.MODERATOR)
    return room.members.filter(user=reader, banned=False, role__in=moderators).exists()


class CsvTextParser(BaseParser):
    media_type = "text/csv"

    def parse(  # type: ignore[override]  # returns the raw CSV bytes
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        data: bytes = stream.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            raise exceptions.ParseError(_("The CSV file is larger than 2 MiB."))
        return data


class RoomViewSet(
    RoomLookups,
    ObjectFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Room],
):
    """Rooms one belongs to, and the forums of one's organisation."""

    serializer_class = RoomSerializer
    permission_classes = [IsAuthenticated, HasAbility]
    queryset = Room.objects.none()
    # Checked before the body is read (ObjectFirst); actions check again what depends on it
    # (the role given, the person removed).
    ability_for_action = {
        "join": "retrieve",
        "messages:get": "retrieve",
        "messages:post": "post",
        "read": "retrieve",
        "notifications": "retrieve",
        "partial_update": "update",
        "archive": "manage_accesses",
        "leave": "retrieve",
        "members": "moderate",
        "invitations": "moderate",
        "pins": "retrieve",
        "invitations_csv": "moderate",
        "retention": "manage_accesses",
        "export": "manage_accesses",
        "attachments": "post",
        "typing": "post",
        "avatar:get": "retrieve",
        "avatar:post": "update",
        "avatar:delete": "update",
        "presence": "retrieve",
        "roster": "retrieve",
        "threads": "retrieve",
        "receipts": "retrieve",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    rate_limits = {"typing": "signals", **LOOKUP_LIMITS}

    def get_queryset(self) -> QuerySet[Room]:
        user = acting_user(self.request)
        if self.action in ("list", "retrieve", "directory"):
            return with_counts(visible_rooms(user), user)
        return with_membership(visible_rooms(user), user)  # counts are for showing rooms

    def described(self, room: Room) -> dict[str, Any]:
        """The room as the list shows it (with role and counts), after a change."""
        user = acting_user(self.request)
        return dict(
            self.get_serializer(with_counts(visible_rooms(user), user).get(pk=room.pk)).data
        )

    @extend_schema(request=RoomUpdateSerializer, responses={200: RoomSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        data = RoomUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = self.get_object()
        refusing(
            lambda: update_room(
                acting_user(request),
                room,
                data.validated_data.get("name"),
                data.validated_data.get("topic"),
            )
        )
        return Response(self.described(room))

    @extend_schema(request=None, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        room = self.get_object()
        refusing(lambda: archive_room(acting_user(request), room))
        return Response(self.described(room))

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        user = acting_user(request)
        refusing(lambda: remove_member(user, self.get_object(), user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MemberSerializer, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"], url_path="members/(?P<change>add|remove|ban|unban|role)")
    def members(self, request: Request, pk: str | None = None, change: str = "add") -> Response:
        """Add someone, remove or ban them or lift their ban (moderators), or change their role
        (admins)."""
        data = MemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room, actor = self.get_object(), acting_user(request)
        user, role = data.validated_data["user"], data.validated_data["role"]
        moves: dict[str, Callable[[], Any]] = {
            "add": lambda: add_member(actor, room, user, role),
            "remove": lambda: remove_member(actor, room, user),
            "ban": lambda: remove_member(actor, room, user, ban=True),
            "unban": lambda: lift_ban(actor, room, user),
            "role": lambda: set_member_role(actor, room, user, role),
        }
        refusing(moves[change])
        return Response(self.described(room))

    @extend_schema(request=RoomInvitationSerializer, responses={201: None, 200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        """Invite by e-mail: an existing account joins at once, anyone else gets an e-mail
        (and, in an external room, joins as an external user)."""
        data = RoomInvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room, actor = self.get_object(), acting_user(request)
        if not room.get_abilities(actor)["moderate"]:
            raise exceptions.PermissionDenied(
                _("Only the room's moderators and administrators invite.")
            )
        sent = refusing(
            lambda: guests.invite(
                request, actor, room, data.validated_data["email"], RoomRole.MEMBER
            )
        )
        if sent is not None:
            return Response({"invited": sent.email}, status=status.HTTP_201_CREATED)
        return Response(self.described(room))

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Part of a name or topic")],
        responses={200: RoomSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def directory(self, request: Request) -> Response:
        """The forums of your organisation, to find and join."""
        user = acting_user(request)
        if user.is_external or user.organisation_id is None:
            raise exceptions.PermissionDenied(_("External users cannot browse the room directory."))
        text = request.query_params.get("q", "").strip()[:100]
        forums = Room.objects.readable_by(user).filter(
            kind=RoomKind.FORUM, organisation_id=user.organisation_id, archived_at__isnull=True
        )
        if text:
            forums = forums.filter(Q(name__icontains=text) | Q(topic__icontains=text))
        page = self.paginate_queryset(with_counts(forums, user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="Words to find (all of them)"),
            OpenApiParameter("room", str, description="Only this room"),
        ],
        responses={200: MessageSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        """Search the messages of the rooms you may read (50 best matches)."""
        text = request.query_params.get("q", "").strip()
        if not 2 <= len(text) <= 200:
            raise exceptions.ValidationError({"q": _("Type between 2 and 200 characters.")})
        rooms = visible_rooms(acting_user(request))
        if request.query_params.get("room"):
            rooms = rooms.filter(pk__in=[self.room_id(request.query_params["room"])])
        return Response(MessageSerializer(search_messages(rooms, text), many=True).data)

    @staticmethod
    def room_id(value: str) -> uuid.UUID:
        try:
            return uuid.UUID(value)
        except ValueError as error:
            raise exceptions.ValidationError({"room": _("Give a room id.")}) from error

    @extend_schema(request=EditSerializer, responses={200: {"type": "object"}})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """How a text will look once sent: {"html": …}, rendered as messages are."""
        data = EditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data["body"]
        refusing(lambda: check_body(body, allow_empty=True))
        return Response({"html": render_markdown(body)})

    @extend_schema(request=DirectSerializer, responses={200: RoomSerializer, 201: RoomSerializer})
    @action(detail=False, methods=["post"])
    def direct(self, request: Request) -> Response:
        """Open (or find) the direct conversation with someone."""
        data = DirectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room, created = refusing(
            lambda: direct_room(acting_user(request), data.validated_data["user"])
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.described(room), status=code)

    @extend_schema(
        request={"text/csv": {"type": "string"}},
        responses={200: {"type": "object"}},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="invitations/csv",
        parser_classes=[CsvTextParser, MultiPartParser],
    )
    def invitations_csv(self, request: Request, pk: str | None = None) -> Response:
        """Invite every address of a CSV file (the body, or an uploaded file named "file")."""
        room = self.get_object()
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        raw = upload.read() if upload is not None else request.data
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError as error:
            raise exceptions.ValidationError({"file": _("The file must be UTF-8 text.")}) from error
        report = refusing(lambda: invite_from_csv(request, acting_user(request), room, text))
        return Response(report)

    @extend_schema(request=RetentionSerializer, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def retention(self, request: Request, pk: str | None = None) -> Response:
        """Delete messages after this many days (null: keep them all). Administrators."""
        data = RetentionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room, days = self.get_object(), data.validated_data["days"]
        refusing(lambda: set_retention(acting_user(request), room, days))
        return Response(self.described(room))

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=["json", "html"])],
        responses={(200, "application/json"): OpenApiResponse(description="The history")},
    )
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """The room's whole history for archiving, as JSON or as a readable HTML page
        (administrators of the room)."""
        room = self.get_object()
        if not room.get_abilities(acting_user(request))["manage_accesses"]:
            raise exceptions.PermissionDenied(_("Only the room's administrators export it."))
        kind = request.query_params.get("as", "json")
        if kind not in {"json", "html"}:
            raise exceptions.ValidationError({"as": _("Choose json or html.")})
        audit.record(
            "chat.room_exported",
            actor=acting_user(request),
            target=room,
            request=request,
            data={"format": kind},
        )
        response = SyncStreamingResponse(
            export_lines(room, kind),
            content_type="application/json" if kind == "json" else "text/html; charset=utf-8",
        )
        name = f"room-{room.pk}.{kind}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """Upload a file (form field "file") to send in the room: a message then lists its id
        in ``attachments``. Pictures get a thumbnail. Files never sent are deleted after a day."""
        room, upload = self.get_object(), request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": _("Send the file as the form field 'file'.")})
        attachment = refusing(lambda: upload_attachment(acting_user(request), room, upload))
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["POST"],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: RoomSerializer},
    )
    @extend_schema(methods=["GET"], responses={(200, "image/png"): OpenApiResponse()})
    @extend_schema(methods=["DELETE"], request=None, responses={200: RoomSerializer})
    @action(detail=True, methods=["get", "post", "delete"], parser_classes=[MultiPartParser])
    def avatar(self, request: Request, pk: str | None = None) -> Any:
        """The room's picture: read it (GET), set it (POST, form field "file", moderators;
        kept as a 256-pixel image), or remove it (DELETE)."""
        room = self.get_object()
        if request.method == "GET":
            if not room.avatar:
                raise exceptions.NotFound(_("This room has no avatar."))
            kind = picture_type(room.avatar.name or "")
            return file_response(room.avatar.open("rb"), f"avatar-{room.pk}", kind)
        upload = request.FILES.get("file") if request.method == "POST" else None
        if request.method == "POST" and upload is None:
            raise exceptions.ValidationError(
                {"file": _("Send the picture as the form field 'file'.")}
            )
        refusing(lambda: set_avatar(acting_user(request), room, upload))
        return Response(self.described(room))

    @extend_schema(request=TypingSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def typing(self, request: Request, pk: str | None = None) -> Response:
        """Say that you are typing (or stopped): members following the room see it live.
        Nothing is stored; clients show it for a few seconds unless it is repeated."""
        data = TypingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = self.get_object()
        try:
            send_signal(acting_user(request), room.stream, TYPING, data.validated_data)
        except PermissionError as refusal:
            raise exceptions.PermissionDenied(_("You cannot write in this room.")) from refusal
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "string"}}})
    @action(detail=True, methods=["get"])
    def presence(self, request: Request, pk: str | None = None) -> Response:
        """{member id: online | away | offline} for the members of the room."""
        room = self.get_object()
        members = room.members.filter(banned=False).values_list("user_id", flat=True)
        return Response(presence_states(members[:1000]))

    @extend_schema(responses={200: MessageSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def pins(self, request: Request, pk: str | None = None) -> Response:
        """The room's pinned messages, oldest first."""
        pinned = self.get_object().messages.filter(pinned_at__isnull=False)
        pinned = pinned.select_related("author").prefetch_related(*MESSAGE_RELATED).order_by("seq")
        return Response(MessageSerializer(pinned, many=True).data)

    @extend_schema(request=ReadSerializer, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Move your read marker to this sequence (it never goes back)."""
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = self.get_object()
        refusing(lambda: mark_read(acting_user(request), room, data.validated_data["seq"]))
        return Response(self.described(room))

    @extend_schema(request=NotifySerializer, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def notifications(self, request: Request, pk: str | None = None) -> Response:
        """Choose what this room notifies you of: all, mentions or none (muted)."""
        data = NotifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room, level = self.get_object(), data.validated_data["notify"]
        refusing(lambda: set_notify_level(acting_user(request), room, level))
        return Response(self.described(room))

    @extend_schema(request=RoomCreateSerializer, responses={201: RoomSerializer})
    def create(self, request: Request) -> Response:
        data = RoomCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = refusing(lambda: create_room(acting_user(request), **data.validated_data))
        return Response(self.described(room), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        room = self.get_object()
        refusing(lambda: join_room(acting_user(request), room))
        return Response(self.described(room))

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("before", int, description="Messages before this seq"),
            OpenApiParameter("after", int, description="Messages after this seq"),
            OpenApiParameter("around", int, description="Messages around this seq (it included)"),
        ],
        responses={200: MessageSerializer(many=True)},
    )
    @extend_schema(methods=["POST"], request=SendSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        room = self.get_object()
        if request.method == "POST":
            return self.send(request, room)
        seq = current_seq(room.stream)
        history = room.messages.select_related("author").prefetch_related(*MESSAGE_RELATED)
        response = Response(MessageSerializer(self.page_of(request, history), many=True).data)
        response["X-Stream-Seq"] = str(seq)
        return response

    @staticmethod
    def page_of(request: Request, history: QuerySet[Message]) -> list[Message]:
        """50 messages, oldest first: the latest, those before or after a seq, or those around
        one (a search result opened in its context)."""
        params = request.query_params
        if "around" in params:
            seq = query_int(request, "around", 0)
            older = list(history.filter(seq__lt=seq).order_by("-seq")[: PAGE // 2])[::-1]
            newer = history.filter(seq__gte=seq).order_by("seq")
            return older + list(newer[: PAGE - len(older)])
        if "after" in params:
            after = query_int(request, "after", 0)
            return list(history.filter(seq__gt=after).order_by("seq")[:PAGE])
        history = history.order_by("-seq")
        if "before" in params:
            history = history.filter(seq__lt=query_int(request, "before", 0))
        return list(history[:PAGE])[::-1]

    @extend_schema(
        responses={200: RoomMemberEntrySerializer(many=True)},
        parameters=[
            OpenApiParameter(
                "banned", bool, description="Those banned instead (moderators only).", default=False
            )
        ],
    )
    @action(detail=True, methods=["get"], url_path="members")
    def roster(self, request: Request, pk: str | None = None) -> Response:
        """Who is in the room, with their role and organisation; ``external`` marks guests and
        people of another organisation (1000 at most). Their e-mail addresses only for a reader
        of the room's organisation who is not external, or one of its moderators (else null).
        ``?banned=true``: the people banned from it, for its moderators."""
        room = self.get_object()
        banned = request.query_params.get("banned") == "true"
        if banned and not room.get_abilities(acting_user(request))["moderate"]:
            raise exceptions.PermissionDenied(_("Only the room's moderators see who is banned."))
        members = room.members.filter(banned=banned).select_related("user__organisation")
        members = list(members.order_by("user__full_name", "user__email")[:1000])
        for member in members:
            member.room = room  # one room for all: no query per member
        context = {"emails": sees_member_emails(acting_user(request), room)}
        entries = RoomMemberEntrySerializer(members, many=True, context=context)  # type: ignore[arg-type]
        return Response(entries.data)

    def send(self, request: Request, room: Room) -> Response:
        fields, errors = SendSerializer.check(request.data)
        if fields is None:
            raise exceptions.ValidationError(errors)
        sent: dict[str, Any] = {}

        def act() -> Message:
            sent["message"], sent["created"] = send_message(
                acting_user(request),
                room,
                fields["txn_id"],
                fields["body"],
                fields["reply_to"],
                fields["attachments"],
                fields["mentions"],
            )
            return sent["message"]

        message, created = refusing(act), sent["created"]
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MessageSerializer(message).data, status=code)


class ReactSerializer(serializers.Serializer[None]):
    emoji = serializers.CharField(max_length=32)
    on = serializers.BooleanField(default=True)


class PinSerializer(serializers.Serializer[None]):
    pinned = serializers.BooleanField()


class RevisionSerializer(serializers.ModelSerializer[MessageRevision]):
    class Meta:
        model = MessageRevision
        fields = ["body", "created_at"]
        read_only_fields = fields


class MessageViewSet(
    MessageLookups,
    ObjectFirst,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Message],
):
    """One message: read it, edit it (author), delete it (author or moderator), its history."""

    serializer_class = MessageSerializer
    queryset = Message.objects.none()
    rate_limits = LOOKUP_LIMITS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Message]:
        rooms = visible_rooms(acting_user(self.request))
        return (
            Message.objects.filter(room__in=rooms)
            .select_related("room", "author")
            .prefetch_related(*MESSAGE_RELATED)
        )

    @extend_schema(request=EditSerializer, responses={200: MessageSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        data = EditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = refusing(
            lambda: edit_message(
                acting_user(request), self.get_object(), data.validated_data["body"]
            )
        )
        return Response(MessageSerializer(message).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refusing(lambda: delete_message(acting_user(request), self.get_object()))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ReactSerializer, responses={200: MessageSerializer})
    @action(detail=True, methods=["post"])
    def reactions(self, request: Request, pk: str | None = None) -> Response:
        """Add ({"emoji": "👍", "on": true}) or take back (on: false) your reaction."""
        data = ReactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = self.get_object()
        refusing(
            lambda: react(
                acting_user(request),
                message,
                data.validated_data["emoji"],
                data.validated_data["on"],
            )
        )
        return Response(MessageSerializer(self.get_object()).data)

    @extend_schema(request=PinSerializer, responses={200: MessageSerializer})
    @action(detail=True, methods=["post"])
    def pin(self, request: Request, pk: str | None = None) -> Response:
        """Pin or unpin a message (moderators)."""
        data = PinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = refusing(
            lambda: pin_message(
                acting_user(request), self.get_object(), data.validated_data["pinned"]
            )
        )
        return Response(MessageSerializer(message).data)

    @extend_schema(responses={200: MessageSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def thread(self, request: Request, pk: str | None = None) -> Response:
        """The replies to this message, oldest first (the thread's side panel)."""
        replies = Message.objects.filter(reply_to=self.get_object()).select_related("author")
        replies = replies.prefetch_related(*MESSAGE_RELATED).order_by("seq")
        return Response(MessageSerializer(replies, many=True).data)

    @extend_schema(responses={200: RevisionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        return Response(RevisionSerializer(self.get_object().revisions.all(), many=True).data)
