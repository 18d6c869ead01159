from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel

from ensemble.core.events import Event, event_type


class AttachmentInfo(BaseModel):
    id: UUID
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    thumbnail: bool
    scan: str  # pending, clean, infected, failed or unscanned (core/scanning.py)


@event_type("chat.attachment.scanned")
class AttachmentScanned(Event):
    """A sent file's malware scan changed its state (pages show it: core/scanning.py)."""

    id: UUID
    message: UUID
    scan: str


@event_type("chat.message.created")
class MessageCreated(Event):
    id: UUID
    seq: int
    room: UUID
    author: UUID | None
    author_name: str
    guest: bool = False
    body: str
    html: str
    reply_to: UUID | None
    created_at: datetime
    edited: bool
    deleted: bool
    pinned: bool
    reactions: dict[str, list[UUID]]
    attachments: list[AttachmentInfo]
    mentions: list[UUID] = []  # the members it names


@event_type("chat.message.edited")
class MessageEdited(Event):
    id: UUID
    body: str
    html: str
    edited: bool


@event_type("chat.message.deleted")
class MessageDeleted(Event):
    id: UUID


@event_type("chat.read")
class ReadMarker(Event):
    """On the reader's own stream, so that their other devices update the unread counts."""

    room: UUID
    seq: int


@event_type("chat.room.updated")
class RoomUpdated(Event):
    name: str
    topic: str
    archived: bool


@event_type("chat.member.changed")
class MemberChanged(Event):
    """Someone joined, left, was removed or banned, or got another role."""

    access_of: ClassVar[str | None] = "user"
    user: UUID
    name: str
    role: str | None
    state: str


@event_type("chat.room.joined")
class RoomJoined(Event):
    """Sent on a person's own stream (``user:<id>``) when they are now in a room (added,
    invited, a direct conversation opened with them): their open pages list it at once."""

    room: UUID


@event_type("chat.reaction.changed")
class ReactionChanged(Event):
    message: UUID
    emoji: str
    user: UUID
    on: bool


@event_type("chat.message.pinned")
class MessagePinned(Event):
    id: UUID
    pinned: bool
