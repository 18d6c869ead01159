from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from ensemble.accounts.models import User
from ensemble.chat.models import (
    CREATED_KINDS,
    Attachment,
    Message,
    NotifyLevel,
    Room,
    RoomKind,
    RoomMember,
    RoomRole,
)

MAX_MESSAGE_BYTES = 64 * 1024
MAX_MENTIONS = 50  # people named in one message (@room names everyone)


class RoomSerializer(serializers.ModelSerializer[Room]):
    abilities = serializers.SerializerMethodField()
    stream = serializers.CharField(read_only=True)
    role = serializers.CharField(source="my_role", read_only=True, allow_null=True, default=None)
    notify = serializers.CharField(
        source="my_notify", read_only=True, allow_null=True, default=None
    )
    unread = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = [
            "id",
            "kind",
            "name",
            "title",
            "avatar",
            "topic",
            "created_at",
            "archived_at",
            "stream",
            "role",
            "notify",
            "retention_days",
            "unread",
            "mentions",
            "abilities",
        ]
        read_only_fields = fields

    def get_title(self, room: Room) -> str:
        """What to call the room: its name, or for a direct one, the other person."""
        if room.kind != RoomKind.DIRECT:
            return room.name
        me = self.context["request"].user
        other = room.members.exclude(user=me).select_related("user").first()
        return str(other.user) if other else str(room)

    def get_avatar(self, room: Room) -> str | None:
        """Where the room's picture is read (members and readers), or null."""
        return f"/api/v1/chat/rooms/{room.pk}/avatar/" if room.avatar else None

    def get_unread(self, room: Room) -> int:
        return int(getattr(room, "unread", None) or 0) if getattr(room, "my_role", None) else 0

    def get_mentions(self, room: Room) -> int:
        return (
            int(getattr(room, "mention_count", None) or 0) if getattr(room, "my_role", None) else 0
        )

    def get_abilities(self, room: Room) -> dict[str, bool]:
        return room.get_abilities(self.context["request"].user)


class RoomCreateSerializer(serializers.Serializer[None]):
    kind = serializers.ChoiceField(choices=CREATED_KINDS)
    name = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        # scan: pending, clean, infected, failed or unscanned (ensemble.core.scanning)
        fields = ["id", "name", "content_type", "size", "width", "height", "thumbnail", "scan"]
        read_only_fields = fields

    def get_thumbnail(self, attachment: Attachment) -> bool:
        return bool(attachment.thumbnail)


# What MessageSerializer shows of other tables: fetched beforehand with each page of messages.
MESSAGE_RELATED = ("reactions", "attachments", "mentions")


class MessageSerializer(serializers.ModelSerializer[Message]):
    attachments = AttachmentSerializer(many=True, read_only=True)
    mentions: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The members this message names (@their name)."
    )
    author_name = serializers.CharField(read_only=True)
    guest = serializers.SerializerMethodField()
    edited = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    pinned = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "pinned",
            "reactions",
            "id",
            "seq",
            "room",
            "author",
            "author_name",
            "guest",
            "body",
            "html",
            "reply_to",
            "created_at",
            "edited",
            "deleted",
            "attachments",
            "mentions",
        ]
        read_only_fields = fields

    def get_guest(self, message: Message) -> bool:
        """Written by a guest of a meeting, who has no account."""
        return message.guest is not None

    def get_edited(self, message: Message) -> bool:
        return message.edited_at is not None

    def get_deleted(self, message: Message) -> bool:
        return message.deleted_at is not None

    def get_pinned(self, message: Message) -> bool:
        return message.pinned_at is not None

    def get_reactions(self, message: Message) -> dict[str, list[str]]:
        """{emoji: [ids of the people who reacted]}, in a stable order."""
        summary: dict[str, list[str]] = {}
        reactions = related(message, "reactions")
        for reaction in sorted(reactions, key=lambda r: (r.created_at, str(r.pk))):
            summary.setdefault(reaction.emoji, []).append(str(reaction.user_id))
        return summary

    def to_representation(self, message: Message) -> dict[str, Any]:
        """Written out by hand: every message sent is serialized on the hot path, and building
        the ModelSerializer's fields for each one costs more than the rest of the work. The
        declared fields above still describe it (OpenAPI); a test checks both agree."""
        deleted = message.deleted_at is not None  # the trace stays, the content goes
        return {
            "pinned": message.pinned_at is not None,
            "reactions": self.get_reactions(message),
            "id": str(message.pk),
            "seq": message.seq,
            "room": str(message.room_id),
            "author": str(message.author_id) if message.author_id else None,
            "author_name": message.author_name,
            "guest": message.guest is not None,
            "body": "" if deleted else message.body,
            "html": "" if deleted else message.html,
            "reply_to": str(message.reply_to_id) if message.reply_to_id else None,
            "created_at": TIMESTAMP.to_representation(message.created_at),
            "edited": message.edited_at is not None,
            "deleted": deleted,
            "attachments": [attachment_data(file) for file in related(message, "attachments")],
            "mentions": [str(user.pk) for user in related(message, "mentions")],
        }


