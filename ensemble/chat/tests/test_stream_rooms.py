"""A room's messages arrive live on /ws/ to its members, and only to them."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.sending import send_message
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.tests.test_stream import connect, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_members_receive_messages_live_and_outsiders_are_refused() -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    reader = await database_sync_to_async(RoomMemberFactory)(room=room)
    socket = await connect(reader.user)
    await socket.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(send_message)(member.user, room, "t1", "live *hello*")
    event = await socket.receive_json_from(timeout=5)
    assert event["event"] == "chat.message.created"
    assert event["payload"]["html"] == "<p>live <em>hello</em></p>\n"
    await socket.disconnect()

    outsider = await database_sync_to_async(UserFactory)(organisation=room.organisation)
    intruder = await connect(outsider)
    await intruder.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    assert (await intruder.receive_json_from(timeout=5))["code"] == "forbidden"
    for bad in ("chat.room:not-a-uuid", "chat.room:00000000-0000-0000-0000-000000000000"):
        await intruder.send_json_to({"action": "subscribe", "stream": bad, "after": 0})
        assert (await intruder.receive_json_from(timeout=5))["code"] == "forbidden"
    await intruder.disconnect()
