"""A connection that falls behind, on both layers (core/layer.py, ADR 0004): on the embedded
default's ``InProcessLayer`` and, in the production run, on the Redis layer, its queue holds
at most its capacity; beyond, it is told, the socket is closed with 4429, and the client,
resuming from its last sequence, gets every event once. Nothing is dropped without a word."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.checks import check_channel_layer
from ensemble.core.events import events_after, group_name, publish, remember_sent
from ensemble.core.layer import OVERFLOW, InProcessLayer
from ensemble.core.realtime import FELL_BEHIND, StreamConsumer
from ensemble.core.tests.test_stream import connect, notify_event, receive_until


def store_silently(stream: str, count: int) -> list[dict[str, Any]]:
    """Store ``count`` events of ``stream`` in one transaction, without fanning them out."""
    with mock.patch("django.db.transaction.on_commit"), transaction.atomic():
        for number in range(count):
            publish(stream, notify_event(f"event {number + 1}"))
    return events_after(stream, 0)


@pytest.mark.django_db(transaction=True)
async def test_a_slow_socket_is_closed_and_its_client_resumes_with_every_event_once() -> None:
    """A client on a slow link: its consumer waits to send one event while the next ones keep
    coming, more than the layer's capacity."""
    user = await database_sync_to_async(UserFactory)()
    stream = f"user:{user.pk}"
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    await receive_until(socket, "subscribed")
    layer = get_channel_layer()
    events = await database_sync_to_async(store_silently)(stream, layer.capacity + 2)
    stuck, link_free = asyncio.Event(), asyncio.Event()
    send_json = StreamConsumer.send_json

    async def slow_link(consumer: StreamConsumer, content: Any, close: bool = False) -> None:
        stuck.set()
        await link_free.wait()
        await send_json(consumer, content, close)

    with mock.patch.object(StreamConsumer, "send_json", slow_link):
        for number, message in enumerate(events):
            remember_sent(stream, message["seq"])  # as fan_out does (the pump skips it)
            await layer.group_send(group_name(stream), {"type": "stream.event", "message": message})
            if number == 0:  # the consumer has taken the first event and waits to send it
                await asyncio.wait_for(stuck.wait(), 5)
        link_free.set()
        seen = []
        while (output := await socket.receive_output(timeout=5))["type"] == "websocket.send":
            sent = json.loads(output["text"])
            if sent["type"] == "event":
                seen.append(sent["seq"])
    assert output == {"type": "websocket.close", "code": FELL_BEHIND}
    await socket.disconnect()
    last = seen[-1] if seen else 0
    again = await connect(user)
    await again.send_json_to({"action": "subscribe", "stream": stream, "after": last})
    caught_up = await receive_until(again, "subscribed")
    seen += [message["seq"] for message in caught_up if message["type"] == "event"]
    assert seen == [message["seq"] for message in events]  # each once, in order
    await again.disconnect()


async def test_the_in_process_layer_holds_a_queue_to_its_capacity_then_tells_its_reader() -> None:
    layer = InProcessLayer(capacity=50)
    slow, fast = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("room", slow)
    await layer.group_add("room", fast)
    for n in range(120):
        await layer.group_send("room", {"type": "ping", "n": n})
        assert await layer.receive(fast) == {"type": "ping", "n": n}  # who reads loses nothing
    queue = layer.here.queues[slow]
    assert queue.qsize() <= 50
    notice = await layer.receive(slow)
    assert notice["type"] == OVERFLOW and notice["dropped"] >= 49
    rest = [(await layer.receive(slow))["n"] for _ in range(queue.qsize())]
    assert rest == list(range(120 - len(rest), 120))  # the newest, in order
    await layer.send(slow, {"type": "ping", "n": 120})  # then it goes on as usual
    assert await layer.receive(slow) == {"type": "ping", "n": 120}
    with pytest.raises(TypeError):
        await layer.send("not a channel!", {"type": "ping"})


async def test_a_connection_that_goes_away_leaves_its_queue_and_groups_and_others_stay() -> None:
    """On either layer (with Redis, its subscriptions go too)."""
    layer = get_channel_layer()
    hub = await layer.hub()
    gone, staying = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("leaving-room", gone)
    await layer.group_add("leaving-room", staying)
    listening = asyncio.ensure_future(layer.receive(gone))
    await asyncio.sleep(0)
    listening.cancel()  # how Channels ends a consumer
    with pytest.raises(asyncio.CancelledError):
        await listening
    assert gone not in hub.queues and hub.groups["leaving-room"] == {staying}
    await layer.group_send("leaving-room", {"type": "ping"})
    assert await asyncio.wait_for(layer.receive(staying), 2) == {"type": "ping"}
    await layer.group_discard("leaving-room", staying)
    await layer.group_discard("leaving-room", staying)  # twice: nothing happens
    assert "leaving-room" not in hub.groups
    await layer.forget(staying)
    assert staying not in hub.queues


async def test_a_message_that_waits_long_does_not_take_its_reader_out_of_its_groups() -> None:
    """Channels' in-memory layer dropped a message unread for 60 seconds and took its
    connection out of every group without a word: a client whose link stalled a minute stayed
    connected and never heard of its streams again."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("waiting-room", channel)
    await layer.group_send("waiting-room", {"type": "ping", "n": 1})
    with mock.patch("time.time", return_value=time.time() + 3600):
        await layer.group_send("waiting-room", {"type": "ping", "n": 2})
        got = [(await asyncio.wait_for(layer.receive(channel), 2))["n"] for _ in range(2)]
    assert got == [1, 2]
    await layer.forget(channel)


async def test_the_readiness_check_leaves_no_queue_in_the_servers_event_loop() -> None:
    layer = get_channel_layer()
    hub = await layer.hub()
    before = set(hub.queues)
    for _ in range(3):  # in this loop, as a sync view of the server runs it
        assert "delivers messages" in await sync_to_async(check_channel_layer)()
    assert set(hub.queues) == before
