"""Meet's API objects: what the meeting API reads and answers (the views in ``views.py`` and
``recordings.py`` stay thin: they read with these, call the actions, and answer with these)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ensemble.chat.api import serializers as chat_api
from ensemble.meet.models import Access, Meeting, MeetRole, Participant, Recording


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    """A meeting, with what its host hands out: the ``link``, the ``code`` to type in, and
    the ``dial_in`` number to call (null until phone conferences, Audioconf, exist)."""

    link = serializers.CharField(read_only=True)
    dial_in = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "code", "link", "dial_in", "title", "access", "lobby", "locked", "recording",
            "max_participants", "starts_at", "ends_at", "ended_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "code", "locked", "recording", "max_participants", "ended_at", "created_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_dial_in(self, meeting: Meeting) -> str | None:
        return None  # Audioconf fills it in


class MeetingCreateSerializer(MeetingSerializer):
    invitees = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, max_length=500
    )

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "invitees"]


class MeetingUpdateSerializer(serializers.Serializer[None]):
    """A change to a meeting: only the fields given change; ``invitees`` is the whole new list
    (people taken off it get a cancellation, new ones the invitation)."""

    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    access = serializers.ChoiceField(choices=Access.choices, required=False)
    lobby = serializers.BooleanField(required=False)
    invitees = serializers.ListField(child=serializers.EmailField(), required=False, max_length=500)


class AccessSerializer(serializers.Serializer[None]):
    access = serializers.ChoiceField(choices=Access.choices)


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    class Meta:
        model = Participant
        fields = ["id", "display_name", "role", "state"]
        read_only_fields = fields


class PersonSerializer(ParticipantSerializer):
    """Someone as the others in the meeting see them: with the Janus ids of their camera and
    screen, so that a browser knows whose video a feed is."""

    class Meta(ParticipantSerializer.Meta):
        fields = [
            *ParticipantSerializer.Meta.fields, "feed", "screen_feed", "hand_raised_at", "guest",
            "microphone", "camera",
        ]  # fmt: skip
        read_only_fields = fields

    feed = serializers.IntegerField(source="janus_feed", read_only=True)
    screen_feed = serializers.IntegerField(source="janus_screen_feed", read_only=True)
    guest = serializers.SerializerMethodField()

    def get_guest(self, participant: Participant) -> bool:
        return participant.user_id is None


class SendSerializer(chat_api.SendSerializer):
    """A message of the meeting's chat: text (Markdown) only; files and replies are the Chat
    page's."""

    reply_to = None  # type: ignore[assignment]
    attachments = None  # type: ignore[assignment]


class ChatSerializer(serializers.Serializer[None]):
    room = serializers.UUIDField(source="room.pk")
    stream = serializers.CharField(source="room.stream")
    seq = serializers.IntegerField()
    messages = chat_api.MessageSerializer(many=True)


class ReactSerializer(serializers.Serializer[None]):
    emoji = serializers.CharField(max_length=32)


class DevicesSerializer(serializers.Serializer[None]):
    microphone = serializers.BooleanField()
    camera = serializers.BooleanField()
    janus_session = serializers.IntegerField(required=False, min_value=1)
    janus_handle = serializers.IntegerField(required=False, min_value=1)


class RecordSerializer(serializers.Serializer[None]):
    recording = serializers.BooleanField()


class JoinSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HandSerializer(serializers.Serializer[None]):
    raised = serializers.BooleanField()


class RoleSerializer(serializers.Serializer[None]):
    role = serializers.ChoiceField(choices=[MeetRole.MODERATOR, MeetRole.PARTICIPANT])


class MuteSerializer(serializers.Serializer[None]):
    participant = serializers.UUIDField(required=False, allow_null=True, default=None)


class LockSerializer(serializers.Serializer[None]):
    locked = serializers.BooleanField()


class RecordingSerializer(serializers.ModelSerializer[Recording]):
    meeting = serializers.CharField(source="meeting.code", read_only=True)
    title = serializers.CharField(source="meeting.title", read_only=True)

    class Meta:
        model = Recording
        fields = [
            "id", "meeting", "title", "state", "created_at", "stopped_at", "duration", "size",
            "error",
        ]  # fmt: skip
        read_only_fields = fields
