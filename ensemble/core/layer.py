"""The channel layers (ADR 0004): ``InProcessLayer`` for the embedded default (one web process,
no Redis), and ``RedisPubSubLayer``: Redis pub/sub between processes, and what a process fans
out to its own connections handed to them directly. Both keep their connections the same
way (``Connections``): bounded queues, and a notice in place of what a full queue dropped.

Each event loop (the web server's, or the short-lived one of a worker's ``async_to_sync``)
has a ``Hub``: its connections' queues, the groups they follow, one Redis connection that
publishes and one subscribed to those groups and connections. ``group_send`` puts the
message in the queues of the loop's own members at once, then publishes it once, tagged
with the hub's origin; other hubs deliver it to their members, and the hub that published
it skips it (it was delivered already). ``send`` to one connection always goes through
Redis, so that the readiness check (core/checks.py) proves the round trip.

A message is delivered to the hub's members as one object: handlers read it and must not
change it. Nothing is kept for a connection that is not listening: every event is stored
before it is sent, and the stream protocol (core/realtime.py) mends what a layer loses.

Each connection's queue is bounded (``capacity``, or Channels' ``channel_capacity`` by
pattern): a connection that does not read (a slow client) cannot make the process's memory
grow. When its queue is full, what it has not read is dropped and it receives one
``{"type": "layer.overflow"}`` in its place: everything before may be lost, what follows is
live. The stream consumer answers by closing the socket; the client resumes each stream from
its last sequence (ADR 0004).

With ``sentinels`` (``host:port`` strings), the hub asks them where the master named
``master_name`` is, and asks again when it fails over; the database number, username,
password and TLS (``rediss://`` and its ``ssl_*`` options) come from ``hosts[0]``;
``sentinel_password`` is the sentinels' own (their ``requirepass``). A hub's Redis
connections close with its event loop: asyncio closes the async generators left suspended
before it closes a loop (``shutdown_asyncgens``, which ``asyncio.run``, asgiref's
``async_to_sync`` and uvicorn call), and each hub keeps one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from channels.layers import BaseChannelLayer
from redis import asyncio as aioredis
from redis.asyncio.connection import SSLConnection, parse_url
from redis.asyncio.sentinel import Sentinel

logger = logging.getLogger(__name__)

ORIGIN = 16  # bytes of a hub's tag before each message it publishes
ANYONE = bytes(ORIGIN)  # the tag of what every hub delivers, its sender's included (send)
OVERFLOW = "layer.overflow"  # the message that takes the place of what a full queue dropped
MASTER_OPTIONS = ("db", "username", "password")  # what a sentinel's master takes from hosts[0]


def master_options(url: str) -> dict[str, Any]:
    """What the master found through sentinels takes from ``url``: its database and
    credentials, and TLS with its options for ``rediss://`` (never dropped to plain text)."""
    parsed = parse_url(url)
    options = {k: v for k, v in parsed.items() if k in MASTER_OPTIONS or k.startswith("ssl_")}
    if issubclass(parsed.get("connection_class", object), SSLConnection):
        options["ssl"] = True  # the sentinel pool's SentinelManagedSSLConnection
    return options


