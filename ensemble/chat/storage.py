"""The chat's hand-written SQL, in one place (as Synapse's storage modules): named functions
for the measured hot paths of sending and for full-text search on SQLite. Actions and APIs
hold no SQL; everything else goes through the ORM."""

from __future__ import annotations

import uuid
from typing import Any

from ensemble.chat.models import NotifyLevel, Room, RoomMember
from ensemble.core import fulltext, sql
from ensemble.core.events import Guard

MEMBERS = RoomMember._meta.db_table
ROOMS = Room._meta.db_table

# "May this user post here" in SQL (actions/sending.may_post is the same rule in Python):
# a member of the room who is not banned, and the room not archived.
POSTS = "NOT member.banned AND room.archived_at IS NULL"

# Whether someone in the room (%s: its id) is notified of every message.
EVERY_MESSAGE = (
    f"EXISTS (SELECT 1 FROM {MEMBERS} other WHERE other.room_id = {{room}} "  # noqa: S608
    "AND other.notify = %s AND NOT other.banned)"
)

PLAIN_GUARD = (
    f"(SELECT count(*) FROM {MEMBERS} member JOIN {ROOMS} room ON room.id = member.room_id "  # noqa: S608
    f"WHERE room.id = %s AND {POSTS} AND member.user_id IN ({{senders}})) = %s "
    f"AND NOT {EVERY_MESSAGE.format(room='%s')}"
)

SENDERS_ROOMS = (
    "SELECT room.id, member.user_id, room.kind, room.name, room.organisation_id, member.role, "  # noqa: S608
    f"{EVERY_MESSAGE.format(room='room.id')} "
    f"FROM {ROOMS} room JOIN {MEMBERS} member ON member.room_id = room.id "
    f"WHERE {POSTS} AND ({{pairs}})"
)


def plain_send_guard(room_id: uuid.UUID, senders: set[uuid.UUID]) -> Guard:
    """The guard of a write of plain messages in a room whose row was not read: every sender
    may post there, and nobody there is to be notified of every message (such a message owes
    notifications: it goes the usual way)."""
    room = sql.db_value(Room, "id", room_id)
    users = [sql.db_value(RoomMember, "user", sender) for sender in sorted(senders)]
    condition = PLAIN_GUARD.format(senders=", ".join(["%s"] * len(users)))
    return Guard(condition, (room, *users, len(users), room, NotifyLevel.ALL.value))


def senders_rooms(pairs: set[tuple[Any, uuid.UUID]]) -> dict[tuple[Any, uuid.UUID], Room]:
    """The rooms of these (user id, room id) pairs where the user may post, in one query;
    only the fields sending needs are read (the others come if asked for), with the sender's
    role and whether anyone there is notified of every message."""
    if not pairs:
        return {}
    params: list[Any] = [NotifyLevel.ALL.value]
    for user_id, room_id in pairs:
        params += [sql.db_value(Room, "id", room_id), sql.db_value(RoomMember, "user", user_id)]
    condition = " OR ".join(["(room.id = %s AND member.user_id = %s)"] * len(pairs))
    found = {}
    for room_id, user_id, kind, name, organisation, role, every in sql.fetch(
        SENDERS_ROOMS.format(pairs=condition), params, prepared=True
    ):
        room = Room.from_db(
            "default",
            ["id", "kind", "name", "organisation_id", "archived_at"],
            [sql.python_value(Room, "id", room_id), kind, name,
             sql.python_value(Room, "organisation", organisation), None],
        )  # fmt: skip
        room.my_role, room.my_banned = role, False  # type: ignore[attr-defined]
        room.every_message = bool(every)  # type: ignore[attr-defined]
        found[(sql.python_value(RoomMember, "user", user_id), room.pk)] = room
    return found


def fts5_matches(match: str, limit: int = 1000) -> list[str]:
    """SQLite: the ids of the messages that match an FTS5 query, best first."""
    return fulltext.fts5_matches("chat_message", "message_id", match, limit)
