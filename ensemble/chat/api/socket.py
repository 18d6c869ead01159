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
from ensemble.chat.actions.sending import Draft, Sent, send_messages, send_plain, send_plain_in_loop
from ensemble.chat.api.serializers import MessageSerializer, SendSerializer
from ensemble.chat.api.views import visible_rooms, with_membership
from ensemble.chat.models import NotifyLevel, Room, RoomMember
from ensemble.core import loopdb, sql

MEMBERS = RoomMember._meta.db_table
MEMBER_ROOMS = (
    "SELECT room.id, member.user_id, room.kind, room.name, room.organisation_id, member.role, "  # noqa: S608
    f"EXISTS (SELECT 1 FROM {MEMBERS} other WHERE other.room_id = room.id "
    "AND other.notify = %s AND NOT other.banned) "
    f"FROM {Room._meta.db_table} room JOIN {MEMBERS} member ON member.room_id = room.id "
    "WHERE NOT member.banned AND room.archived_at IS NULL AND ({pairs})"
)


def writable_rooms(pairs: set[tuple[Any, uuid.UUID]]) -> dict[tuple[Any, uuid.UUID], Room]:
    """The live rooms of these (user id, room id) pairs where the user is a member (who sends
    nearly every message), with one hand-written query; only the fields sending needs are
    read, the others come if asked for."""
    if not pairs:
        return {}
    params: list[Any] = [NotifyLevel.ALL.value]
    for user_id, room_id in pairs:
        params += [sql.db_value(Room, "id", room_id), sql.db_value(RoomMember, "user", user_id)]
    condition = " OR ".join(["(room.id = %s AND member.user_id = %s)"] * len(pairs))
    found = {}
    for room_id, user_id, kind, name, organisation, role, every in sql.fetch(
        MEMBER_ROOMS.format(pairs=condition), params, prepared=True
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


def send(user: Any, payload: Any) -> tuple[int, Any]:
    return send_together([(user, payload)])[0]


def send_together(calls: list[tuple[Any, Any]]) -> list[tuple[int, Any]]:
    """chat.send calls that arrived together (core.realtime batches them). Plain messages
    (text alone) go first to send_plain, which stores them without reading their
    rooms: one round trip less for nearly every message. The others, and those whose room's
    guarded write did not go, the usual way: one query for the senders' rooms, then
    send_messages. A room's calls go one way or the other, in their order; each
    call gets its own answer."""
    answers: list[tuple[int, Any] | None] = [None] * len(calls)
    wanted, drafts = checked_calls(calls, answers)
    quick = plain_ones(wanted, drafts)
    usual = [call for call in wanted if call[0] not in quick]
    for index, outcome in zip(quick, send_plain([drafts[i] for i in quick]), strict=True):
        if outcome is None:
            usual.append(next(call for call in wanted if call[0] == index))
        else:
            answers[index] = answer_of(outcome)
    usual.sort(key=lambda call: call[0])  # in the order they came
    rooms = writable_rooms({(user.pk, room_id) for _index, user, room_id, _fields in usual})
    ready, senders = [], []
    for index, user, room_id, _fields in usual:
        room = rooms.get((user.pk, room_id)) or (
            # not a member: the full visibility rules (a forum one may read, or nothing)
            with_membership(visible_rooms(user), user).filter(pk=room_id).first()
        )
        if room is None:
            answers[index] = (404, {"detail": "No such room, or you are not in it."})
            continue
        drafts[index].room = room
        ready.append(drafts[index])
        senders.append(index)
    for index, outcome in zip(senders, send_messages(ready), strict=True):
        answers[index] = answer_of(outcome)
    return answers  # type: ignore[return-value]


async def send_in_loop(calls: list[tuple[Any, Any]]) -> list[tuple[int, Any] | None]:
    """On PostgreSQL, plain messages stored from the event loop (send_plain_in_loop);
    None for the calls send_together is to handle in the database thread."""
    answers: list[tuple[int, Any] | None] = [None] * len(calls)
    if not loopdb.available():
        return answers
    wanted, drafts = checked_calls(calls, [None] * len(calls))  # refusals: answered there
    quick = plain_ones(wanted, drafts)
    outcomes = await send_plain_in_loop([drafts[i] for i in quick])
    for index, outcome in zip(quick, outcomes, strict=True):
        if outcome is not None:
            answers[index] = answer_of(outcome)
    return answers


Wanted = tuple[int, Any, uuid.UUID, dict[str, Any]]  # call's index, user, room id, fields


def checked_calls(
    calls: list[tuple[Any, Any]], answers: list[tuple[int, Any] | None]
) -> tuple[list[Wanted], dict[int, Draft]]:
    """The calls that ask for something valid, each with its draft (its room only an id);
    the others' answers go in ``answers``."""
    wanted: list[Wanted] = []
    for index, (user, payload) in enumerate(calls):
        checked = parsed(payload)
        if isinstance(checked[0], int):  # refused: the answer
            answers[index] = checked
        else:
            room_id, fields = checked
            wanted.append((index, user, room_id, fields))
    drafts = {index: draft_of(user, Room(pk=room_id), fields)
              for index, user, room_id, fields in wanted}  # fmt: skip
    return wanted, drafts


def plain_ones(wanted: list[Wanted], drafts: dict[int, Draft]) -> list[int]:
    """The calls that may be stored without reading their rooms: plain, in a room where no
    call of the batch is not (a room's calls go one way, to keep their order)."""
    not_plain = {room_id for index, _user, room_id, _fields in wanted if not drafts[index].plain}
    return [index for index, _user, room_id, _fields in wanted if room_id not in not_plain]


def draft_of(user: Any, room: Room, fields: dict[str, Any]) -> Draft:
    return Draft(
        user, room, fields["txn_id"], fields["body"], fields.get("reply_to"), fields["attachments"]
    )


def answer_of(outcome: Sent | ActionRefused) -> tuple[int, Any]:
    if isinstance(outcome, ActionRefused):
        return outcome.status_code, {"detail": str(outcome)}
    message, created = outcome
    return (201 if created else 200), MessageSerializer(message).data


def parsed(payload: Any) -> tuple[uuid.UUID, dict[str, Any]] | tuple[int, Any]:
    """The room and the checked fields of a call, or the answer that refuses it."""
    if not isinstance(payload, dict):
        return 400, {"detail": "'payload' must be an object."}
    try:
        room_id = uuid.UUID(str(payload.get("room")))
    except ValueError:
        return 400, {"room": ["Give a room id."]}
    fields, errors = SendSerializer.check(payload)
    if fields is None:
        return 400, errors
    return room_id, fields
