"""Typing and presence: live, never stored, sent only by those allowed and as who they are."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.models import StreamEvent
from ensemble.core.tests.test_stream import connect, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def follow(user: Any, room: Any) -> WebsocketCommunicator:
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    await receive_until(socket, "subscribed")
    return socket


async def next_signal(socket: WebsocketCommunicator, name: str) -> dict[str, Any]:
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "signal" and message["signal"] == name:
            return message
        assert message["type"] in ("signal", "event"), message


async def test_typing_reaches_the_other_members_as_the_real_sender() -> None:
    writer = await database_sync_to_async(RoomMemberFactory)()
    room = writer.room
    reader = await database_sync_to_async(RoomMemberFactory)(room=room)
    watching = await follow(reader.user, room)
    typing = await follow(writer.user, room)
    pretend = {"typing": True, "user": str(reader.user.pk), "name": "Someone else"}
    await typing.send_json_to(
        {"action": "signal", "stream": room.stream, "signal": "chat.typing", "payload": pretend}
    )
    signal = await next_signal(watching, "chat.typing")
    assert signal["stream"] == room.stream
    assert signal["payload"] == {
        "user": str(writer.user.pk),
        "name": str(writer.user),
        "typing": True,
    }
    assert not await database_sync_to_async(StreamEvent.objects.filter(stream=room.stream).exists)()
    await typing.disconnect()
    await watching.disconnect()


async def test_bad_or_forbidden_signals_are_refused_clearly() -> None:
    room = await database_sync_to_async(RoomFactory)(kind=RoomKind.FORUM)
    reader = await database_sync_to_async(UserFactory)(organisation=room.organisation)
    socket = await follow(reader, room)  # a forum is readable by the organisation...
    await socket.send_json_to({"action": "signal", "stream": room.stream, "signal": "chat.typing"})
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "forbidden")  # ...not writable
    await socket.send_json_to({"action": "signal", "stream": room.stream, "signal": "nope"})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_message"
    await socket.send_json_to({"action": "signal", "stream": "user:x", "signal": "chat.typing"})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_message"
    await socket.send_json_to({"action": "presence", "state": "sleeping"})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_message"
    await socket.disconnect()


async def test_typing_through_the_api_and_who_may() -> None:
    writer = await database_sync_to_async(RoomMemberFactory)()
    room = writer.room
    reader = await database_sync_to_async(RoomMemberFactory)(room=room)
    watching = await follow(reader.user, room)

    def post_as(user: Any | None, typing: Any = False) -> int:
        client = Client()
        if user is not None:
            client.force_login(user)
        url = f"/api/v1/chat/rooms/{room.pk}/typing/"
        return client.post(url, {"typing": typing}, content_type="application/json").status_code

    assert await database_sync_to_async(post_as)(writer.user) == 204
    signal = await next_signal(watching, "chat.typing")
    assert signal["payload"]["typing"] is False and signal["payload"]["user"] == str(writer.user.pk)
    stranger = await database_sync_to_async(UserFactory)()
    assert await database_sync_to_async(post_as)(stranger) == 404
    assert await database_sync_to_async(post_as)(None) == 401
    assert await database_sync_to_async(post_as)(writer.user, "maybe") == 400
    await watching.disconnect()


async def test_presence_online_away_offline_is_announced_and_queried() -> None:
    first = await database_sync_to_async(RoomMemberFactory)()
    room = first.room
    second = await database_sync_to_async(RoomMemberFactory)(room=room)
    absent = await database_sync_to_async(RoomMemberFactory)(room=room)
    watching = await follow(second.user, room)

    socket = await connect(first.user)
    assert (await next_signal(watching, "presence"))["payload"] == {
        "user": str(first.user.pk),
        "state": "online",
    }
    await socket.send_json_to({"action": "presence", "state": "away"})
    assert (await next_signal(watching, "presence"))["payload"]["state"] == "away"

    def states(user: Any) -> tuple[int, Any]:
        client = Client()
        client.force_login(user)
        response = client.get(f"/api/v1/chat/rooms/{room.pk}/presence/")
        return response.status_code, response.json()

    assert await database_sync_to_async(states)(second.user) == (
        200,
        {
            str(first.user.pk): "away",
            str(second.user.pk): "online",
            str(absent.user.pk): "offline",
        },
    )
    stranger = await database_sync_to_async(UserFactory)()
    assert (await database_sync_to_async(states)(stranger))[0] == 404

    await socket.send_json_to({"action": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    await socket.disconnect()
    assert (await next_signal(watching, "presence"))["payload"]["state"] == "offline"
    await watching.disconnect()
