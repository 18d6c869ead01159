"""The one WebSocket endpoint of a client, ``/ws/``: subscribe to streams, receive events.

Client -> server:  {"action": "subscribe", "stream": "user:…", "after": 12}
                   {"action": "unsubscribe", "stream": "…"}   {"action": "ping"} (every 30 s)
                   {"action": "presence", "state": "online" | "away"}
                   {"action": "signal", "stream": …, "signal": …, "payload": {…}}  (ephemeral)
                   {"action": "call", "id": "c1", "command": "chat.send", "payload": {…}}
Server -> client:  {"type": "subscribed", "stream": …, "seq": n}   after the catch-up
                   {"type": "event", "stream": …, "seq": n, "event": …, "payload": {…}}
                   {"type": "signal", "stream": …, "signal": …, "payload": {…}}
                   {"type": "error", "code": …, "message": …}     {"type": "pong"}
                   {"type": "unsubscribed", "stream": …, "reason": "forbidden"}  access lost
                   {"type": "result", "id": "c1", "status": 201, "data": {…}}   (a call's answer)

Each stream is delivered in sequence order without gap or duplicate: live events that arrive
out of order are completed from the database, and ones already sent are dropped.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.core import ephemeral, presence, ratelimit, sessions
from ensemble.core.events import (
    SENT_HERE,
    changes_access_of,
    current_seq,
    events_after,
    forward_from_this_loop,
    group_name,
    may_read_stream,
    remember_sent,
    wire,
)
from ensemble.core.layer import RedisPubSubLayer
from ensemble.core.models import StreamEvent
from ensemble.core.parsers import BadJson, loads

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 500
CATCH_UP_PAGE = 1000
FELL_BEHIND = 4429  # close code: the layer dropped events; reconnect and resume


class LiveSocket:
    """What every socket of the suite does (the stream's, a document's): it belongs to its
    session (closed when the session ends, 4401), handlers run without waiting on the
    database thread, a connection the layer dropped messages for is closed (4429: its client
    resumes), and what the person does there keeps their session in use."""

    scope: dict[str, Any]
    channel_layer: Any
    channel_name: str

    if TYPE_CHECKING:  # the consumer's, which follows this class in the bases

        async def close(
            self, code: int | bool | None = None, reason: str | None = None
        ) -> None: ...

    async def join_session(self) -> bool:
        """Follow the session's end; False (and nothing joined) if it is idle already."""
        session = self.scope["session"]
        if sessions.is_idle(session, time.time()):  # pages will sign it out
            return False
        await self.channel_layer.group_add(session_group(session.session_key), self.channel_name)
        return True

    async def leave_session(self) -> None:
        session = self.scope.get("session")
        if session is not None and session.session_key:
            await self.channel_layer.group_discard(
                session_group(session.session_key), self.channel_name
            )

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels closes stale database connections before every handler, through the one
        thread that runs database work: each event delivered would queue behind every request
        in flight (measured: a receiver starved to 20 events/s while ten senders wrote). Every
        database access here goes through database_sync_to_async, which closes stale
        connections itself, so handlers run at once."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def session_ended(self, message: dict[str, Any]) -> None:
        """The session was signed out, revoked or its account deactivated."""
        await self.close(code=4401)

    async def layer_overflow(self, message: dict[str, Any]) -> None:
        """The channel layer dropped what this connection had not read (it fell behind,
        ADR 0004): close, and the client resumes from what it has."""
        await self.close(code=FELL_BEHIND)

    async def used(self) -> None:
        """Someone did something here: the session is in use (its idle timeout restarts)."""
        session, now = self.scope["session"], time.time()
        if sessions.touch_due(session, now):
            session[sessions.TOUCH_KEY] = now
            await database_sync_to_async(self.save_use)(session)

    @staticmethod
    def save_use(session: Any) -> None:
        session.save()
        sessions.touched(session.session_key)


