"""Who may write in a room, once for the whole chat: sending, uploading a file, editing,
reacting and typing all ask may_post(). storage.POSTS is the same rule in SQL, for the
writes that do not read the room first (tests/test_posting.py checks that they agree)."""

from __future__ import annotations

from typing import Any

from ensemble.chat.models import Room, RoomKind


def may_post(room: Room, user: Any | None) -> bool:
    """A member who is not banned, in a room that is not archived; ``user`` None is a guest of
    a meeting without an account (Meet has checked that they are in it): in a live meeting's
    room."""
    if user is None:
        return room.kind == RoomKind.MEETING and room.archived_at is None
    return bool(room.get_abilities(user)["post"])
