"""The chat on the real-time kernel: room streams, the typing signal, presence audiences."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

ROOM_KIND = "chat.room"
TYPING = "chat.typing"
AUDIENCE_MAX_ROOMS = 500


def room_of(stream_or_key: str) -> Any:
    from ensemble.chat.models import Room

    key = stream_or_key.removeprefix(ROOM_KIND + ":")
    try:
        uuid.UUID(key)
    except ValueError:
        return None
    return Room.objects.filter(pk=key).first()


def may_read_room(user: Any, key: str) -> bool:
    room = room_of(key)
    return room is not None and room.get_abilities(user)["retrieve"]


def may_type_in(user: Any, stream: str) -> bool:
    room = room_of(stream) if stream.startswith(ROOM_KIND + ":") else None
    from ensemble.chat.posting import may_post

    return room is not None and may_post(room, user)


def typing_payload(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {"user": str(user.pk), "name": str(user), "typing": bool(data.get("typing", True))}


def rooms_of(user: Any) -> Iterable[str]:
    """Presence is announced in the rooms one is in."""
    from ensemble.chat.models import RoomMember

    rooms = RoomMember.objects.filter(user=user, banned=False, room__archived_at__isnull=True)
    ids = rooms.values_list("room_id", flat=True)[:AUDIENCE_MAX_ROOMS]
    return [f"{ROOM_KIND}:{room_id}" for room_id in ids]


def register() -> None:
    from ensemble.chat.api import socket
    from ensemble.core.ephemeral import signal_kind
    from ensemble.core.events import stream_kind
    from ensemble.core.presence import presence_audience
    from ensemble.core.realtime import socket_command

    socket_command(
        "chat.send", socket.send, together=socket.send_together, in_loop=socket.send_in_loop
    )
    stream_kind(ROOM_KIND, may_read_room)
    signal_kind(TYPING, may_type_in, typing_payload)
    presence_audience(rooms_of)