class StreamConsumer(LiveSocket, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        if not await self.join_session():
            await self.close(code=4401)
            return
        self.last_sent: dict[str, int] = {}
        await self.accept()
        await database_sync_to_async(presence.connected)(user)
        self.counted = True
        start_pump()
        forward_from_this_loop()

    async def disconnect(self, code: int) -> None:
        await self.leave_session()
        for stream in list(getattr(self, "last_sent", {})):
            await self.channel_layer.group_discard(group_name(stream), self.channel_name)
        if getattr(self, "counted", False):
            await database_sync_to_async(presence.disconnected)(self.scope["user"])

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """A frame that is not JSON, a binary one, one nested too deeply or holding a text no
        database can store gets an error on the socket, which stays open."""
        user = self.scope["user"]
        with translation.override(user.reads):
            if text_data is None:
                await self.error("bad_message", _("Send JSON text frames, not binary ones."))
                return
            try:
                content = await self.decode_json(text_data)
            except BadJson as refusal:
                await self.error("bad_message", str(refusal))
                return
            await self.receive_json(content)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return loads(text_data)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.error("bad_message", _("Messages must be JSON objects."))
            return
        action = content.get("action")
        if sessions.is_over(self.scope["session"], time.time()):
            await self.close(code=4401)  # idle for SESSION_IDLE_SECONDS, or past its age
            return
        if action == "ping":
            await database_sync_to_async(presence.heartbeat)(self.scope["user"])
            await self.send_json({"type": "pong"})
            return
        if action in ("call", "signal") or (
            action == "presence" and content.get("state") == presence.ONLINE
        ):
            await self.used()
        if action == "presence":
            await self.set_presence(content.get("state"))
        elif action == "signal":
            await self.signal(content.get("stream"), content.get("signal"), content.get("payload"))
        elif action == "call":
            await self.call(content.get("id"), content.get("command"), content.get("payload"))
        elif action == "subscribe":
            await self.subscribe(content.get("stream"), content.get("after", 0))
        elif action == "unsubscribe":
            await self.unsubscribe(content.get("stream"))
        else:
            await self.error("bad_message", _("Unknown action %(action)r.") % {"action": action})

    async def subscribe(self, stream: Any, after: Any) -> None:
        if not isinstance(stream, str) or len(stream) > 200:
            await self.error("bad_message", _("'stream' must be a stream name."))
            return
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.error("bad_message", _("'after' must be a sequence number (0 or more)."))
            return
        if stream not in self.last_sent and len(self.last_sent) >= MAX_SUBSCRIPTIONS:
            await self.error("too_many_streams", _("Too many subscriptions on one connection."))
            return
        if not await database_sync_to_async(may_read_stream)(self.scope["user"], stream):
            await self.error("forbidden", _("You may not read this stream."), stream=stream)
            return
        # Join the group first, so nothing published during the catch-up is missed;
        # live events already covered by the catch-up are dropped in stream_event().
        await self.channel_layer.group_add(group_name(stream), self.channel_name)
        latest = await database_sync_to_async(current_seq)(stream)
        self.last_sent[stream] = min(after, latest)
        await self.catch_up(stream, latest)
        await self.send_json({"type": "subscribed", "stream": stream, "seq": latest})

    async def set_presence(self, state: Any) -> None:
        if state not in (presence.ONLINE, presence.AWAY):
            await self.error("bad_message", _("'state' must be 'online' or 'away'."))
            return
        if not await self.within_limit():
            return
        await database_sync_to_async(presence.set_state)(self.scope["user"], state)

    async def signal(self, stream: Any, name: Any, payload: Any) -> None:
        if not isinstance(stream, str) or stream not in self.last_sent or not isinstance(name, str):
            await self.error("bad_message", _("Signals go on a stream you follow."), stream=stream)
            return
        if not await self.within_limit():
            return
        try:
            message = await database_sync_to_async(ephemeral.prepare)(
                self.scope["user"], stream, name, payload if payload is not None else {}
            )
        except ephemeral.BadSignal as refusal:
            await self.error("bad_message", str(refusal), stream=stream)
            return
        except PermissionError as refusal:
            await self.error("forbidden", str(refusal), stream=stream)
            return
        await self.channel_layer.group_send(group_name(stream), message)

    async def call(self, call_id: Any, name: Any, payload: Any) -> None:
        """Run a command an app offers on the socket (the same action as its REST endpoint,
        without an HTTP request per call); the answer carries the HTTP status it would have."""
        if not isinstance(call_id, str) or len(call_id) > 64:
            await self.error("bad_message", _("'id' must be a string of at most 64 characters."))
            return
        handler = COMMANDS.get(name) if isinstance(name, str) else None
        user, payload = self.scope["user"], payload if payload else {}
        if handler is None:
            unknown = _("Unknown command %(name)r.") % {"name": name}
            answer: tuple[int, Any] = (400, {"detail": unknown})
        elif name in BATCHES:
            answer = await BATCHES[name].call(user, payload)
        else:
            answer = await database_sync_to_async(handler)(user, payload)
        status, data = answer
        if status >= 400 and isinstance(data, dict) and isinstance(data.get("detail"), Promise):
            data = {**data, "detail": str(data["detail"])}  # a batch's: in this reader's language
        await self.send_json({"type": "result", "id": call_id, "status": status, "data": data})

    async def stream_signal(self, envelope: dict[str, Any]) -> None:
        if envelope["message"]["stream"] in self.last_sent:
            await self.send_json(envelope["message"])

    async def unsubscribe(self, stream: Any) -> None:
        if isinstance(stream, str) and self.last_sent.pop(stream, None) is not None:
            await self.channel_layer.group_discard(group_name(stream), self.channel_name)

    async def catch_up(self, stream: str, upto: int) -> None:
        while stream in self.last_sent and self.last_sent[stream] < upto:
            page = await database_sync_to_async(events_after)(
                stream, self.last_sent[stream], min(upto, self.last_sent[stream] + CATCH_UP_PAGE)
            )
            if not page:  # a sequence taken by a transaction that rolled back
                self.last_sent[stream] = upto
                return
            for message in page:
                if not await self.deliver(message):
                    return

    async def stream_event(self, envelope: dict[str, Any]) -> None:
        message = envelope["message"]
        stream, seq = message["stream"], message["seq"]
        last = self.last_sent.get(stream)
        if last is None or seq <= last:
            return
        if seq > last + 1:
            await self.catch_up(stream, seq - 1)
            if stream not in self.last_sent:  # access ended with an event caught up
                return
        await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> bool:
        """Send one event of a followed stream; False if the reader lost access with it (an
        event that may change who reads the stream is checked again for its reader)."""
        stream = message["stream"]
        await self.send_json(message)
        self.last_sent[stream] = message["seq"]
        user = self.scope["user"]
        if not changes_access_of(message, str(user.pk)):
            return True
        if await database_sync_to_async(may_read_stream)(user, stream):
            return True
        await self.unsubscribe(stream)
        await self.send_json({"type": "unsubscribed", "stream": stream, "reason": "forbidden"})
        return False

    async def within_limit(self) -> bool:
        """Signals (typing, presence) count against the account's ``signals`` limit."""
        try:
            await ratelimit.check_in_loop("signals", f"user:{self.scope['user'].pk}")
        except ratelimit.Limited as refusal:
            await self.error("too_fast", str(refusal))
            return False
        return True

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})


