"""What the chat page asks beside a room's messages: its threads and read receipts, and for a
message who has seen it and the cards of the suite's objects it links to. Mixed into the
room and message viewsets (which check the caller may read the room first)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.chat import receipts
from ensemble.chat.api.serializers import MessageSerializer
from ensemble.chat.threads import threads_of
from ensemble.core import previews
from ensemble.core.api import acting_user, query_int

LOOKUPS = "chat.lookups"  # their rate-limit scope


class ThreadSerializer(serializers.Serializer[Any]):
    root = MessageSerializer(read_only=True)
    replies = serializers.IntegerField(read_only=True)
    last_seq = serializers.IntegerField(read_only=True)
    last_at = serializers.DateTimeField(read_only=True)
    unread = serializers.IntegerField(
        read_only=True, help_text="Replies by others after your read marker."
    )


class MarkSerializer(serializers.Serializer[Any]):
    user = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    external = serializers.BooleanField(read_only=True)
    seq = serializers.IntegerField(read_only=True, help_text="Read up to this message.")


class ReceiptsSerializer(serializers.Serializer[Any]):
    shown = serializers.BooleanField(
        read_only=True,
        help_text="False where receipts are not shown to you: you do not share yours, you "
        "are not a member, or the room is larger than CHAT_RECEIPTS_MAX_MEMBERS.",
    )
    marks = MarkSerializer(many=True, read_only=True)


class CardSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    subtitle = serializers.CharField(read_only=True)
    time = serializers.DateTimeField(read_only=True, allow_null=True)
    action = serializers.CharField(read_only=True, help_text="The button's label, if any.")


class RoomLookups:
    """Actions of RoomViewSet (their ability: "retrieve"; rate limit: chat.lookups)."""

    get_object: Any

    @extend_schema(
        parameters=[OpenApiParameter("before", int, description="Threads answered before")],
        responses={200: ThreadSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def threads(self, request: Request, pk: str | None = None) -> Response:
        """The room's threads (messages with replies), the most recently answered first, 50
        at a time; ``unread`` counts the replies you have not read."""
        room = self.get_object()
        before = query_int(request, "before", 0) if "before" in request.query_params else None
        found = threads_of(room, acting_user(request), before)
        return Response(ThreadSerializer(found, many=True).data)

    @extend_schema(responses={200: ReceiptsSerializer})
    @action(detail=True, methods=["get"])
    def receipts(self, request: Request, pk: str | None = None) -> Response:
        """Where the other members' read markers stand ("seen by": a message is seen by those
        whose ``seq`` is at least its own), for those who share them."""
        room, reader = self.get_object(), acting_user(request)
        data = {"shown": receipts.shown(room, reader), "marks": receipts.marks(room, reader)}
        return Response(ReceiptsSerializer(data).data)


class MessageLookups:
    """Actions of MessageViewSet (the caller may read the message's room)."""

    get_object: Any

    @extend_schema(responses={200: ReceiptsSerializer})
    @action(detail=True, methods=["get"])
    def seen(self, request: Request, pk: str | None = None) -> Response:
        """Who has seen this message, among the others who share their read receipts."""
        message, reader = self.get_object(), acting_user(request)
        data = {
            "shown": receipts.shown(message.room, reader),
            "marks": receipts.seen_by(message, reader),
        }
        return Response(ReceiptsSerializer(data).data)

    @extend_schema(responses={200: CardSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def previews(self, request: Request, pk: str | None = None) -> Response:
        """Cards of the suite's objects this message links to (a meeting…), those you may
        see; none for a deleted message."""
        message = self.get_object()
        found = previews.cards(acting_user(request), message.body) if message.body else []
        return Response(CardSerializer([card.as_dict() for card in found], many=True).data)


RATE_LIMITS = {"threads": LOOKUPS, "receipts": LOOKUPS, "seen": LOOKUPS, "previews": LOOKUPS}
