"""Typed real-time events on resumable streams.

A stream is named ``<kind>:<id>`` (``user:<uuid>`` for a person's notifications,
``chat.room:<uuid>`` later). Each event gets the next sequence number of its stream, is stored,
and is sent to connected clients once the transaction that produced it commits. A client that
reconnects gives the last sequence it saw and receives what it missed from the database.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, overload

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from ensemble.core import loopdb, sql
from ensemble.core.models import StreamCursor, StreamEvent

logger = logging.getLogger(__name__)


EVERYONE = "*"


class Event(BaseModel):
    """Base of every real-time event: a pydantic model that refuses unknown fields.

    An event that may change who reads its stream (someone removed, banned, or who left)
    names in ``access_of`` the field holding that person's id, or ``EVERYONE``: each
    connection of that person following the stream checks again, as it delivers the event,
    that they may still read it, and stops following it if not.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: ClassVar[str]
    access_of: ClassVar[str | None] = None


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


def changes_access_of(message: dict[str, Any], user_id: str) -> bool:
    """Whether this event (as sent on the wire) may change what ``user_id`` may read."""
    event = EVENT_TYPES.get(message["event"])
    field = event.access_of if event is not None else None
    return field is not None and (field == EVERYONE or message["payload"].get(field) == user_id)


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