# Commands apps offer on the socket: name -> handler(user, payload) -> (HTTP status, data).
Command = Callable[[Any, Any], tuple[int, Any]]
COMMANDS: dict[str, Command] = {}
# A command's handler of calls that arrived together: [(user, payload)] -> [answer of each].
Together = Callable[[list[tuple[Any, Any]]], list[tuple[int, Any]]]


# What may be answered in the event loop itself: [(user, payload)] -> [answer, or None for
# the calls to hand to the database thread].
InLoop = Callable[[list[tuple[Any, Any]]], Awaitable[list[tuple[int, Any] | None]]]


def socket_command(
    name: str, handler: Command, together: Together | None = None, in_loop: InLoop | None = None
) -> None:
    """Offer ``handler`` on the socket. With ``together``, calls that arrive at once are
    handled together: one trip to the database thread and one transaction for all, answered
    once it is committed; if it fails (an error, not a refusal it answers), it is rolled back
    and the calls run again one by one, so that only the failing one fails. With
    ``in_loop``, a batch goes there first, and only the calls it leaves to the database
    thread (all of them if it fails: it must only do what may be done again)."""
    COMMANDS[name] = handler
    if together is not None:
        BATCHES[name] = Batch(together, in_loop)


BATCH_MAX = 64
# A batch's failures answer its callers, each read in their own language when answered.
COULD_NOT_STORE = gettext_lazy("The server could not store this. Try again.")
WENT_WRONG = gettext_lazy("Something went wrong. Try again.")


