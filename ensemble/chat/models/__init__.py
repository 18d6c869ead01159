from ensemble.chat.models.messages import Message
from ensemble.chat.models.rooms import Room, RoomKind, RoomMember, RoomRole

__all__ = ["Message", "Room", "RoomKind", "RoomMember", "RoomRole"]