def related(message: Message, name: str) -> Any:
    """A message's related objects, from what was fetched beforehand if it was (MESSAGE_RELATED,
    or a new message's known files): making Django's related manager costs more than reading."""
    cache = getattr(message, "_prefetched_objects_cache", None)
    return cache[name] if cache and name in cache else getattr(message, name).all()


SHOWN = MessageSerializer()


def message_data(message: Message) -> dict[str, Any]:
    """What MessageSerializer(message).data gives, without making a serializer each time (a
    message sent is shown twice on the hot path: its event, and its sender's answer)."""
    return SHOWN.to_representation(message)


TIMESTAMP = serializers.DateTimeField()


def attachment_data(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": str(attachment.pk),
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "thumbnail": bool(attachment.thumbnail),
        "scan": attachment.scan,
    }


TXN_ID = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")


class SendSerializer(serializers.Serializer[None]):
    txn_id = serializers.RegexField(
        TXN_ID,
        help_text="Chosen by the client: sending again with the same id adds no second message.",
    )
    reply_to = serializers.UUIDField(required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        help_text="Files uploaded to the room beforehand (…/attachments/), sent with this text.",
    )
    mentions = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=MAX_MENTIONS,
        help_text="The ids of the members this message names (each is told); the text shows "
        "them as @their name. Someone named who is not a member is left out.",
    )
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)

    @classmethod
    def check(cls, data: Any) -> tuple[dict[str, Any] | None, Any]:
        """(fields, None) or (None, errors). The usual message (text, no reply, no files) is
        checked by hand: running the serializer cost more than storing the message."""
        txn_id, body = data.get("txn_id"), data.get("body")
        plain = not (data.get("reply_to") or data.get("attachments") or data.get("mentions"))
        if plain and isinstance(txn_id, str) and TXN_ID.match(txn_id) and isinstance(body, str):
            fields: dict[str, Any] = {"txn_id": txn_id, "body": body, "reply_to": None}
            return {**fields, "attachments": [], "mentions": []}, None
        serializer = cls(data=data)
        if serializer.is_valid():
            return {"reply_to": None, **serializer.validated_data}, None
        return None, serializer.errors


class ReadSerializer(serializers.Serializer[None]):
    seq = serializers.IntegerField(min_value=0)


class NotifySerializer(serializers.Serializer[None]):
    notify = serializers.ChoiceField(choices=NotifyLevel.choices)


class RoomUpdateSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200, required=False)
    topic = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MemberSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=RoomRole.choices, default=RoomRole.MEMBER)


class RoomInvitationSerializer(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)


class DirectSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class RetentionSerializer(serializers.Serializer[None]):
    days = serializers.IntegerField(min_value=1, max_value=36500, allow_null=True)


class TypingSerializer(serializers.Serializer[None]):
    typing = serializers.BooleanField(default=True)


class EditSerializer(serializers.Serializer[None]):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)


class RoomMemberEntrySerializer(serializers.Serializer[RoomMember]):
    """One person of a room as its members panel shows them (``external``: a guest, or someone
    of another organisation than the room's). ``email``: null for a reader who may not see the
    members' addresses (those of another organisation, or external, unless moderators)."""

    user = serializers.UUIDField(source="user_id")
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=RoomRole.choices)
    organisation = serializers.SerializerMethodField()
    external = serializers.SerializerMethodField()

    def get_name(self, member: RoomMember) -> str:
        return str(member.user)

    def get_email(self, member: RoomMember) -> str | None:
        return member.user.email if self.context.get("emails") else None

    def get_organisation(self, member: RoomMember) -> str:
        organisation = member.user.organisation
        return organisation.name if organisation else ""

    def get_external(self, member: RoomMember) -> bool:
        user, room = member.user, member.room
        return user.is_external or user.organisation_id != room.organisation_id
