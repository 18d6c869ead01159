from ensemble.chat.models.attachments import Attachment
from ensemble.chat.models.messages import Message, MessageRevision, Reaction
from ensemble.chat.models.rooms import (
    CREATED_KINDS,
    NotifyLevel,
    Room,
    RoomKind,
    RoomMember,
    RoomRole,
)

__all__ = [
    "CREATED_KINDS",
    "Attachment",
    "Message",
    "MessageRevision",
    "NotifyLevel",
    "Reaction",
    "Room",
    "RoomKind",
    "RoomMember",
    "RoomRole",
]
