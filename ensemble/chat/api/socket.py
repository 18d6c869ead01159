"""The chat's commands on the WebSocket: the same actions as the REST API, for clients that
keep a socket open anyway (one frame per message instead of one HTTP request).

    {"action": "call", "id": "c1", "command": "chat.send",
     "payload": {"room": "<id>", "txn_id": "…", "body": "…", "reply_to": null, "attachments": []}}
    -> {"type": "result", "id": "c1", "status": 201, "data": {the message}}
"""

from __future__ import annotations

import uuid
from typing import Any

from ensemble.accounts.actions import ActionRefused
from ensemble.chat import actions
from ensemble.chat.api.serializers import MessageSerializer, SendSerializer
from ensemble.chat.api.views import visible_rooms, with_membership
from ensemble.chat.models import NotifyLevel, Room, RoomMember
from ensemble.core import sql

MEMBERS = RoomMember._meta.db_table
MEMBER_ROOM = (
    f"SELECT room.kind, room.name, member.role, EXISTS (SELECT 1 FROM {MEMBERS} other "  # noqa: S608
    "WHERE other.room_id = room.id AND other.notify = %s AND NOT other.banned) "
    f"FROM {Room._meta.db_table} room JOIN {MEMBERS} member ON member.room_id = room.id "
    "WHERE room.id = %s AND member.user_id = %s AND NOT member.banned "
    "AND room.archived_at IS NULL"
)


def writable_room(user: Any, room_id: uuid.UUID) -> Room | None:
    """The room, if ``user`` may see it. Members of a live room (who send nearly every
    message) are found with one hand-written query, the room's other fields read only if
    asked for; anyone else goes through the full visibility rules."""
    room_key, user_key = (
        sql.db_value(Room, "id", room_id),
        sql.db_value(RoomMember, "user", user.pk),
    )
    rows = sql.fetch(MEMBER_ROOM, [NotifyLevel.ALL.value, room_key, user_key])
    if rows:
        kind, name, role, every = rows[0]
        room = Room.from_db(
            "default", ["id", "kind", "name", "archived_at"], [room_id, kind, name, None]
        )
        room.my_role, room.my_banned = role, False  # type: ignore[attr-defined]
        room.every_message = bool(every)  # type: ignore[attr-defined]
        return room
    return with_membership(visible_rooms(user), user).filter(pk=room_id).first()


def send(user: Any, payload: Any) -> tuple[int, Any]:
    if not isinstance(payload, dict):
        return 400, {"detail": "'payload' must be an object."}
    try:
        room_id = uuid.UUID(str(payload.get("room")))
    except ValueError:
        return 400, {"room": ["Give a room id."]}
    fields, errors = SendSerializer.check(payload)
    if fields is None:
        return 400, errors
    room = writable_room(user, room_id)
    if room is None:
        return 404, {"detail": "No such room, or you are not in it."}
    try:
        message, created = actions.send_message(
            user, room, fields["txn_id"], fields["body"], fields.get("reply_to"),
            fields["attachments"],
        )  # fmt: skip
    except ActionRefused as refusal:
        return refusal.status_code, {"detail": str(refusal)}
    return (201 if created else 200), MessageSerializer(message).data
