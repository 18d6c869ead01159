from typing import Any


def may_read_room(user: Any, key: str) -> bool:
    from ensemble.chat.models import Room

    room = Room.objects.filter(pk=key).first() if _is_uuid(key) else None
    return room is not None and room.get_abilities(user)["retrieve"]


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def register() -> None:
    from ensemble.core.events import stream_kind

    stream_kind("chat.room", may_read_room)
