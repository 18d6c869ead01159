from ensemble.chat.models.attachments import Attachment
from ensemble.chat.models.messages import Message, MessageRevision, Reaction
from ensemble.chat.models.rooms import NotifyLevel, Room, RoomKind, RoomMember, RoomRole

__all__ = [
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