class LocalFirstLayer(BaseChannelLayer):
    """What both layers do with the connections of a ``hub``: open and shut their queues, add
    them to groups and hand a group's messages to them directly."""

    extensions = ["groups", "flush"]

    async def hub(self) -> Connections:
        raise NotImplementedError

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{prefix}{uuid.uuid4().hex}"
        await (await self.hub()).open(channel, self.get_capacity(channel))
        return channel

    async def receive(self, channel: str) -> dict[str, Any]:
        hub = await self.hub()
        queue = hub.queues.get(channel) or await hub.open(channel, self.get_capacity(channel))
        try:
            return await queue.get()
        except (asyncio.CancelledError, GeneratorExit):  # the consumer is going away
            await hub.shut(channel)
            raise

    async def forget(self, channel: str) -> None:
        """Its reader is done with ``channel`` without being cancelled (the readiness check):
        its queue, groups and subscription go."""
        await (await self.hub()).shut(channel)

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        await (await self.hub()).join(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await (await self.hub()).leave(group, channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        hub = await self.hub()
        hub.deliver(hub.groups.get(group, ()), message)

    async def group_send_elsewhere(self, group: str, message: dict[str, Any]) -> None:
        """Send ``message`` to the group's members in other processes only (a process that
        hands its own members what they need itself: the document rooms)."""


class InProcessLayer(LocalFirstLayer):
    """The layer of the embedded default, without Redis: one ``Connections`` for the process,
    whatever event loop sends (as Channels' ``InMemoryChannelLayer`` keeps its channels).
    Unlike that layer, which drops what a full queue cannot take without a word and takes a
    connection out of its groups once a message has waited 60 seconds, it tells a connection
    that fell behind (``layer.overflow``) and expires nothing."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.here = Connections()

    async def hub(self) -> Connections:
        return self.here

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self.require_valid_channel_name(channel)
        self.here.deliver((channel,), message)

    async def flush(self) -> None:
        self.here = Connections()


class RedisPubSubLayer(LocalFirstLayer):
    def __init__(
        self,
        hosts: list[str],
        prefix: str = "ensemble",
        sentinels: Iterable[str] = (),
        master_name: str = "mymaster",
        sentinel_password: str = "",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.url = hosts[0]
        self.prefix = prefix
        self.sentinels = [address(sentinel) for sentinel in sentinels]
        self.master_name = master_name
        self.sentinel_password = sentinel_password
        self.client_name = f"{prefix}.layer"  # how its connections show in Redis's CLIENT LIST
        self.hubs: dict[asyncio.AbstractEventLoop, Hub] = {}

    async def hub(self) -> Hub:
        loop = asyncio.get_running_loop()
        hub = self.hubs.get(loop)
        if hub is None:
            # A loop closed without closing its async generators left its hub behind.
            for closed in [old for old in self.hubs if old.is_closed()]:
                del self.hubs[closed]
            hub = self.hubs[loop] = Hub(*self.redis(), prefix=self.prefix)
            hub.keeper = self.closes_with_loop(loop, hub)
            await hub.keeper.asend(None)
        return hub

    def redis(self) -> tuple[aioredis.Redis, list[aioredis.Redis]]:
        """The Redis client of a new hub, and the sentinels' it asks (closed with it)."""
        if not self.sentinels:
            return aioredis.Redis.from_url(self.url, client_name=self.client_name), []
        master = master_options(self.url)
        asking = {"password": self.sentinel_password} if self.sentinel_password else None
        sentinel = Sentinel(self.sentinels, sentinel_kwargs=asking)
        client = sentinel.master_for(self.master_name, client_name=self.client_name, **master)
        return client, list(sentinel.sentinels)

    async def closes_with_loop(
        self, loop: asyncio.AbstractEventLoop, hub: Hub
    ) -> AsyncGenerator[None, None]:
        """Suspended for the loop's life; closed (by asyncio before it closes the loop, or by
        ``flush``), it closes the hub's Redis connections."""
        try:
            yield
        finally:
            if self.hubs.get(loop) is hub:
                del self.hubs[loop]
            await hub.close()

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self.require_valid_channel_name(channel)
        hub = await self.hub()
        await hub.publish(hub.key("channel", channel), message, ANYONE)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await super().group_send(group, message)  # the loop's own members, at once
        await self.group_send_elsewhere(group, message)

    async def group_send_elsewhere(self, group: str, message: dict[str, Any]) -> None:
        hub = await self.hub()
        await hub.publish(hub.key("group", group), message, hub.origin)

    async def flush(self) -> None:
        hub = self.hubs.get(asyncio.get_running_loop())
        if hub is not None and hub.keeper is not None:
            await hub.keeper.aclose()


def address(sentinel: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port``) of a sentinel; the port defaults to 26379."""
    host, colon, port = sentinel.rpartition(":")
    if not colon or host.endswith(":") or (host.startswith("[") != host.endswith("]")):
        host, port = sentinel, "26379"
    return host.strip("[]"), int(port)


class Connections:
    """The connections of one process (``InProcessLayer``) or of one event loop (a ``Hub``):
    each one's bounded queue, the groups they follow, and what is handed to them."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.groups: dict[str, set[str]] = {}
        self.behind: set[str] = set()  # channels that overflowed (logged once)

    def key(self, kind: str, name: str) -> str:
        return f"{self.prefix}.{kind}.{name}"

    async def open(self, channel: str, capacity: int) -> asyncio.Queue[dict[str, Any]]:
        # Room for the overflow notice and the message that caused it, however small.
        queue = self.queues[channel] = asyncio.Queue(max(capacity, 2))
        await self.subscribe(self.key("channel", channel))
        return queue

    async def shut(self, channel: str) -> None:
        self.behind.discard(channel)
        if self.queues.pop(channel, None) is None:
            return
        for group in [group for group, members in self.groups.items() if channel in members]:
            await self.leave(group, channel)
        await self.unsubscribe(self.key("channel", channel))

    async def join(self, group: str, channel: str) -> None:
        members = self.groups.setdefault(group, set())
        members.add(channel)
        if len(members) == 1:
            await self.subscribe(self.key("group", group))

    async def leave(self, group: str, channel: str) -> None:
        members = self.groups.get(group)
        if members is None or channel not in members:
            return
        members.discard(channel)
        if not members:
            del self.groups[group]
            await self.unsubscribe(self.key("group", group))

    async def subscribe(self, key: str) -> None:
        """What other processes send to ``key`` now reaches this side (a ``Hub``: through
        Redis); in one process, there are no others."""

    async def unsubscribe(self, key: str) -> None:
        """The reverse of ``subscribe``."""

    def deliver(self, channels: Any, message: dict[str, Any]) -> None:
        for channel in channels:
            queue = self.queues.get(channel)
            if queue is None:
                continue
            if queue.full():  # the connection does not keep up: drop what it has not read
                dropped = queue.qsize()
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait({"type": OVERFLOW, "dropped": dropped})
                if channel not in self.behind:  # once, not at every refill
                    self.behind.add(channel)
                    logger.warning("real-time layer: %s fell %d messages behind", channel, dropped)
            queue.put_nowait(message)


class Hub(Connections):
    """One event loop's side of the Redis layer."""

    def __init__(self, redis: aioredis.Redis, sentinels: list[aioredis.Redis], prefix: str) -> None:
        super().__init__(prefix)
        self.origin = os.urandom(ORIGIN)
        self.redis = redis
        self.sentinels = sentinels
        self.pubsub = self.redis.pubsub()
        self.reader: asyncio.Task[None] | None = None
        self.keeper: AsyncGenerator[None, None] | None = None
        self.outgoing: list[tuple[str, bytes, asyncio.Future[None]]] = []
        self.publisher: asyncio.Task[None] | None = None

    async def publish(self, key: str, message: dict[str, Any], origin: bytes) -> None:
        """Publish, in order, through one connection: what is sent while a write is under way
        goes in the next one, together (one round trip for many; a publish per connection
        would open one connection per socket of a busy process, past the pool's limit)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self.outgoing.append((key, origin + json.dumps(message).encode(), done))
        if self.publisher is None or self.publisher.done():
            self.publisher = loop.create_task(self.publish_pending())
        await done

    async def publish_pending(self) -> None:
        while self.outgoing:
            batch, self.outgoing = self.outgoing, []
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for key, data, _ in batch:
                        pipe.publish(key, data)
                    await pipe.execute()
            except (Exception, asyncio.CancelledError) as error:  # each sender hears of it
                failure = error if isinstance(error, Exception) else ConnectionError("closed")
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(failure)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)

    async def subscribe(self, key: str) -> None:
        await self.pubsub.subscribe(key)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self.read())

    async def unsubscribe(self, key: str) -> None:
        try:
            await self.pubsub.unsubscribe(key)
        except Exception:  # Redis unavailable: the subscription ends with the connection
            logger.exception("could not unsubscribe from %s", key)

    async def read(self) -> None:
        """Hand what Redis brings to this hub's members, except what it published itself."""
        while True:
            try:
                got = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarting: the client reconnects and subscribes again
                logger.exception("real-time layer: reading from Redis failed")
                await asyncio.sleep(1)
                continue
            if got is None or got["type"] != "message" or got["data"][:ORIGIN] == self.origin:
                continue
            kind, _, name = got["channel"].decode().removeprefix(f"{self.prefix}.").partition(".")
            message = json.loads(got["data"][ORIGIN:])
            self.deliver(self.groups.get(name, ()) if kind == "group" else (name,), message)

    async def close(self) -> None:
        if self.publisher is not None:
            self.publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.publisher
        for *_, done in self.outgoing:  # nobody waits for ever on what was never published
            if not done.done():
                done.set_exception(ConnectionError("the real-time layer is closed"))
        self.outgoing = []
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        await self.pubsub.aclose()
        await self.redis.aclose(close_connection_pool=True)
        for sentinel in self.sentinels:
            await sentinel.aclose(close_connection_pool=True)
