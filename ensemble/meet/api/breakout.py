"""Breakout rooms of a meeting, under ``/api/v1/meet/meetings/<code>/breakout/``: GET the
rooms (people in the meeting; guests by their cookie), POST to open them, ``place/``,
``broadcast/`` and ``close/`` (hosts and moderators in the meeting). Checked like the
meeting's own actions (``MeetingAbility``: an action not named in ``ability_for_action`` is
refused)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.core.api import acting_user, refusing
from ensemble.meet import breakout
from ensemble.meet.abilities import caller_of
from ensemble.meet.api.permissions import MeetingAbility
from ensemble.meet.guests import guest_key
from ensemble.meet.models import Meeting, Participant


class OpenSerializer(serializers.Serializer[None]):
    rooms = serializers.ListField(
        child=serializers.ListField(child=serializers.UUIDField(), max_length=500),
        required=False,
        max_length=breakout.MAX_ROOMS,
        help_text="By hand: one list of participant ids per room.",
    )
    count = serializers.IntegerField(
        required=False, min_value=1, max_value=breakout.MAX_ROOMS,
        help_text="At random: how many rooms (the people who do not moderate are shared out).",
    )  # fmt: skip
    names = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        max_length=breakout.MAX_ROOMS,
    )
    minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=breakout.MAX_MINUTES
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("rooms" in attrs) == ("count" in attrs):
            raise serializers.ValidationError(
                _("Give either the rooms with their people, or how many rooms to fill at random.")
            )
        return attrs


class BroadcastSerializer(serializers.Serializer[None]):
    text = serializers.CharField(max_length=breakout.MAX_MESSAGE)


class BreakoutPlaceSerializer(serializers.Serializer[None]):
    participant = serializers.UUIDField(help_text="The participant id of someone in the meeting.")
    room = serializers.UUIDField(
        allow_null=True, help_text="One of the open breakout's rooms; null: the main room."
    )


class BreakoutRoomSerializer(serializers.Serializer[None]):
    id = serializers.UUIDField()
    name = serializers.CharField()
    janus_room = serializers.IntegerField(allow_null=True)
    participants = serializers.ListField(child=serializers.UUIDField())


class BreakoutSerializer(serializers.Serializer[None]):
    open = serializers.BooleanField()
    ends_at = serializers.DateTimeField(allow_null=True)
    rooms = BreakoutRoomSerializer(many=True)


class OneObject(AutoSchema):
    """The GET of the collection answers one object (the meeting's breakout), not a list."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class BreakoutViewSet(viewsets.ViewSet):
    """The breakout rooms of the meeting ``code``."""

    schema = OneObject()

    permission_classes: list[Any] = []  # the meeting's abilities, checked in ``initial``
    ability_for_action = {
        "list": "see_people",
        "create": "moderate",
        "broadcast": "moderate",
        "place": "moderate",
        "close": "moderate",
    }
    rate_limits = {
        "create": "meet.manage",
        "close": "meet.manage",
        "place": "meet.manage",
        "broadcast": "meet.messages",
    }

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """The meeting and the caller's abilities on it, before the body is read."""
        super().initial(request, *args, **kwargs)
        self.meeting = get_object_or_404(Meeting, code=kwargs.get("code", ""))
        if not MeetingAbility().has_object_permission(request, self, self.meeting):
            raise exceptions.PermissionDenied()

    def caller(self, request: Request, meeting: Meeting) -> Participant | None:
        return caller_of(meeting, request.user, guest_key(request, meeting.code))

    @extend_schema(responses={200: BreakoutSerializer})
    def list(self, request: Request, code: str = "") -> Response:
        """Whether the meeting is split into rooms now, until when, and who is in which."""
        return Response(breakout.state(self.meeting))

    @extend_schema(request=OpenSerializer, responses={201: BreakoutSerializer})
    def create(self, request: Request, code: str = "") -> Response:
        """Open breakout rooms: ``rooms`` (participant ids per room) or ``count`` (at
        random), optional ``names`` and ``minutes`` (the timer). Everyone in the meeting is
        told where to go (``meet.breakout.changed``); 409 if rooms are open already."""
        data = OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        refusing(
            lambda: breakout.open_breakout(
                acting_user(request),
                self.meeting,
                rooms=values.get("rooms"),
                count=values.get("count"),
                minutes=values.get("minutes"),
                names=values.get("names"),
            )
        )
        return Response(breakout.state(self.meeting), status=status.HTTP_201_CREATED)

    @extend_schema(request=BreakoutPlaceSerializer, responses={200: BreakoutSerializer})
    @action(detail=False, methods=["post"])
    def place(self, request: Request, code: str = "") -> Response:
        """Place someone in the meeting into a room of the open breakout, or back into the
        main room (``room`` null): someone who came in late, or a move between rooms. Their
        page follows (``meet.breakout.changed``); 409 if no breakout is open, 400 for someone
        not in the meeting or a room not of this breakout."""
        data = BreakoutPlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        refusing(
            lambda: breakout.place(
                acting_user(request), self.meeting, values["participant"], values["room"]
            )
        )
        return Response(breakout.state(self.meeting))

    @extend_schema(request=BroadcastSerializer, responses={204: None})
    @action(detail=False, methods=["post"])
    def broadcast(self, request: Request, code: str = "") -> Response:
        """Send a message to every room (``meet.breakout.message``; kept in the chat too)."""
        data = BroadcastSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data["text"]
        refusing(lambda: breakout.broadcast(acting_user(request), self.meeting, text))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: BreakoutSerializer})
    @action(detail=False, methods=["post"])
    def close(self, request: Request, code: str = "") -> Response:
        """Bring everyone back to the main room; the rooms' Janus rooms are destroyed."""
        refusing(lambda: breakout.close(acting_user(request), self.meeting))
        return Response(breakout.state(self.meeting))
