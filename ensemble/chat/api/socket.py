"""The chat's commands on the WebSocket: the same actions as the REST API, for clients that
keep a socket open anyway (one frame per message instead of one HTTP request).

    {"action": "call", "id": "c1", "command": "chat.send",
     "payload": {"room": "<id>", "txn_id": "…", "body": "…", "reply_to": null, "attachments": []}}
    -> {"type": "result", "id": "c1", "status": 201, "data": {the message}}
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.chat import storage
from ensemble.chat.actions import sending
from ensemble.chat.api.serializers import SendSerializer, message_data
from ensemble.chat.api.views import visible_rooms, with_membership
from ensemble.chat.models import Room
from ensemble.core import loopdb


def send(user: Any, payload: Any) -> tuple[int, Any]:
    return send_together([(user, payload)])[0]


def send_together(calls: list[tuple[Any, Any]]) -> list[tuple[int, Any]]:
    """chat.send calls that arrived together (core.realtime batches them), sent by the
    database thread's executor of the sending plan (actions/sending.py): plain messages are
    stored without reading their rooms, the others' rooms are read by senders_rooms. Each
    call gets its own answer, its refusals in its sender's language."""
    answers: list[tuple[int, Any] | None] = [None] * len(calls)
    for language, group in by_language(calls):
        with translation.override(language):
            indices, drafts = checked_calls([calls[i] for i in group], answers, group)
            for index, outcome in zip(indices, sending.send(drafts, read_rooms), strict=True):
                answers[index] = answer_of(outcome)
    return answers  # type: ignore[return-value]


async def send_in_loop(calls: list[tuple[Any, Any]]) -> list[tuple[int, Any] | None]:
    """On PostgreSQL, the event loop's executor of the sending plan (plain messages); None
    for the calls send_together is to handle in the database thread."""
    answers: list[tuple[int, Any] | None] = [None] * len(calls)
    if not loopdb.available():
        return answers
    for language, group in by_language(calls):
        with translation.override(language):
            refused: list[tuple[int, Any] | None] = [None] * len(calls)  # answered there
            indices, drafts = checked_calls([calls[i] for i in group], refused, group)
            for index, outcome in zip(indices, await sending.send_in_loop(drafts), strict=True):
                if outcome is not None:
                    answers[index] = answer_of(outcome)
    return answers


def by_language(calls: list[tuple[Any, Any]]) -> list[tuple[str, list[int]]]:
    """The calls' places grouped by their sender's language (a batch may hold people of
    several): each group is sent in its language, so that its refusals are written in it."""
    groups: dict[str, list[int]] = {}
    for index, (user, _payload) in enumerate(calls):
        groups.setdefault(user.reads, []).append(index)
    return list(groups.items())


def read_rooms(drafts: list[sending.Draft]) -> list[Room | None]:
    """The rooms of drafts sent by their id: where the sender may post, in one query (who
    sends nearly every message is a member); otherwise the full visibility rules (a forum
    one may read, and then may not post: the plan says so), or None."""
    found = storage.senders_rooms({(draft.sender, draft.room.pk) for draft in drafts})
    rooms: list[Room | None] = []
    for draft in drafts:
        room = found.get((draft.sender, draft.room.pk))
        if room is None and draft.user is not None:
            visible = with_membership(visible_rooms(draft.user), draft.user)
            room = visible.filter(pk=draft.room.pk).first()
        rooms.append(room)
    return rooms


def checked_calls(
    calls: list[tuple[Any, Any]], answers: list[tuple[int, Any] | None], places: list[int]
) -> tuple[list[int], list[sending.Draft]]:
    """The calls that ask for something valid, each with its draft (its room only an id) and
    its place among the batch's (``places``); the others' answers go in ``answers``."""
    indices, drafts = [], []
    for index, (user, payload) in zip(places, calls, strict=True):
        checked = parsed(payload)
        if isinstance(checked[0], int):  # refused: the answer
            answers[index] = checked
            continue
        room_id, fields = checked
        indices.append(index)
        drafts.append(
            sending.Draft(
                Room(pk=room_id),
                fields["txn_id"],
                fields["body"],
                user,
                reply_to=fields.get("reply_to"),
                attachments=fields["attachments"],
                mentions=fields["mentions"],
                room_read=False,
            )
        )
    return indices, drafts


def answer_of(outcome: sending.Outcome) -> tuple[int, Any]:
    if isinstance(outcome, ActionRefused):
        return outcome.status_code, {"detail": str(outcome)}
    message, created = outcome
    return (201 if created else 200), message_data(message)


def parsed(payload: Any) -> tuple[uuid.UUID, dict[str, Any]] | tuple[int, Any]:
    """The room and the checked fields of a call, or the answer that refuses it."""
    if not isinstance(payload, dict):
        return 400, {"detail": _("'payload' must be an object.")}
    try:
        room_id = uuid.UUID(str(payload.get("room")))
    except ValueError:
        return 400, {"room": [_("Give a room id.")]}
    fields, errors = SendSerializer.check(payload)
    if fields is None:
        return 400, errors
    return room_id, fields