def _bump(stream: str, step: int = 1) -> int | None:
    """Add one (``step``) to the stream's cursor and read it in the same statement
    (PostgreSQL and SQLite both have UPDATE … RETURNING); None if the stream has no cursor."""
    table = connection.ops.quote_name(StreamCursor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + %s WHERE stream = %s RETURNING last_seq",  # noqa: S608
            [step, stream],
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
    payload = dumped(event)
    with transaction.atomic(savepoint=False):  # a failure rolls back the caller's whole work
        seq = next_seq(stream)
        record(stream, seq, event.type, payload)
    return seq


@dataclass(frozen=True)
class Guard:
    """A condition a write depends on, checked by the write itself: SQL that is true or false
    (its ``%s`` marks filled from ``params``), in the same statement on PostgreSQL, in the
    same transaction elsewhere. It lets a write go without reading first what allows it."""

    condition: str
    params: tuple[Any, ...] = ()

    def holds(self) -> bool:
        return bool(sql.fetch(f"SELECT {self.condition}", list(self.params))[0][0])


@overload
def publish_rows(
    stream: str, model: type[models.Model], rows: list[dict[str, Any]], events: list[Event]
) -> list[int | None]: ...


@overload
def publish_rows(
    stream: str,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    events: list[Event],
    guard: Guard | None,
) -> list[int | None] | None: ...


def publish_rows(
    stream: str,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    events: list[Event],
    guard: Guard | None = None,
) -> list[int | None] | None:
    """Store ``rows``, new rows of ``model`` each taking the next place in ``stream`` (its
    ``seq`` field), and publish the event of each (``events[i]``, whose own ``seq`` field is
    set to the same place), as one write. On PostgreSQL that is one statement: however many
    rows, their numbers and their events cost one round trip (sending chat messages is this);
    elsewhere a transaction. Returns each row's place, or None for a row that would break a
    unique constraint: it is not stored and its event not published (a retry), and it takes
    no number, so that the stream has no gap. With a ``guard``, nothing is written (None)
    unless it holds."""
    payloads = [dumped(event) for event in events]
    if connection.vendor == "postgresql":
        write = NumberedWrite.of(stream, model, rows, events, payloads, guard)
        places = write.places(sql.fetch(write.statement, write.params, prepared=True)[0])
        if places is not None:  # else no cursor yet, or the guard failed: the general way
            write.announce(places, announce_on_commit)
            return places
    places = []
    with transaction.atomic(savepoint=False):
        if guard is not None and not guard.holds():
            return None
        for row, event, payload in zip(rows, events, payloads, strict=True):
            seq = next_seq(stream)
            if sql.insert(model, {**row, "seq": seq}, ignore_conflicts=True):
                payload["seq"] = seq
                record(stream, seq, event.type, payload)
                places.append(seq)
            else:  # a retry: its number back (the cursor's row is ours until commit)
                _bump(stream, -1)
                places.append(None)
    return places


def dumped(event: Event) -> dict[str, Any]:
    if type(event).type not in EVENT_TYPES:
        raise ValueError(f"{type(event).__name__} is not a registered event type")
    return event.model_dump(mode="json")


def record(stream: str, seq: int, type_: str, payload: dict[str, Any]) -> None:
    """Store an event (its number taken) and send it to clients once committed."""
    sql.insert(
        StreamEvent,
        {"stream": stream, "seq": seq, "type": type_, "payload": payload,
         "created_at": timezone.now()},
    )  # fmt: skip
    announce_on_commit(stream, seq, type_, payload)


Announce = Callable[[str, int, str, dict[str, Any]], None]


def announce_on_commit(stream: str, seq: int, type_: str, payload: dict[str, Any]) -> None:
    """Send a stored event to clients once the transaction that stored it commits."""
    message = {"type": "stream.event", "message": wire(stream, seq, type_, payload)}
    transaction.on_commit(lambda: fan_out(stream, message))


def announce_now(stream: str, seq: int, type_: str, payload: dict[str, Any]) -> None:
    """Send an event committed already (by a statement of its own)."""
    fan_out(stream, {"type": "stream.event", "message": wire(stream, seq, type_, payload)})


@dataclass
class NumberedWrite:
    """PostgreSQL: rows stored with their events under the stream's next numbers, in one
    statement (atomic by itself, or part of the caller's transaction; the cursor's row stays
    locked until commit, as with next_seq)."""

    stream: str
    events: list[Event]
    payloads: list[dict[str, Any]]
    statement: str
    params: list[Any]

    @classmethod
    def of(
        cls,
        stream: str,
        model: type[models.Model],
        rows: list[dict[str, Any]],
        events: list[Event],
        payloads: list[dict[str, Any]],
        guard: Guard | None,
    ) -> NumberedWrite:
        names = tuple(rows[0])
        target = sql.columns(model, names)
        payload = sql.columns(StreamEvent, ("payload",))
        values: list[Any] = []
        for number, (row, event, content) in enumerate(zip(rows, events, payloads, strict=True)):
            values += [
                number,
                event.type,
                *payload.params([content]),
                *target.params(list(row.values())),
            ]
        condition, guarded = (guard.condition, guard.params) if guard else ("TRUE", ())
        statement = _numbered_statement(model, names, len(rows), condition)
        params = [*values, stream, *guarded, stream, timezone.now()]
        return cls(stream, events, payloads, statement, params)

    def places(self, result: tuple[Any, ...]) -> list[int | None] | None:
        """From the statement's row: the place of each row (None where it conflicted), or
        None if the stream has no cursor or the guard failed (nothing was written)."""
        last, rows, seqs = result
        if last is None:
            return None
        places: list[int | None] = [None] * len(self.events)
        for number, seq in zip(rows, seqs, strict=True):
            places[number] = seq
        return places

    def announce(self, places: list[int | None], send: Announce) -> None:
        """Send the event of each stored row (on commit, or at once)."""
        for seq, event, payload in zip(places, self.events, self.payloads, strict=True):
            if seq is not None:
                payload["seq"] = seq
                send(self.stream, seq, event.type, payload)


async def publish_rows_in_loop(
    stream: str,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    events: list[Event],
    guard: Guard | None = None,
) -> list[int | None] | None:
    """publish_rows() from the server's event loop on PostgreSQL: the one statement on the
    loop's own connection, committed by itself, its events sent at once. None if it did
    not go (not PostgreSQL, no connection, no cursor yet, the guard failed): nothing was
    written, or a retry of it changes nothing; use publish_rows()."""
    payloads = [dumped(event) for event in events]
    write = NumberedWrite.of(stream, model, rows, events, payloads, guard)
    result = await loopdb.fetch_one(write.statement, write.params)
    places = write.places(result) if result is not None else None
    if places is not None:
        write.announce(places, announce_now)
    return places


@functools.lru_cache(maxsize=256)
def _numbered_statement(
    model: type[models.Model], names: tuple[str, ...], count: int, guard: str
) -> str:
    """WITH input: the rows (n = 0…count-1, the event's type and payload, the columns),
    typed by casts on the first; fresh: those that break no unique constraint of the table
    (nor repeat an earlier row of the input), each with its rank k among them (a retry takes
    no number: the stream keeps no gap); numbered: the cursor moved on by their count if the
    guard holds; stored: the fresh rows, each at last - count + 1 + k (ON CONFLICT DO
    NOTHING still guards against a concurrent insert of the same row); published: their
    events. Answers the cursor, and each stored row's n and seq."""
    quote = connection.ops.quote_name
    target = sql.columns(model, names)
    seq = sql.columns(model, ("seq",)).names
    events = sql.columns(StreamEvent, ("stream", "seq", "type", "payload", "created_at"))
    typed = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in target.fields)
    rows = [f"(%s::integer, %s::text, %s::jsonb, {typed})"] + [
        f"(%s, %s, %s, {target.marks()})" for _ in range(count - 1)
    ]
    columns = ", ".join(f"c{index}" for index in range(len(names)))
    seen = "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {target.table} t WHERE "  # noqa: S608  (our names)
        + " AND ".join(f"t.{quote(column)} = input.c{at}" for column, at in unique)
        + ") AND NOT EXISTS (SELECT 1 FROM input e WHERE e.n < input.n AND "
        + " AND ".join(f"e.c{at} = input.c{at}" for _column, at in unique)
        + ")"
        for unique in _unique_columns(model, names)
    )
    return (
        f"WITH input (n, type, payload, {columns}) AS (VALUES {', '.join(rows)}), "  # noqa: S608
        "fresh AS (SELECT *, row_number() OVER (ORDER BY n) - 1 AS k FROM input "
        f"WHERE TRUE{seen}), "
        "counted AS (SELECT count(*) AS c FROM fresh), "
        f"numbered AS (UPDATE {quote(StreamCursor._meta.db_table)} "
        "SET last_seq = last_seq + (SELECT c FROM counted) "
        f"WHERE stream = %s AND ({guard}) RETURNING last_seq), "
        f"stored AS (INSERT INTO {target.table} ({target.names}, {seq}) "
        f"SELECT {columns}, last_seq - (SELECT c FROM counted) + 1 + k FROM fresh, numbered "
        f"ORDER BY k ON CONFLICT DO NOTHING RETURNING {seq} AS seq), "
        "placed AS (SELECT fresh.n, stored.seq, fresh.type, fresh.payload FROM stored, fresh, "
        "numbered WHERE fresh.k = stored.seq - last_seq + (SELECT c FROM counted) - 1), "
        f"published AS (INSERT INTO {events.table} ({events.names}) "
        "SELECT %s, seq, type, jsonb_set(payload, '{seq}', to_jsonb(seq)), %s FROM placed "
        "RETURNING seq) "
        "SELECT (SELECT last_seq FROM numbered), ARRAY(SELECT n FROM placed ORDER BY n), "
        "ARRAY(SELECT placed.seq FROM placed JOIN published ON published.seq = placed.seq "
        "ORDER BY n)"
    )


def _unique_columns(
    model: type[models.Model], names: tuple[str, ...]
) -> list[list[tuple[str, int]]]:
    """The unique constraints of ``model`` whose columns are all among ``names``, each as its
    columns with their place in ``names``."""
    meta = model._meta
    place = {str(meta.get_field(name).column): at for at, name in enumerate(names)}  # type: ignore[union-attr]
    found = []
    for constraint in meta.constraints:
        fields = getattr(constraint, "fields", ())
        columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
        if columns and all(column in place for column in columns):
            found.append([(column, place[column]) for column in columns])
    return found


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
