"""Typed real-time events on resumable streams.

A stream is named ``<kind>:<id>`` (``user:<uuid>`` for a person's notifications,
``chat.room:<uuid>`` later). Each event gets the next sequence number of its stream, is stored,
and is sent to connected clients once the transaction that produced it commits. A client that
reconnects gives the last sequence it saw and receives what it missed from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from ensemble.core import sql
from ensemble.core.models import StreamCursor, StreamEvent

logger = logging.getLogger(__name__)


class Event(BaseModel):
    """Base of every real-time event: a pydantic model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: ClassVar[str]


EVENT_TYPES: dict[str, type[Event]] = {}
StreamReader = Callable[[Any, str], bool]
STREAM_KINDS: dict[str, StreamReader] = {}


def event_type(name: str) -> Callable[[type[Event]], type[Event]]:
    """Class decorator: register an event model under its wire name."""

    def register(cls: type[Event]) -> type[Event]:
        if name in EVENT_TYPES:
            raise ValueError(f"event type {name!r} is registered twice")
        cls.type = name
        EVENT_TYPES[name] = cls
        return cls

    return register


def stream_kind(kind: str, may_read: StreamReader) -> None:
    """Declare a kind of stream and who may read it: may_read(user, stream id) -> bool."""
    STREAM_KINDS[kind] = may_read


def may_read_stream(user: Any, stream: str) -> bool:
    kind, sep, key = stream.partition(":")
    reader = STREAM_KINDS.get(kind)
    return bool(sep and key and reader is not None and user.is_authenticated and reader(user, key))


def group_name(stream: str) -> str:
    """The Channels group of a stream (groups allow letters, digits, '-', '_' and '.')."""
    return "stream." + "".join(c if c.isalnum() or c in "-_." else "_" for c in stream)


def next_seq(stream: str) -> int:
    """Take the next sequence number of a stream; the row stays locked until commit."""
    bumped = _bump(stream)
    if bumped is not None:
        return bumped
    try:
        with transaction.atomic():
            StreamCursor.objects.create(stream=stream, last_seq=1)
        return 1
    except IntegrityError:  # created meanwhile by a concurrent transaction
        return _bump(stream) or 0


def _bump(stream: str) -> int | None:
    """Add one to the stream's cursor and read it in the same statement (PostgreSQL and
    SQLite both have UPDATE … RETURNING); None if the stream has no cursor yet."""
    table = connection.ops.quote_name(StreamCursor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE stream = %s RETURNING last_seq",  # noqa: S608
            [stream],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def current_seq(stream: str) -> int:
    seq = StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).first()
    return seq or 0


def wire(stream: str, seq: int, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The message a client receives for one event."""
    return {"type": "event", "stream": stream, "seq": seq, "event": type_, "payload": payload}


def publish(stream: str, event: Event) -> int:
    """Store ``event`` as the next one of ``stream`` and send it to clients on commit."""
    return publish_built(stream, lambda seq: event)


def publish_built(stream: str, build: Callable[[int], Event]) -> int:
    """Like publish(), for an event that carries its own sequence number (``build(seq)``)."""
    with transaction.atomic(savepoint=False):  # a failure rolls back the caller's whole work
        seq = next_seq(stream)
        event = build(seq)
        if type(event).type not in EVENT_TYPES:
            raise ValueError(f"{type(event).__name__} is not a registered event type")
        payload = event.model_dump(mode="json")
        sql.insert(
            StreamEvent,
            {"stream": stream, "seq": seq, "type": event.type, "payload": payload,
             "created_at": timezone.now()},
        )  # fmt: skip
        message = {"type": "stream.event", "message": wire(stream, seq, event.type, payload)}
        transaction.on_commit(lambda: fan_out(stream, message))
    return seq


def fan_out(stream: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    remember_sent(stream, message["message"]["seq"])
    forwarder = _forwarder
    if forwarder is not None and forwarder.loop.is_running() and not forwarder.task.done():
        forwarder.loop.call_soon_threadsafe(forwarder.queue.put_nowait, (stream, message))
        return
    async_to_sync(layer.group_send)(group_name(stream), message)


# In the ASGI server, events committed in its database thread are handed to its event loop
# without waiting for the channel layer (waiting held the database thread ~0.3 ms a message);
# one task sends them on, in the order they were committed.
@dataclass
class Forwarder:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[tuple[str, dict[str, Any]]]
    task: asyncio.Task[None]


_forwarder: Forwarder | None = None


def forward_from_this_loop() -> None:
    """Called in the server's event loop (by the socket consumer): fan out through it."""
    global _forwarder
    loop = asyncio.get_running_loop()
    if _forwarder is None or _forwarder.loop is not loop or _forwarder.task.done():
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        _forwarder = Forwarder(loop, queue, loop.create_task(_forward(queue)))


async def _forward(queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    while True:
        stream, message = await queue.get()
        try:
            await layer.group_send(group_name(stream), message)
        except Exception:  # the layer may be briefly unavailable: clients catch up
            logger.exception("could not fan out an event of %s", stream)


# Events this process has already handed to its channel layer, so that the real-time pump of
# the in-memory layer (realtime.py) does not send them a second time.
SENT_HERE: OrderedDict[tuple[str, int], None] = OrderedDict()
SENT_HERE_MAX = 20_000


def remember_sent(stream: str, seq: int) -> None:
    SENT_HERE[(stream, seq)] = None
    while len(SENT_HERE) > SENT_HERE_MAX:
        SENT_HERE.popitem(last=False)


def events_after(stream: str, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Stored events of a stream with after < seq (<= upto), in order, as sent on the wire."""
    rows = StreamEvent.objects.filter(stream=stream, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [
        wire(stream, seq, type_, payload)
        for seq, type_, payload in rows.order_by("seq").values_list("seq", "type", "payload")
    ]
