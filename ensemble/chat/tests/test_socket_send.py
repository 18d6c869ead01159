"""Sending on the WebSocket: the same action, guarantees and refusals as the REST API."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Message, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.tests.test_stream import connect, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def call(socket: WebsocketCommunicator, payload: Any, command: str = "chat.send") -> Any:
    await socket.send_json_to(
        {"action": "call", "id": "c1", "command": command, "payload": payload}
    )
    while True:
        answer = await socket.receive_json_from(timeout=5)
        if answer["type"] == "result":
            assert answer["id"] == "c1"
            return answer


async def test_a_member_sends_once_and_the_room_receives_it() -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    reader = await database_sync_to_async(RoomMemberFactory)(room=room)
    watching = await connect(reader.user)
    await watching.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    await receive_until(watching, "subscribed")
    socket = await connect(member.user)
    payload = {"room": str(room.pk), "txn_id": "w1", "body": "par la *socket*"}
    first = await call(socket, payload)
    assert first["status"] == 201 and first["data"]["html"] == "<p>par la <em>socket</em></p>\n"
    again = await call(socket, payload)
    assert again["status"] == 200 and again["data"]["id"] == first["data"]["id"]
    assert await database_sync_to_async(Message.objects.count)() == 1
    event = await receive_until(watching, "event")
    assert event[-1]["payload"]["id"] == first["data"]["id"]
    await socket.disconnect()
    await watching.disconnect()


async def test_refusals_carry_the_status_the_api_would_give() -> None:
    forum = await database_sync_to_async(RoomFactory)(kind=RoomKind.FORUM)
    reader = await database_sync_to_async(UserFactory)(organisation=forum.organisation)
    private = await database_sync_to_async(RoomMemberFactory)()
    member = await database_sync_to_async(RoomMemberFactory)(room=forum)
    socket = await connect(reader)
    assert (await call(socket, {"room": str(forum.pk), "txn_id": "a", "body": "x"}))[
        "status"
    ] == 403
    hidden = {"room": str(private.room.pk), "txn_id": "b", "body": "x"}
    assert (await call(socket, hidden))["status"] == 404
    assert (await call(socket, {"room": "nope", "txn_id": "c", "body": "x"}))["status"] == 400
    assert (await call(socket, {"room": str(forum.pk), "body": "x"}))["status"] == 400
    assert (await call(socket, {}, command="chat.nothing"))["status"] == 400
    await socket.send_json_to({"action": "call", "command": "chat.send", "payload": {}})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_message"
    await socket.disconnect()
    banned = await database_sync_to_async(RoomMemberFactory)(room=private.room, banned=True)
    outcast = await connect(banned.user)
    assert (await call(outcast, {**hidden, "txn_id": "e"}))["status"] == 404
    await outcast.disconnect()
    writer = await connect(member.user)
    long = {"room": str(forum.pk), "txn_id": "d", "body": "x" * 70000}
    assert (await call(writer, long))["status"] == 413
    await writer.disconnect()
