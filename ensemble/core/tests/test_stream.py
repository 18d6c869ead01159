"""The real-time stream: ordered, resumable, no gap and no duplicate, readers checked."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.db import transaction

from ensemble.accounts.tests.factories import UserFactory
from ensemble.asgi import application
from ensemble.core.events import current_seq, events_after, fan_out, publish, wire
from ensemble.core.models import StreamEvent
from ensemble.portal.actions import notify

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user: Any) -> WebsocketCommunicator:
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive_until(communicator: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        messages.append(message)
        if message["type"] == kind:
            return messages


async def test_anonymous_socket_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, code = await communicator.connect()
    assert not connected or code == 4401


async def test_reconnecting_client_gets_exactly_what_it_missed() -> None:
    user = await database_sync_to_async(UserFactory)()
    stream = f"user:{user.pk}"
    for number in range(5):
        await database_sync_to_async(notify)(user, f"message {number}")
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 2})
    messages = await receive_until(socket, "subscribed")
    events = [m for m in messages if m["type"] == "event"]
    assert [e["seq"] for e in events] == [3, 4, 5]
    assert [e["payload"]["title"] for e in events] == ["message 2", "message 3", "message 4"]
    # Live events follow, in order.
    await database_sync_to_async(notify)(user, "live")
    live = await socket.receive_json_from(timeout=5)
    assert (live["seq"], live["payload"]["title"]) == (6, "live")
    await socket.disconnect()


async def test_someone_elses_stream_is_refused() -> None:
    owner = await database_sync_to_async(UserFactory)()
    intruder = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(notify)(owner, "private")
    socket = await connect(intruder)
    for stream in (f"user:{owner.pk}", "unknown:1", "nonsense"):
        await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
        reply = await socket.receive_json_from(timeout=5)
        assert reply["type"] == "error" and reply["code"] == "forbidden"
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_bad_messages_get_clear_errors() -> None:
    user = await database_sync_to_async(UserFactory)()
    socket = await connect(user)
    for bad in (
        [1, 2],
        {"action": "fly"},
        {"action": "subscribe", "stream": 3},
        {"action": "subscribe", "stream": f"user:{user.pk}", "after": -1},
    ):
        await socket.send_json_to(bad)
        reply = await socket.receive_json_from(timeout=5)
        assert reply["type"] == "error" and reply["code"] == "bad_message", bad
    await socket.send_json_to({"action": "ping"})
    assert (await socket.receive_json_from(timeout=5)) == {"type": "pong"}
    await socket.disconnect()


async def test_out_of_order_and_duplicate_deliveries_are_mended() -> None:
    """Two commits may fan out in the other order; the client still sees 1, 2, 3 once each."""
    user = await database_sync_to_async(UserFactory)()
    stream = f"user:{user.pk}"
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    await receive_until(socket, "subscribed")

    def store_silently(title: str) -> dict[str, Any]:
        # Store an event without fanning it out, to replay deliveries by hand.
        with mock.patch("django.db.transaction.on_commit"):
            seq = publish(stream, notify_event(title))
        return {"type": "stream.event", "message": events_after(stream, seq - 1)[0]}

    first = await database_sync_to_async(store_silently)("one")
    second = await database_sync_to_async(store_silently)("two")
    third = await database_sync_to_async(store_silently)("three")
    for envelope in (third, first, second, third):
        await database_sync_to_async(fan_out)(stream, envelope)
    received = [await socket.receive_json_from(timeout=5) for _ in range(3)]
    assert [m["seq"] for m in received] == [1, 2, 3]
    assert [m["payload"]["title"] for m in received] == ["one", "two", "three"]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


def notify_event(title: str) -> Any:
    from datetime import datetime
    from uuid import uuid4

    from ensemble.portal.events import NotificationCreated

    return NotificationCreated(
        id=uuid4(), title=title, body="", url="", created_at=datetime.now(UTC), read=False
    )


async def test_a_rolled_back_event_is_never_delivered_nor_stored() -> None:
    user = await database_sync_to_async(UserFactory)()
    stream = f"user:{user.pk}"

    def fail_after_publish() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(stream, notify_event("never"))
            raise RuntimeError("the action failed after publishing")

    await database_sync_to_async(fail_after_publish)()
    assert await database_sync_to_async(current_seq)(stream) == 0
    assert not await database_sync_to_async(StreamEvent.objects.filter(stream=stream).exists)()


def test_wire_format() -> None:
    assert wire("user:1", 4, "x.y", {"a": 1}) == {
        "type": "event",
        "stream": "user:1",
        "seq": 4,
        "event": "x.y",
        "payload": {"a": 1},
    }


async def test_ending_a_session_closes_its_socket() -> None:
    from ensemble.accounts.actions import end_sessions
    from ensemble.accounts.models import UserSession

    user = await database_sync_to_async(UserFactory)()
    socket = await connect(user)
    session_key = socket.scope["headers"][0][1].decode().split("=", 1)[1]
    await database_sync_to_async(UserSession.objects.create)(
        session_key=session_key, user=user, ip="127.0.0.1"
    )
    await database_sync_to_async(end_sessions)(user)
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


@pytest.mark.django_db
def test_a_failing_call_in_a_batch_fails_alone() -> None:
    """Batched calls share one transaction; when one fails, the others are kept (run again one
    by one) and only the failing one's work is undone."""
    from ensemble.core.realtime import Batch

    user = UserFactory()
    stream = f"user:{user.pk}"

    def together(calls: list[tuple[Any, str]]) -> list[tuple[int, Any]]:
        for _caller, title in calls:
            publish(stream, notify_event(title))
            if title == "boom":
                raise RuntimeError("a bug in one call")
        return [(201, title) for _caller, title in calls]

    answers = Batch(together).run_in_database([(user, "one"), (user, "boom"), (user, "two")])
    assert [status for status, _data in answers] == [201, 500, 201]
    assert answers[1][1] == {"detail": "Something went wrong. Try again."}
    assert [event["payload"]["title"] for event in events_after(stream, 0)] == ["one", "two"]


async def test_what_another_process_publishes_reaches_this_ones_sockets() -> None:
    """With Redis, what the task worker or an operator's shell publishes reaches the sockets
    of the web process through the pub/sub layer (ADR 0003); the embedded default forwards
    it with its pump instead (e2e/test_portal.py)."""
    import asyncio
    import os

    from django.db import connection

    from ensemble.conftest import run_ensemble

    if connection.vendor != "postgresql":
        pytest.skip("the embedded default's pump is tested in the browser tests")
    user = await database_sync_to_async(UserFactory)()
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": f"user:{user.pk}", "after": 0})
    await receive_until(socket, "subscribed")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    done = await asyncio.to_thread(
        run_ensemble,
        "manage",
        "shell",
        "-c",
        "from ensemble.accounts.models import User\n"
        "from ensemble.portal.actions import notify\n"
        f"notify(User.objects.get(pk='{user.pk}'), 'From the worker', '')",
        env={**os.environ, "DATABASE_URL": url},
    )
    assert done.returncode == 0, done.stderr
    event = (await receive_until(socket, "event"))[-1]
    assert event["payload"]["title"] == "From the worker"
    await socket.disconnect()