class Batch:
    """Calls of one command waiting for the database thread; while a batch runs there, the
    calls arriving meanwhile gather into the next (measured: ten busy senders each paid a
    thread hop and a commit per message)."""

    def __init__(self, together: Together, in_loop: InLoop | None = None) -> None:
        self.together = together
        self.in_loop = in_loop
        self.waiting: list[tuple[Any, Any, asyncio.Future[tuple[int, Any]]]] = []
        self.runner: asyncio.Future[Any] | None = None  # the batch in the database thread

    async def call(self, user: Any, payload: Any) -> tuple[int, Any]:
        loop = asyncio.get_running_loop()
        if self.runner is not None and self.runner.get_loop() is not loop:
            self.waiting, self.runner = [], None  # an earlier event loop's (tests run several)
        if self.runner is None or self.runner.done():  # nothing in the database thread: go
            self.runner = loop.create_future()
            try:
                answer = (await self.run_batch([(user, payload)]))[0]
            finally:
                if self.waiting:  # gathered meanwhile: they go next, as one batch, in a
                    # context of their own (not the context of this caller, who may be gone)
                    self.runner = loop.create_task(self.run(), context=contextvars.Context())
                else:
                    self.runner = None
            return answer
        waiting: asyncio.Future[tuple[int, Any]] = loop.create_future()
        self.waiting.append((user, payload, waiting))
        return await waiting

    async def run(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:BATCH_MAX], self.waiting[BATCH_MAX:]
            answers = await self.run_batch([(user, payload) for user, payload, _ in batch])
            for (_user, _payload, answer), result in zip(batch, answers, strict=True):
                if not answer.done():
                    answer.set_result(result)

    async def run_batch(self, calls: list[tuple[Any, Any]]) -> list[tuple[int, Any]]:
        answers: list[tuple[int, Any] | None] = [None] * len(calls)
        if self.in_loop is not None:
            try:
                answers = await self.in_loop(calls)
            except Exception:  # Redis or the database unavailable: the usual way says so
                logger.exception("socket calls could not be handled in the event loop")
        rest = [index for index, answer in enumerate(answers) if answer is None]
        if rest:
            left = [calls[index] for index in rest]
            try:
                done = await database_sync_to_async(self.run_in_database)(left)
            except Exception:  # the commit itself failed: nothing of the batch was stored
                logger.exception("a batch of socket calls failed")
                done = [(503, {"detail": COULD_NOT_STORE})] * len(left)
            for index, answer in zip(rest, done, strict=True):
                answers[index] = answer
        return answers  # type: ignore[return-value]

    def run_in_database(self, calls: list[tuple[Any, Any]]) -> list[tuple[int, Any]]:
        if len(calls) == 1:  # alone: as an unbatched call
            return self.together(calls)
        try:  # a savepoint each would double the round trips on PostgreSQL
            with transaction.atomic():
                return self.together(calls)
        except Exception:  # nothing of the batch is kept; each runs alone
            logger.exception("a batch of socket calls failed; running them one by one")
        return [self.alone(call) for call in calls]

    def alone(self, call: tuple[Any, Any]) -> tuple[int, Any]:
        try:
            with transaction.atomic():
                return self.together([call])[0]
        except Exception:
            logger.exception("a socket call failed")
            return 500, {"detail": WENT_WRONG}


BATCHES: dict[str, Batch] = {}


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def close_sockets_of(session_keys: list[str]) -> None:
    """Close the live connections of ended sessions (once the transaction commits)."""

    def send() -> None:
        layer = get_channel_layer()
        for key in session_keys:
            async_to_sync(layer.group_send)(session_group(key), {"type": "session.ended"})

    transaction.on_commit(send)


# With the in-memory channel layer, events published by another process (the task worker)
# never reach this process's clients. A pump reads new events from the database and fans
# them out locally; consumers drop the ones they already have.
_pump: asyncio.Task[None] | None = None
PUMP_INTERVAL = 0.5
PUMP_LOOKBACK = 500


def start_pump() -> None:
    global _pump
    in_memory = not isinstance(get_channel_layer(), RedisPubSubLayer)  # the one across processes
    if in_memory and (_pump is None or _pump.done()):
        _pump = asyncio.get_running_loop().create_task(_run_pump())


def _new_events(watermark: int, seen: set[int]) -> list[tuple[int, str, int, str, Any]]:
    """Events not yet forwarded: ids first (cheap), then the rows of the new ones only."""
    recent = StreamEvent.objects.filter(id__gt=watermark).order_by("id")
    new = [
        event_id for event_id in recent.values_list("id", flat=True)[:5000] if event_id not in seen
    ]
    if not new:
        return []
    rows = StreamEvent.objects.filter(id__in=new).order_by("id")
    return list(rows.values_list("id", "stream", "seq", "type", "payload"))


async def _run_pump() -> None:
    layer = get_channel_layer()
    latest = await database_sync_to_async(
        lambda: StreamEvent.objects.order_by("-id").values_list("id", flat=True).first()
    )()
    newest, seen = latest or 0, set[int]()
    while True:
        await asyncio.sleep(PUMP_INTERVAL)
        try:  # in a thread of its own, so as not to queue behind requests
            read = database_sync_to_async(_new_events, thread_sensitive=False)
            rows = await read(newest - PUMP_LOOKBACK, seen)
        except Exception:  # the database may be briefly unavailable; try again
            logger.exception("real-time pump could not read new events")
            continue
        for event_id, stream, seq, type_, payload in rows:
            seen.add(event_id)
            newest = max(newest, event_id)
            if (stream, seq) in SENT_HERE:  # fanned out by this process when it committed
                continue
            remember_sent(stream, seq)
            message = wire(stream, seq, type_, payload)
            await layer.group_send(group_name(stream), {"type": "stream.event", "message": message})
        seen = {event_id for event_id in seen if event_id > newest - PUMP_LOOKBACK}
