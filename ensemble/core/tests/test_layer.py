"""The channel layer with Redis (core/layer.py), as two processes see it: two layers, each
with its own hub, against the real Redis of the production run (and a real Sentinel)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from redis.asyncio.connection import SSLConnection

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.events import group_name
from ensemble.core.layer import OVERFLOW, RedisPubSubLayer
from ensemble.core.realtime import FELL_BEHIND
from ensemble.core.tests.test_stream import connect, receive_until
from ensemble.portal.actions import notify

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the production run has Redis")


@pytest.fixture
async def processes() -> AsyncIterator[tuple[RedisPubSubLayer, RedisPubSubLayer]]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"  # apart from anything else on this Redis
    here, there = (
        RedisPubSubLayer([settings.REDIS_URL], prefix=prefix, capacity=50) for _ in range(2)
    )
    yield here, there
    await here.flush()
    await there.flush()


async def received(layer: RedisPubSubLayer, channel: str, wait: float = 2) -> Any:
    return await asyncio.wait_for(layer.receive(channel), wait)


async def nothing_more(layer: RedisPubSubLayer, channel: str) -> bool:
    """Nothing arrives for the channel within a moment (a message lost its way or came
    twice would show here)."""
    try:
        await received(layer, channel, wait=0.3)
    except TimeoutError:
        return True
    return False


async def test_a_group_message_reaches_members_here_once_and_in_the_other_process(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    here, there = processes
    mine, other, theirs = (
        await here.new_channel(),
        await here.new_channel(),
        await there.new_channel(),
    )
    for layer, channel in ((here, mine), (here, other), (there, theirs)):
        await layer.group_add("room", channel)
    message = {"type": "stream.event", "message": {"seq": 1, "payload": {"body": "é"}}}
    await here.group_send("room", message)
    assert await received(here, mine) == message
    assert await received(here, other) == message
    assert await received(there, theirs) == message
    assert await nothing_more(here, mine)  # its own publication is not delivered again
    assert await nothing_more(there, theirs)


async def test_many_sending_at_once_share_one_connection_and_keep_their_order() -> None:
    """Hundreds of sockets of one process publishing at the same moment (a busy document
    socket): every message crosses, each sender's in order, and Redis sees a handful of
    connections from the process, not one per sender."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    here, there = (
        RedisPubSubLayer([settings.REDIS_URL], prefix=prefix, capacity=10_000) for _ in range(2)
    )
    theirs = await there.new_channel()
    await there.group_add("busy", theirs)
    await here.group_send_elsewhere("busy", {"type": "warm"})  # the hub exists
    assert (await received(there, theirs))["type"] == "warm"
    senders, each = 300, 5

    async def sender(n: int) -> None:
        for k in range(each):
            await here.group_send_elsewhere("busy", {"type": "x", "n": n, "k": k})

    await asyncio.gather(*(sender(n) for n in range(senders)))
    got = [await received(there, theirs) for _ in range(senders * each)]
    by_sender: dict[int, list[int]] = {}
    for message in got:
        by_sender.setdefault(message["n"], []).append(message["k"])
    assert by_sender == {n: list(range(each)) for n in range(senders)}
    clients = redis.Redis.from_url(settings.REDIS_URL).client_list()
    mine = [c for c in clients if c.get("name") == f"{prefix}.layer"]
    assert len(mine) <= 6  # publishing, subscribed: for each of the two hubs
    await here.flush()
    await there.flush()


