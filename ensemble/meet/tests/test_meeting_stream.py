"""Meeting state travels on the real-time stream, to the people in the meeting only."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.tests.test_stream import connect, receive_until
from ensemble.meet import actions
from ensemble.meet.events import stream_of

pytestmark = pytest.mark.django_db(transaction=True)


async def test_moderators_see_the_waiting_room_live_and_outsiders_cannot_follow(
    janus: Any,
) -> None:
    host, colleague, outsider = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    meeting = await database_sync_to_async(actions.create_meeting)(host, "Comité")
    hosting = await database_sync_to_async(actions.join)(meeting, host)
    info = await database_sync_to_async(actions.join_info)(hosting)
    assert info is not None and info["stream"] == stream_of(meeting)

    socket = await connect(host)
    await socket.send_json_to({"action": "subscribe", "stream": info["stream"], "after": 0})
    await receive_until(socket, "subscribed")
    waiting = await database_sync_to_async(actions.join)(meeting, colleague)
    event = (await receive_until(socket, "event"))[-1]
    assert event["event"] == "meet.participant.changed"
    assert event["payload"]["id"] == str(waiting.pk) and event["payload"]["state"] == "waiting"
    await database_sync_to_async(actions.decide)(host, waiting, True)
    event = (await receive_until(socket, "event"))[-1]
    assert (event["payload"]["id"], event["payload"]["state"]) == (str(waiting.pk), "admitted")
    await database_sync_to_async(actions.lock)(host, meeting, True)
    event = (await receive_until(socket, "event"))[-1]
    assert event["event"] == "meet.meeting.updated" and event["payload"]["locked"] is True
    await socket.disconnect()

    intruder = await connect(outsider)
    await intruder.send_json_to({"action": "subscribe", "stream": info["stream"], "after": 0})
    assert (await intruder.receive_json_from(timeout=5))["code"] == "forbidden"
    await intruder.disconnect()


async def test_a_removed_participant_stops_following_the_meeting_at_once(janus: Any) -> None:
    host, colleague = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    meeting = await database_sync_to_async(actions.create_meeting)(host, "Comité", lobby=False)
    await database_sync_to_async(actions.join)(meeting, host)
    joined = await database_sync_to_async(actions.join)(meeting, colleague)
    socket = await connect(colleague)
    await socket.send_json_to({"action": "subscribe", "stream": stream_of(meeting), "after": 0})
    await receive_until(socket, "subscribed")

    await database_sync_to_async(actions.remove)(host, joined)
    event = (await receive_until(socket, "event"))[-1]
    assert (event["payload"]["user"], event["payload"]["state"]) == (str(colleague.pk), "removed")
    assert (await receive_until(socket, "unsubscribed"))[-1]["stream"] == stream_of(meeting)
    await database_sync_to_async(actions.lock)(host, meeting, True)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_followers_of_an_ended_meeting_stop_following_it(janus: Any) -> None:
    host = await database_sync_to_async(UserFactory)()
    meeting = await database_sync_to_async(actions.create_meeting)(host, "Comité", lobby=False)
    await database_sync_to_async(actions.join)(meeting, host)
    socket = await connect(host)
    await socket.send_json_to({"action": "subscribe", "stream": stream_of(meeting), "after": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(actions.end)(host, meeting)
    assert (await receive_until(socket, "unsubscribed"))[-1]["stream"] == stream_of(meeting)
    await socket.disconnect()
