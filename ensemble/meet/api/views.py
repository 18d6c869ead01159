"""Meet's REST API: meetings, joining (guests too, for public meetings), the waiting room,
moderation. A join answers what the browser needs for the media: the Janus address, the room
and the participant's own token; never a room secret."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.accounts.models import ApiToken, TokenScope
from ensemble.chat.api import serializers as chat_api
from ensemble.core.api import ObjectFirst, acting_user, query_int, refusing
from ensemble.core.events import current_seq, events_after
from ensemble.meet import actions, chat, schedule
from ensemble.meet.abilities import caller_of
from ensemble.meet.access import set_access
from ensemble.meet.api.permissions import MeetingAbility
from ensemble.meet.api.serializers import (
    AccessSerializer,
    ChatSerializer,
    DevicesSerializer,
    HandSerializer,
    JoinSerializer,
    LockSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
    MuteSerializer,
    ParticipantSerializer,
    PersonSerializer,
    ReactSerializer,
    RecordSerializer,
    RoleSerializer,
    SendSerializer,
)
from ensemble.meet.events import stream_of
from ensemble.meet.guests import guest_key, remember_guest
from ensemble.meet.models import Access, Meeting, Participant, ParticipantState


def joined(participant: Participant, request: Request | None = None) -> dict[str, Any]:
    """The participant, with what their browser needs to send and receive media (a Janus
    token, TURN credentials): never to an API token that may only read."""
    data = dict(ParticipantSerializer(participant).data)
    token = request.auth if request is not None else None
    reads_only = isinstance(token, ApiToken) and TokenScope.WRITE not in token.scopes
    data["media"] = None if reads_only else actions.join_info(participant)
    return data


class MeetingViewSet(ObjectFirst, mixins.CreateModelMixin, viewsets.GenericViewSet[Meeting]):
    """Meetings by their join code (``abc-defg-hij``)."""

    serializer_class = MeetingSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z]{3}-[a-z]{4}-[a-z]{3}"
    # Every action is checked against the caller's abilities on the meeting (guests: their
    # ?key=), in one place: an action missing here is refused.
    permission_classes = [MeetingAbility]
    ability_for_action = {
        "retrieve": "retrieve",
        "partial_update": "edit",
        "cancel": "edit",
        "access": "moderate",
        "join": "join",
        "me": "me",
        "leave": "leave",
        "participants": "see_people",
        "hands": "see_people",
        "events": "see_people",
        "messages": "chat",
        "devices": "devices",
        "hand": "raise_hand",
        "react": "react",
        "moderate": "moderate",
        "admit_all": "moderate",
        "role": "moderate",
        "mute": "moderate",
        "lock": "moderate",
        "record": "record",
        "end": "end",
    }
    queryset = Meeting.objects.none()
    rate_limits = {
        "join": "meet.join",
        "messages:post": "meet.messages",
        "react": "meet.messages",
        "partial_update": "meet.manage",
        "cancel": "meet.manage",
        "access": "meet.manage",
    }

    def caller(self, request: Request, meeting: Meeting) -> Participant | None:
        """The caller's place in the meeting (guests: by their ``?key=``), read once."""
        cached: dict[Any, Participant | None] = self.__dict__.setdefault("_callers", {})
        if meeting.pk not in cached:
            key = guest_key(request, meeting.code)
            cached[meeting.pk] = caller_of(meeting, request.user, key)
        return cached[meeting.pk]

    def get_queryset(self) -> QuerySet[Meeting]:
        return Meeting.objects.all()

    def list(self, request: Request) -> Response:
        """Meetings you organise or were invited to, newest first."""
        mine = Meeting.objects.filter(participants__user=acting_user(request)).distinct()
        page = self.paginate_queryset(mine)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return Response(MeetingSerializer(self.get_object()).data)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = refusing(
            lambda: actions.create_meeting(
                acting_user(self.request),
                data["title"],
                data.get("access", Access.SIGNED_IN),
                data.get("lobby", True),
                data.get("starts_at"),
                data.get("ends_at"),
                data.get("invitees", []),
            )
        )

    def get_serializer_class(self) -> Any:
        return MeetingCreateSerializer if self.action == "create" else MeetingSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(MeetingSerializer(serializer.instance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses={200: MeetingSerializer})
    def partial_update(self, request: Request, code: str | None = None) -> Response:
        """Change a meeting (its organiser, hosts and moderators): only the fields given.
        Invitees get the updated invitation (same event, ``SEQUENCE`` one higher) when the
        title or times change; people taken off ``invitees`` get a cancellation."""
        data = MeetingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        changes = data.validated_data
        meeting = refusing(lambda: schedule.update_meeting(acting_user(request), meeting, changes))
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=None, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, code: str | None = None) -> Response:
        """Cancel a meeting before it takes place (its organiser, hosts and moderators): it
        ends, and its invitees get a cancellation (METHOD:CANCEL). One under way: 409."""
        meeting = self.get_object()
        meeting = refusing(lambda: schedule.cancel_meeting(acting_user(request), meeting))
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=AccessSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def access(self, request: Request, code: str | None = None) -> Response:
        """Who may join from now on (hosts and moderators in the meeting): ``public`` (anyone
        with the link, guests included), ``signed_in``, ``invited``. Everyone in the meeting
        is told (``meet.meeting.updated``); people waiting whom it now keeps out are refused."""
        data = AccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        access = data.validated_data["access"]
        refusing(lambda: set_access(acting_user(request), meeting, access))
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=JoinSerializer, responses={200: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, code: str | None = None) -> Response:
        """Join (or wait in the waiting room). Guests of a public meeting give a ``name``; the
        answer sets their key in an HttpOnly cookie of the meeting, which proves who they are
        on the meeting's other calls (and when they join again). Joining again checks the
        meeting's Janus still has its room, and places it again with new tokens if not (a
        restarted Janus)."""
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        user = request.user if request.user.is_authenticated else None
        key = guest_key(request, meeting.code)
        known = bool(key) and meeting.participants.filter(guest_key=key, user__isnull=True).exists()
        if user is None and known:
            me = self.participant(request)  # a guest joining again
            return Response(joined(refusing(lambda: actions.rejoin(me))))
        participant = refusing(lambda: actions.join(meeting, user, data.validated_data["name"]))
        response = Response(joined(participant))
        if participant.guest_key:
            remember_guest(response, meeting.code, participant.guest_key)
        return response

    @extend_schema(responses={200: ParticipantSerializer})
    @action(detail=True, methods=["get"])
    def me(self, request: Request, code: str | None = None) -> Response:
        """Your place now (waiting, admitted with the media, refused…); guests by their cookie."""
        return Response(joined(self.participant(request), request))

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, code: str | None = None) -> Response:
        actions.leave(self.participant(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def participant(self, request: Request) -> Participant:
        """The caller's place in the meeting (its abilities checked by ``get_object``)."""
        found = self.caller(request, self.get_object())
        if found is None:
            raise exceptions.NotFound(_("You have not joined this meeting."))
        return found

    def inside(self, request: Request) -> Participant:
        """The caller, in the meeting (the abilities these actions need say so)."""
        return self.participant(request)

    @extend_schema(responses={200: PersonSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def participants(self, request: Request, code: str | None = None) -> Response:
        """Who is in the meeting and who waits (people in the meeting; guests by their cookie).
        The X-Stream-Seq header is where the meeting's stream stood before the list was read:
        follow it from there and no change is missed."""
        me = self.inside(request)
        seq = current_seq(stream_of(me.meeting))
        shown = me.meeting.participants.filter(
            state__in=[ParticipantState.ADMITTED, ParticipantState.WAITING]
        )
        response = Response(PersonSerializer(shown, many=True).data)
        response["X-Stream-Seq"] = str(seq)
        return response

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def events(self, request: Request, code: str | None = None) -> Response:
        """The meeting's stream after ``?after=`` (its sequence), for clients without the
        WebSocket (guests): the same events, up to 200 at a time, and the stream's ``seq``.
        ``?stream=chat`` gives the stream of the meeting's chat instead."""
        me = self.inside(request)
        after = query_int(request, "after", 0)
        which = request.query_params.get("stream", "meeting")
        if which not in ("meeting", "chat"):
            raise exceptions.ValidationError({"stream": _("Either meeting or chat.")})
        stream = (
            refusing(lambda: chat.inside(me)).stream if which == "chat" else stream_of(me.meeting)
        )
        return Response(
            {"seq": current_seq(stream), "events": events_after(stream, after, after + 200)}
        )

    @extend_schema(methods=["GET"], responses={200: ChatSerializer})
    @extend_schema(
        methods=["POST"], request=SendSerializer, responses={201: chat_api.MessageSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, code: str | None = None) -> Response:
        """The meeting's chat, a room of the Chat app (people in the meeting; guests by
        their cookie). GET: its room and stream (follow it on /ws/ from ``seq``, or with
        events/?stream=chat), and its latest messages. POST: write in it; sending again with
        the same ``txn_id`` adds nothing (200 with the first message)."""
        me = self.participant(request)
        if request.method == "GET":
            return Response(ChatSerializer(refusing(lambda: chat.history(me))).data)
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        message, created = refusing(lambda: chat.send(me, values["txn_id"], values["body"]))
        return Response(
            chat_api.MessageSerializer(message).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=DevicesSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"])
    def devices(self, request: Request, code: str | None = None) -> Response:
        """Tell the others your microphone or camera is on or off (guests by their cookie). Give
        the Janus session and publisher handle once published: Ensemble asks Janus which
        stream is your microphone, so that moderators can mute it there."""
        data = DevicesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = self.participant(request)
        values = data.validated_data
        refusing(
            lambda: actions.set_devices(
                me,
                values["microphone"],
                values["camera"],
                values.get("janus_session"),
                values.get("janus_handle"),
            )
        )
        return Response(PersonSerializer(me).data)

    @extend_schema(request=RecordSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request: Request, code: str | None = None) -> Response:
        """Start or stop the recording (hosts and moderators); everyone sees that it is on."""
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        on = data.validated_data["recording"]
        refusing(lambda: actions.set_recording(acting_user(request), meeting, on))
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=None, responses={200: ParticipantSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"participants/(?P<participant>[0-9a-f-]{36})/(?P<move>admit|deny|remove)",
    )
    def moderate(
        self, request: Request, code: str | None = None, participant: str = "", move: str = ""
    ) -> Response:
        """Admit or refuse someone waiting, or remove someone (hosts and moderators)."""
        meeting = self.get_object()
        target = get_object_or_404(meeting.participants, pk=participant)
        user = acting_user(request)
        if move == "remove":
            refusing(lambda: actions.remove(user, target))
        else:
            refusing(lambda: actions.decide(user, target, move == "admit"))
        target.refresh_from_db()
        return Response(ParticipantSerializer(target).data)

    @extend_schema(request=None, responses={200: {"type": "object"}})
    @action(detail=True, methods=["post"], url_path="admit-all")
    def admit_all(self, request: Request, code: str | None = None) -> Response:
        meeting = self.get_object()
        count = refusing(lambda: actions.admit_all(acting_user(request), meeting))
        return Response({"admitted": count})

    @extend_schema(request=HandSerializer, responses={200: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def hand(self, request: Request, code: str | None = None) -> Response:
        """Raise or lower your hand (guests by their cookie)."""
        data = HandSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = self.participant(request)
        refusing(lambda: actions.raise_hand(me, data.validated_data["raised"]))
        return Response(ParticipantSerializer(me).data)

    @extend_schema(request=ReactSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def react(self, request: Request, code: str | None = None) -> Response:
        """Show a reaction (one emoji) to everyone in the meeting (guests by their cookie); it
        arrives as ``meet.reaction`` on the meeting's stream."""
        data = ReactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = self.participant(request)
        refusing(lambda: actions.react(me, data.validated_data["emoji"]))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: ParticipantSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def hands(self, request: Request, code: str | None = None) -> Response:
        """Raised hands, first raised first (people in the meeting; guests by their cookie)."""
        me = self.inside(request)
        raised = me.meeting.participants.filter(
            state=ParticipantState.ADMITTED, hand_raised_at__isnull=False
        ).order_by("hand_raised_at")
        return Response(ParticipantSerializer(raised, many=True).data)

    @extend_schema(request=RoleSerializer, responses={200: ParticipantSerializer})
    @action(
        detail=True, methods=["post"], url_path=r"participants/(?P<participant>[0-9a-f-]{36})/role"
    )
    def role(self, request: Request, code: str | None = None, participant: str = "") -> Response:
        """Make someone a moderator, or a participant again (hosts and moderators)."""
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_object_or_404(self.get_object().participants, pk=participant)
        role = data.validated_data["role"]
        refusing(lambda: actions.set_role(acting_user(request), target, role))
        return Response(ParticipantSerializer(target).data)

    @extend_schema(request=MuteSerializer, responses={200: {"type": "object"}})
    @action(detail=True, methods=["post"])
    def mute(self, request: Request, code: str | None = None) -> Response:
        """Ask one participant (or, without ``participant``, everyone but the moderators) to
        mute: their clients turn the microphone off on the ``meet.mute.requested`` event."""
        data = MuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        target = None
        if data.validated_data["participant"] is not None:
            target = get_object_or_404(meeting.participants, pk=data.validated_data["participant"])
        ids = refusing(lambda: actions.request_mute(acting_user(request), meeting, target))
        return Response({"muted": ids})

    @extend_schema(request=LockSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, code: str | None = None) -> Response:
        data = LockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        locked = data.validated_data["locked"]
        refusing(lambda: actions.lock(acting_user(request), meeting, locked))
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=None, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, code: str | None = None) -> Response:
        """End the meeting for everyone (hosts and moderators)."""
        meeting = self.get_object()
        refusing(lambda: actions.end(acting_user(request), meeting))
        return Response(MeetingSerializer(meeting).data)