async def test_who_left_a_group_gets_nothing_more_and_others_still_do(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    here, there = processes
    mine, theirs = await here.new_channel(), await there.new_channel()
    await here.group_add("room", mine)
    await there.group_add("room", theirs)
    await there.group_discard("room", theirs)
    await there.group_discard("room", theirs)  # twice: nothing happens
    await here.group_send("room", {"type": "ping", "n": 1})
    assert await received(here, mine) == {"type": "ping", "n": 1}
    assert await nothing_more(there, theirs)
    await there.group_send("room", {"type": "ping", "n": 2})  # from a process not in it
    assert await received(here, mine) == {"type": "ping", "n": 2}


async def test_a_message_to_one_connection_goes_through_redis_even_in_its_own_process(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    """What the readiness check does (core/checks.py): it proves the round trip."""
    here, there = processes
    mine = await here.new_channel()
    await here.send(mine, {"type": "ping"})
    assert await received(here, mine) == {"type": "ping"}
    await there.send(mine, {"type": "ping", "from": "there"})
    assert await received(here, mine) == {"type": "ping", "from": "there"}
    with pytest.raises(TypeError):
        await here.send("not a channel!", {"type": "ping"})


async def test_a_connection_that_does_not_read_holds_its_capacity_at_most_then_learns_so(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    """A slow client's queue stays bounded; it is told that it lost messages, and a
    connection of the same process that keeps up loses nothing."""
    here, there = processes
    slow, fast = await here.new_channel(), await here.new_channel()
    await here.group_add("room", slow)
    await here.group_add("room", fast)
    hub = here.hubs[asyncio.get_running_loop()]
    read: list[int] = []

    async def keep_up() -> None:
        while len(read) < 1000:
            read.append((await received(here, fast, wait=10))["n"])

    reader = asyncio.ensure_future(keep_up())
    for n in range(1000):  # from another process: each comes through Redis
        await there.group_send("room", {"type": "ping", "n": n})
    await asyncio.wait_for(reader, 20)
    assert read == list(range(1000))
    assert hub.queues[slow].qsize() <= 50  # what the slow connection holds: its capacity
    notice = await received(here, slow)
    assert notice["type"] == OVERFLOW and notice["dropped"] >= 49
    rest = [(await received(here, slow))["n"] for _ in range(hub.queues[slow].qsize())]
    assert rest == list(range(1000 - len(rest), 1000))  # the newest, in order
    assert hub.queues[slow].empty()
    await there.group_send("room", {"type": "ping", "n": 1000})  # then it goes on as usual
    assert await received(here, slow) == {"type": "ping", "n": 1000}


@pytest.mark.django_db(transaction=True)
async def test_the_stream_closes_a_socket_that_fell_behind_and_its_client_resumes() -> None:
    user = await database_sync_to_async(UserFactory)()
    stream = f"user:{user.pk}"
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(notify)(user, "seen live")
    assert (await socket.receive_json_from(timeout=5))["seq"] == 1
    layer = get_channel_layer()
    hub = layer.hubs[asyncio.get_running_loop()]
    members = hub.groups[group_name(stream)]
    signal = {"type": "signal", "stream": stream, "signal": "x", "payload": {}}
    for _ in range(layer.capacity + 1):  # at once: the consumer reads nothing meanwhile
        hub.deliver(members, {"type": "stream.signal", "message": signal})
    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": FELL_BEHIND,
    }
    await database_sync_to_async(notify)(user, "while away")
    again = await connect(user)
    await again.send_json_to({"action": "subscribe", "stream": stream, "after": 1})
    caught_up = await receive_until(again, "subscribed")
    assert [(m["seq"], m["payload"]["title"]) for m in caught_up if m["type"] == "event"] == [
        (2, "while away")
    ]
    await again.disconnect()


def layer_connections(name: str) -> int:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return sum(1 for connection in client.client_list() if connection["name"] == name)
    finally:
        client.close()


def test_a_hub_closes_its_connections_with_its_event_loop_which_is_not_patched() -> None:
    """What a worker does: each ``async_to_sync`` runs a short-lived loop of its own."""
    layer = RedisPubSubLayer([settings.REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}")
    seen: list[tuple[bool, int]] = []

    async def use() -> None:
        await layer.group_send("room", {"type": "ping"})
        channel = await layer.new_channel()  # a subscription: a second connection
        await layer.send(channel, {"type": "ping"})
        assert await layer.receive(channel) == {"type": "ping"}
        seen.append(("close" in vars(asyncio.get_running_loop()), len(layer.hubs)))

    for _ in range(3):
        async_to_sync(use)()
    assert seen == [(False, 1)] * 3
    deadline = time.monotonic() + 5
    while layer_connections(layer.client_name) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert layer_connections(layer.client_name) == 0
    assert layer.hubs == {}
    # A loop closed without closing its async generators: its hub is forgotten next time.
    loop = asyncio.new_event_loop()
    loop.run_until_complete(layer.group_send("room", {"type": "ping"}))
    loop.close()
    async_to_sync(use)()
    assert seen[-1] == (False, 1)


@pytest.fixture
def sentinel(tmp_path: Path, request: Any) -> Iterator[tuple[int, str]]:
    """A Redis Sentinel of its own on a loopback port, watching the Redis of the run (with the
    password given as the fixture's parameter, if any)."""
    password = getattr(request, "param", "")
    server = shutil.which("redis-sentinel") or shutil.which("redis-server")
    if server is None:
        pytest.skip("Redis Sentinel is not installed (Debian's redis-server package has it)")
    watched = redis.Redis.from_url(settings.REDIS_URL).connection_pool.connection_kwargs
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    master = f"test-{uuid.uuid4().hex[:8]}"
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {master} {watched['host']} {watched['port']} 1\n"
        + (f"requirepass {password}\n" if password else "")
    )
    process = subprocess.Popen(
        [server, str(config), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        asking = redis.Redis(port=port, password=password or None)
        deadline = time.monotonic() + 10
        while True:
            try:
                if asking.sentinel_get_master_addr_by_name(master):
                    break
            except redis.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        asking.close()
        yield port, master
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_through_a_sentinel_the_layer_finds_the_master_and_works_as_usual(
    sentinel: tuple[int, str],
) -> None:
    port, master = sentinel
    db = redis.Redis.from_url(settings.REDIS_URL).connection_pool.connection_kwargs["db"]
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    # Nothing listens on port 1: the master's address can only come from the sentinel.
    here, there = (
        RedisPubSubLayer(
            [f"redis://127.0.0.1:1/{db}"],
            prefix=prefix,
            sentinels=[f"127.0.0.1:{port}"],
            master_name=master,
        )
        for _ in range(2)
    )
    try:
        mine, theirs = await here.new_channel(), await there.new_channel()
        await here.group_add("room", mine)
        await there.group_add("room", theirs)
        await here.group_send("room", {"type": "ping", "n": 1})
        assert await received(here, mine) == {"type": "ping", "n": 1}
        assert await received(there, theirs) == {"type": "ping", "n": 1}
        await there.send(mine, {"type": "ping", "n": 2})
        assert await received(here, mine) == {"type": "ping", "n": 2}
    finally:
        await here.flush()
        await there.flush()


@pytest.mark.parametrize("sentinel", ["sentinel-secret"], indirect=True)
async def test_sentinels_with_a_password_of_their_own(sentinel: tuple[int, str]) -> None:
    """REDIS_SENTINEL_PASSWORD: the sentinels' own password (their requirepass)."""
    port, master = sentinel
    db = redis.Redis.from_url(settings.REDIS_URL).connection_pool.connection_kwargs["db"]

    def layer(password: str) -> RedisPubSubLayer:
        return RedisPubSubLayer(
            [f"redis://127.0.0.1:1/{db}"],
            prefix=f"test-{uuid.uuid4().hex[:8]}",
            sentinels=[f"127.0.0.1:{port}"],
            master_name=master,
            sentinel_password=password,
        )

    allowed, refused = layer("sentinel-secret"), layer("")
    try:
        channel = await allowed.new_channel()
        await allowed.send(channel, {"type": "ping"})
        assert await received(allowed, channel) == {"type": "ping"}
        with pytest.raises(redis.RedisError):
            await asyncio.wait_for(refused.new_channel(), 10)
    finally:
        await allowed.flush()
        await refused.flush()


def test_through_sentinels_a_rediss_url_keeps_tls_to_the_master() -> None:
    """``rediss://`` with sentinels: the master found is reached over TLS, with the URL's
    ``ssl_*`` options, its database and password (no connection is made here)."""
    url = "rediss://:master-secret@127.0.0.1:1/3?ssl_cert_reqs=required&ssl_ca_certs=/etc/ca.pem"
    layer = RedisPubSubLayer([url], sentinels=["127.0.0.1:1"], sentinel_password="s")
    client, sentinels = layer.redis()
    pool = client.connection_pool
    assert issubclass(pool.connection_class, SSLConnection)
    options = pool.connection_kwargs
    assert (options["ssl_cert_reqs"], options["ssl_ca_certs"]) == ("required", "/etc/ca.pem")
    assert (options["db"], options["password"]) == (3, "master-secret")
    assert [s.connection_pool.connection_kwargs["password"] for s in sentinels] == ["s"]
    plain, _sentinels = RedisPubSubLayer(["redis://127.0.0.1:1/3"], sentinels=["h:1"]).redis()
    assert not issubclass(plain.connection_pool.connection_class, SSLConnection)
