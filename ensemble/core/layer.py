"""The channel layer with Redis (ADR 0004): Redis pub/sub between processes, and what a
process fans out to its own connections handed to them directly.

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
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import types
import uuid
from typing import Any

from channels.layers import BaseChannelLayer
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

ORIGIN = 16  # bytes of a hub's tag before each message it publishes
ANYONE = bytes(ORIGIN)  # the tag of what every hub delivers, its sender's included (send)


class RedisPubSubLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(self, hosts: list[str], prefix: str = "ensemble", **options: Any) -> None:
        super().__init__(**options)
        self.url = hosts[0]
        self.prefix = prefix
        self.hubs: dict[asyncio.AbstractEventLoop, Hub] = {}

    def hub(self) -> Hub:
        loop = asyncio.get_running_loop()
        hub = self.hubs.get(loop)
        if hub is None:
            hub = self.hubs[loop] = Hub(self.url, self.prefix)
            self._close_with(loop)
        return hub

    def _close_with(self, loop: asyncio.AbstractEventLoop) -> None:
        """Close the loop's hub (its Redis connections) when the loop closes."""
        close = loop.close

        def closing(this: asyncio.AbstractEventLoop) -> None:
            hub = self.hubs.pop(this, None)
            if hub is not None and not this.is_running():
                this.run_until_complete(hub.close())
            close()

        loop.close = types.MethodType(closing, loop)  # type: ignore[method-assign]

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{prefix}{uuid.uuid4().hex}"
        await self.hub().open(channel)
        return channel

    async def receive(self, channel: str) -> dict[str, Any]:
        hub = self.hub()
        queue = hub.queues.get(channel) or await hub.open(channel)
        try:
            return await queue.get()
        except (asyncio.CancelledError, GeneratorExit):  # the consumer is going away
            await hub.shut(channel)
            raise

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self.require_valid_channel_name(channel)
        hub = self.hub()
        await hub.publish(hub.key("channel", channel), message, ANYONE)

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        hub = self.hub()
        members = hub.groups.setdefault(group, set())
        members.add(channel)
        if len(members) == 1:
            await hub.subscribe(hub.key("group", group))

    async def group_discard(self, group: str, channel: str) -> None:
        hub = self.hub()
        members = hub.groups.get(group)
        if members is None or channel not in members:
            return
        members.discard(channel)
        if not members:
            del hub.groups[group]
            await hub.unsubscribe(hub.key("group", group))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        hub = self.hub()
        hub.deliver(hub.groups.get(group, ()), message)
        await hub.publish(hub.key("group", group), message, hub.origin)

    async def flush(self) -> None:
        hub = self.hubs.pop(asyncio.get_running_loop(), None)
        if hub is not None:
            await hub.close()


class Hub:
    """One event loop's side of the layer."""

    def __init__(self, url: str, prefix: str) -> None:
        self.prefix = prefix
        self.origin = os.urandom(ORIGIN)
        self.redis = aioredis.Redis.from_url(url)
        self.pubsub = self.redis.pubsub()
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.groups: dict[str, set[str]] = {}
        self.reader: asyncio.Task[None] | None = None

    def key(self, kind: str, name: str) -> str:
        return f"{self.prefix}.{kind}.{name}"

    async def open(self, channel: str) -> asyncio.Queue[dict[str, Any]]:
        queue = self.queues[channel] = asyncio.Queue()
        await self.subscribe(self.key("channel", channel))
        return queue

    async def shut(self, channel: str) -> None:
        if self.queues.pop(channel, None) is None:
            return
        for group in [group for group, members in self.groups.items() if channel in members]:
            self.groups[group].discard(channel)
            if not self.groups[group]:
                del self.groups[group]
                await self.unsubscribe(self.key("group", group))
        await self.unsubscribe(self.key("channel", channel))

    async def publish(self, key: str, message: dict[str, Any], origin: bytes) -> None:
        await self.redis.publish(key, origin + json.dumps(message).encode())

    async def subscribe(self, key: str) -> None:
        await self.pubsub.subscribe(key)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self.read())

    async def unsubscribe(self, key: str) -> None:
        try:
            await self.pubsub.unsubscribe(key)
        except Exception:  # Redis unavailable: the subscription ends with the connection
            logger.exception("could not unsubscribe from %s", key)

    def deliver(self, channels: Any, message: dict[str, Any]) -> None:
        for channel in channels:
            queue = self.queues.get(channel)
            if queue is not None:
                queue.put_nowait(message)

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
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        await self.pubsub.aclose()
        await self.redis.aclose(close_connection_pool=True)
