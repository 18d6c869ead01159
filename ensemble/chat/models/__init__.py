from ensemble.chat.models.messages import Message, MessageRevision
from ensemble.chat.models.rooms import Room, RoomKind, RoomMember, RoomRole

__all__ = ["Message", "MessageRevision", "Room", "RoomKind", "RoomMember", "RoomRole"]
