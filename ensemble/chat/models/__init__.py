from ensemble.chat.models.messages import Message, MessageRevision
from ensemble.chat.models.rooms import NotifyLevel, Room, RoomKind, RoomMember, RoomRole

__all__ = [
    "Message",
    "MessageRevision",
    "NotifyLevel",
    "Room",
    "RoomKind",
    "RoomMember",
    "RoomRole",
]
