"""The document socket, ``/ws/docs/<id>/``: Yjs sync and awareness (docs/subsystems/docs.md).

Each process keeps the documents its sockets have open (``Room``: a pycrdt Doc and the last
update it holds) to answer a newcomer's sync at once. An update a client sends is handed at
once to the other sockets of its room (this process's), and to the rooms of other processes
through the channel layer (each room follows the document's group with one channel); it is
stored (``store.append``, group commit) meanwhile, applied, and acknowledged to its sender.
Stored updates carry their sequence: a socket or a room that sees a gap reads what is missing
from the database, so a message the layer lost cannot leave a process behind.
"""

from __future__ import annotations

import asyncio
import base64
import colorsys
import contextlib
import hashlib
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from pycrdt import Doc

from ensemble.core import sessions
from ensemble.core.layer import OVERFLOW
from ensemble.core.ratelimit import rate_of
from ensemble.core.rates import Rate
from ensemble.core.realtime import LiveSocket
from ensemble.docs import changes, protocol, store
from ensemble.docs.models import Document, Visit
from ensemble.docs.protocol import AwarenessEntry, BadFrame

logger = logging.getLogger(__name__)

MAX_FRAME = 16 * 1024 * 1024
CLOSE_FORBIDDEN, CLOSE_SIGN_IN, CLOSE_GONE, CLOSE_BAD_FRAME = 4403, 4401, 4404, 4400
CLOSE_TOO_FAST = 4429
MAX_RELAYED = 1000
# The largest update a client may send (a long paste is a few hundred KiB); past it the
# update is refused: a document must not grow by what no editor shows.
MAX_UPDATE = 4 * 1024 * 1024
MAX_AWARENESS = 16 * 1024  # an awareness frame: names and cursors
AWARENESS_FIELDS = ("cursor", "user")  # what the carets use; anything else is dropped
MAX_PENDING = 500  # updates received and not yet stored: past it the client is too fast
MAX_OUTBOX = 2000  # frames not yet sent to a client: past it, it reads too slowly
MAX_OUTBOX_BYTES = 32 * 1024 * 1024  # and their bytes (a frame may hold a whole document)
MAX_PENDING_BYTES = 64 * 1024 * 1024  # the bytes of the updates received and not yet stored
CLOSE_SERVER_ERROR = 1011


def group_of(document_id: Any) -> str:
    return f"docs.{document_id.hex if hasattr(document_id, 'hex') else document_id}"


def colour_of(user: Any) -> str:
    """A stable, readable colour for a person's cursor (#rrggbb: the caret library takes no
    other form)."""
    if not getattr(user, "is_authenticated", False):
        return "#666666"
    hue = int(hashlib.sha256(str(user.pk).encode()).hexdigest()[:4], 16) % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.35, 0.7)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


@dataclass
class Room:
    """One document as this process holds it while sockets have it open: its Yjs document,
    the last stored update applied, who is there (awareness), and this process's sockets,
    to which the room hands every update itself. The room follows the document's group on
    the channel layer with one channel: other processes' updates, and what the API and the
    workers send, reach it once and are handed to each socket here."""

    document_id: Any
    doc: Doc = field(default_factory=Doc)
    seq: int = 0
    sockets: list[DocumentConsumer] = field(default_factory=list)
    awareness: dict[int, AwarenessEntry] = field(default_factory=dict)
    owners: dict[int, DocumentConsumer] = field(default_factory=dict)  # awareness client: socket
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    edited: bool = False
    mentioned: set[str] | None = None  # the people mentioned, once a mention was seen
    entering: int = 0  # sockets on their way in (not in ``sockets`` yet)
    channel: str = ""
    joining: asyncio.Task[None] | None = None
    listener: asyncio.Task[None] | None = None

    @property
    def group(self) -> str:
        return group_of(self.document_id)

    async def catch_up(self, upto: int | None = None) -> list[tuple[int, bytes]]:
        """Apply what the database holds after ``seq``; return what was applied."""
        async with self.lock:
            if upto is not None and upto <= self.seq:
                return []
            if self.seq == 0 and not self.edited:
                content = await database_sync_to_async(store.load)(self.document_id)
                if content.seq > self.seq:
                    self.doc = store.doc_of(content)
                    self.seq = content.seq
                return []
            rows = await database_sync_to_async(store.updates_after)(self.document_id, self.seq)
            for seq, update in rows:
                self.doc.apply_update(update)
                self.seq = seq
            return rows

    def take(self, seq: int, update: bytes) -> bool:
        """Apply an update stored as ``seq`` if it is the next one; False if there is a gap."""
        if seq <= self.seq:
            return True
        if seq != self.seq + 1:
            return False
        self.doc.apply_update(update)
        self.seq = seq
        self.edited = True
        return True

    async def apply(self, seq: int, update: bytes) -> None:
        """Hold the update stored as ``seq``, reading what is missing before it, if any."""
        if not self.take(seq, update):
            await self.catch_up(seq)
        if self.mentioned is not None and b"mention" in update:  # told where it was made
            self.mentioned = changes.mentioned(self.doc)

    # This process's side of the group.

    async def opened(self) -> None:
        """Wait until the room follows the document's group (its first socket starts it)."""
        failed = self.joining is not None and self.joining.done() and self.joining.exception()
        if self.joining is None or failed:  # the first socket, or after a failure (Redis down)
            self.joining = asyncio.get_running_loop().create_task(self.join())
        await asyncio.shield(self.joining)

    async def join(self) -> None:
        layer = get_channel_layer()
        self.channel = await layer.new_channel("docs.")
        await layer.group_add(self.group, self.channel)
        self.listener = asyncio.get_running_loop().create_task(self.listen(layer))
        # Who is editing in other processes: each answers with its sockets' carets.
        await layer.group_send_elsewhere(
            self.group, {"type": "doc.query", "reply_to": self.channel}
        )

    async def shut(self) -> None:
        """The last socket left: stop following the group."""
        if self.joining is not None:
            with contextlib.suppress(Exception):
                await self.joining
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.listener
        if self.channel:
            await get_channel_layer().forget(self.channel)

    async def listen(self, layer: Any) -> None:
        while True:
            message = await layer.receive(self.channel)
            try:
                await self.dispatch(layer, message)
            except Exception:  # one message's failure must not end the room's listening
                logger.exception("document room: could not handle %s", message.get("type"))

    async def dispatch(self, layer: Any, message: dict[str, Any]) -> None:
        """What came through the layer: from another process, the API or a worker."""
        kind = message["type"]
        if kind == "doc.update":
            update = base64.b64decode(message["data"])
            await self.apply(message["seq"], update)
            await self.stored(None, message["seq"], update, message.get("id", ""))
        elif kind == "doc.relay":
            self.relay(None, message["id"], base64.b64decode(message["data"]))
        elif kind == "doc.awareness":
            data = base64.b64decode(message["data"])
            for entry in protocol.read_awareness(data):
                if entry.state is None:
                    self.awareness.pop(entry.client, None)
                else:
                    self.awareness[entry.client] = entry
            self.hand(None, protocol.awareness(data))
        elif kind == "doc.query":
            mine = [
                self.awareness[c] for s in self.sockets for c in s.clients if c in self.awareness
            ]
            if mine:
                answer = {"type": "doc.awareness", "data": encode(protocol.write_awareness(mine))}
                await layer.send(message["reply_to"], answer)
        elif kind == "doc.rights":  # each on its own: one failing or slow holds back no other
            await asyncio.gather(
                *(socket.check_rights() for socket in list(self.sockets)), return_exceptions=True
            )
        elif kind == "doc.comments":
            self.hand(None, protocol.comments_changed())
        elif kind == OVERFLOW:  # what other processes sent may be lost: the pages resync
            for socket in list(self.sockets):
                socket.close_soon(CLOSE_TOO_FAST)

    # Handing out: to this process's sockets directly, to other processes through the layer.

    def hand(self, sender: DocumentConsumer | None, frame: bytes) -> None:
        for socket in self.sockets:
            if socket is not sender:
                socket.push(frame)

    def relay(self, sender: DocumentConsumer | None, relay_id: str, update: bytes) -> None:
        """An editor's update, before it is stored: sent on at once (its stored copy,
        numbered, follows and is not sent again)."""
        frame = protocol.sync_update(update)
        for socket in self.sockets:
            if socket is not sender:
                socket.relayed[relay_id] = True
                while len(socket.relayed) > MAX_RELAYED:  # the oldest, never stored
                    del socket.relayed[next(iter(socket.relayed))]
                socket.push(frame)

    async def stored(
        self, sender: DocumentConsumer | None, seq: int, update: bytes, relay_id: str
    ) -> None:
        """The update stored as ``seq``: each socket whose client lacks it sends it."""
        frame = protocol.sync_update(update)
        for socket in list(self.sockets):
            try:
                await socket.deliver(seq, frame, relay_id, own=socket is sender)
            except Exception:  # that socket resyncs; the others still get the update
                logger.exception("document socket: could not hand an update on")
                socket.close_soon(CLOSE_SERVER_ERROR)

    async def tell_others(self, message: dict[str, Any]) -> None:
        """Send ``message`` to the document's rooms in other processes (none in the embedded
        default)."""
        await get_channel_layer().group_send_elsewhere(self.group, message)


class Budget:
    """The frames a socket may send in a window (``docs.frames``), counted here: a count in
    Redis for every keystroke would cost more than the keystroke."""

    def __init__(self, rate: Rate) -> None:
        self.rate, self.window, self.count = rate, 0, 0

    def spend(self) -> bool:
        window = int(time.monotonic()) // self.rate.seconds
        if window != self.window:
            self.window, self.count = window, 0
        self.count += 1
        return self.count <= self.rate.count


class Delivered:
    """The sequences of the stored updates a socket's client has: all up to ``upto``, and
    some after it. Updates arrive out of order (another process's come through Redis, after
    this process's own), so a high-water mark alone would skip one that arrives late."""

    def __init__(self) -> None:
        self.upto = 0
        self.after: set[int] = set()

    def has(self, seq: int) -> bool:
        return seq <= self.upto or seq in self.after

    def add(self, seq: int) -> None:
        if seq > self.upto:
            self.after.add(seq)
        while self.upto + 1 in self.after:
            self.upto += 1
            self.after.discard(self.upto)

    def add_upto(self, seq: int) -> None:
        """The client got the whole document as of ``seq`` (a sync step 2)."""
        if seq > self.upto:
            self.upto = seq
            self.after = {each for each in self.after if each > seq}
            self.add(seq)


class Appender:
    """Group commit: the updates every socket of this process receives while a write is under
    way are stored together by the next one, in one transaction (one commit, not one per
    keystroke); each socket waits for its own update's sequence before it acknowledges."""

    def __init__(self) -> None:
        self.pending: list[tuple[Any, bytes, Any, asyncio.Future[int]]] = []
        self.writing: asyncio.Task[None] | None = None

    async def append(self, document_id: Any, update: bytes, author_id: Any) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending.append((document_id, update, author_id, future))
        if self.writing is None or self.writing.done():
            self.writing = asyncio.get_running_loop().create_task(self.write())
        return await future

    async def write(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                seqs = await database_sync_to_async(store.append_many)(
                    [(document_id, update, author) for document_id, update, author, _ in batch]
                )
            except Exception as error:  # each socket answers its own (nothing acknowledged)
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (*_, future), seq in zip(batch, seqs, strict=True):
                if not future.done():
                    future.set_result(seq)


APPENDERS: dict[asyncio.AbstractEventLoop, Appender] = {}


def appender() -> Appender:
    loop = asyncio.get_running_loop()
    found = APPENDERS.get(loop)
    if found is None:
        found = APPENDERS[loop] = Appender()
    return found


ROOMS: dict[Any, Room] = {}


def room_of(document_id: Any) -> Room:
    room = ROOMS.get(document_id)
    if room is None:
        room = ROOMS[document_id] = Room(document_id)
    return room


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class DocumentConsumer(LiveSocket, AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.room: Room | None = None
        self.clients: dict[int, int] = {}  # the awareness clients of this socket: their clock
        self.received = 0  # step 2 and update frames received (what "saved" counts)
        self.budget = Budget(rate_of("docs.frames"))
        self.delivered = Delivered()  # the stored updates this socket's client has
        self.relayed: dict[str, bool] = {}  # updates sent on before they were stored
        self.to_store: deque[tuple[int, bytes]] = deque()  # (its count, the update)
        self.storer: asyncio.Task[None] | None = None
        self.outbox: deque[bytes] = deque()  # frames to send, in order
        self.outbox_bytes = 0
        self.pending_bytes = 0  # of to_store
        self.writer: asyncio.Task[None] | None = None
        self.closing: asyncio.Task[None] | None = None
        self.gone = False  # closing or closed: nothing more is sent or taken
        self.left = False  # out of its room
        user: Any = self.scope["user"]  # AuthMiddlewareStack's (anonymous: AnonymousUser)
        signed_in = user.is_authenticated
        if signed_in and (not user.is_active or not await self.join_session()):
            await self.close(code=CLOSE_SIGN_IN)
            return
        document = await self.find(self.scope["url_route"]["kwargs"]["document_id"])
        abilities = document.get_abilities(user) if document else {}
        if document is None or not abilities.get("retrieve"):
            await self.leave_session()
            await self.close(code=CLOSE_FORBIDDEN if signed_in else CLOSE_SIGN_IN)
            return
        self.document_id = document.pk
        self.can_edit = bool(abilities.get("update"))
        self.user = user
        self.name = str(user) if user.is_authenticated else ""
        await self.accept()
        self.room = room = room_of(document.pk)
        room.entering += 1
        try:
            await room.opened()
            await room.catch_up()
        except Exception:  # Redis or the database failing: the page reconnects later
            logger.exception("document socket: could not open the document")
            room.entering -= 1
            self.close_soon(CLOSE_SERVER_ERROR)
            await self.leave_room()
            return
        room.entering -= 1
        # From here on the room hands this socket every update after ``room.seq`` (no await
        # in between): those before, the client gets in the answer to its sync step 1.
        self.delivered.upto = room.seq
        room.sockets.append(self)
        self.push(protocol.sync_step1(room.doc.get_state()))
        self.push_awareness_states(room)
        # Rights changed between the check above and joining the room reached nobody here.
        await self.check_rights()
        if user.is_authenticated and not self.gone:
            await database_sync_to_async(remember_visit)(document.pk, user)

    @database_sync_to_async
    def find(self, document_id: str) -> Document | None:
        try:
            document = Document.objects.filter(pk=document_id, deleted_at__isnull=True).first()
        except ValidationError:
            return None
        if document is not None:
            document.get_abilities(self.scope["user"])  # reads the accesses here, not in the loop
        return document

    async def disconnect(self, code: int) -> None:
        self.gone = True  # what it sent is still stored (others have it), not acknowledged
        if self.writer is not None:
            self.writer.cancel()
        await self.leave_session()
        await self.leave_room()

    async def leave_room(self) -> None:
        """Out of the room, once: its carets are announced gone, and the room closes with
        its last socket (a failure on the way leaves no socket behind in the room)."""
        room = self.room
        if room is None or self.left:
            return
        self.left = True
        if self in room.sockets:
            room.sockets.remove(self)
        try:
            if self.clients:
                gone = [
                    AwarenessEntry(client, clock + 1, None)
                    for client, clock in self.clients.items()
                ]
                for entry in gone:
                    room.awareness.pop(entry.client, None)
                    if room.owners.get(entry.client) is self:
                        del room.owners[entry.client]
                data = protocol.write_awareness(gone)
                room.hand(self, protocol.awareness(data))
                await room.tell_others({"type": "doc.awareness", "data": encode(data)})
        finally:
            if not room.sockets and not room.entering and ROOMS.get(room.document_id) is room:
                del ROOMS[room.document_id]
                await room.shut()
                if room.edited:
                    from ensemble.docs.tasks import last_editor_left

                    await database_sync_to_async(last_editor_left.enqueue)(str(room.document_id))

    def close_soon(self, code: int) -> None:
        """Close without waiting (a client that does not read could hold the close): nothing
        more is sent to it or taken from it meanwhile."""
        self.gone = True
        self.can_edit = False
        self.outbox.clear()
        self.outbox_bytes = 0
        if self.closing is None:
            self.closing = asyncio.get_running_loop().create_task(self.close_quietly(code))

    async def close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.close(code=code)

    def push(self, frame: bytes) -> None:
        """Send ``frame`` after those before it, without waiting: a client that reads slowly
        holds back only itself (past MAX_OUTBOX unsent frames or MAX_OUTBOX_BYTES it is
        closed, and resyncs when it comes back)."""
        if self.gone:
            return
        if len(self.outbox) >= MAX_OUTBOX or self.outbox_bytes + len(frame) > MAX_OUTBOX_BYTES:
            self.close_soon(CLOSE_TOO_FAST)
            return
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.get_running_loop().create_task(self.write())

    async def write(self) -> None:
        try:
            while self.outbox and not self.gone:
                frame = self.outbox.popleft()
                self.outbox_bytes -= len(frame)
                await self.send(bytes_data=frame)
        except Exception:  # the connection is closing: what was not sent is sent on reconnect
            self.outbox.clear()
            self.outbox_bytes = 0

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.room is None or self.gone:
            return
        try:
            await self.take_frame(self.room, bytes_data)
        except Exception:  # Redis or the database failing: the page reconnects and resends
            logger.exception("document socket: could not handle a frame")
            self.close_soon(CLOSE_SERVER_ERROR)
            await self.leave_room()

    async def take_frame(self, room: Room, bytes_data: bytes | None) -> None:
        if not self.budget.spend():
            self.close_soon(CLOSE_TOO_FAST)  # the editor reconnects and resends
            return
        if bytes_data is None or len(bytes_data) > MAX_FRAME:
            self.close_soon(CLOSE_BAD_FRAME)
            return
        try:
            await self.handle(room, protocol.Reader(bytes_data))
        except BadFrame as error:
            logger.info("document socket: bad frame (%s)", error)
            self.close_soon(CLOSE_BAD_FRAME)

    async def handle(self, room: Room, reader: protocol.Reader) -> None:
        kind = reader.uint()
        if kind == protocol.SYNC:
            step = reader.uint()
            payload = reader.bytes()
            if step == protocol.STEP1:
                await self.answer_step1(room, payload)
            elif step in (protocol.STEP2, protocol.UPDATE):
                await self.take_update(room, payload)
            else:
                raise BadFrame("unknown sync step")
        elif kind == protocol.AWARENESS:
            await self.take_awareness(room, reader.bytes())
        elif kind == protocol.QUERY_AWARENESS:
            self.push_awareness_states(room)
        # Other kinds (auth from a client, future ones) are ignored, as y-websocket does.

    async def answer_step1(self, room: Room, state_vector: bytes) -> None:
        await room.catch_up()
        try:
            update = room.doc.get_update(state_vector)
        except Exception as error:  # pycrdt refuses a malformed state vector
            raise BadFrame("bad state vector") from error
        self.delivered.add_upto(room.seq)
        self.push(protocol.sync_step2(update))

    async def take_update(self, room: Room, update: bytes) -> None:
        self.received += 1
        if update != store.EMPTY_UPDATE:
            if not self.can_edit:
                self.push(protocol.denied("read-only"))
                return
            if self.user.is_authenticated:
                if sessions.is_over(self.scope["session"], time.time()):
                    self.close_soon(CLOSE_SIGN_IN)  # its page signs it out
                    return
                await self.used()
            if len(update) > MAX_UPDATE:
                self.push(protocol.denied("too-large"))
                return
            if not valid_update(update):
                raise BadFrame("not a Yjs update")
            # The other editors get it at once; it is stored meanwhile, and acknowledged to
            # its sender once stored. Nothing is lost if the server stops in between: the
            # sender keeps what was not acknowledged, and every editor sends what the server
            # lacks when it connects again.
            relay_id = f"{self.channel_name}:{self.received}"
            room.relay(self, relay_id, update)
            await room.tell_others({"type": "doc.relay", "id": relay_id, "data": encode(update)})
        # Stored (and acknowledged, in order) by this socket's storer, while this handler
        # goes on to the next frame and the other editors' updates: waiting for the database
        # here would hold them back.
        if len(self.to_store) >= MAX_PENDING or self.pending_bytes > MAX_PENDING_BYTES:
            self.close_soon(CLOSE_TOO_FAST)  # it reconnects and sends what was not stored
            return
        self.to_store.append((self.received, update))
        self.pending_bytes += len(update)
        if self.storer is None or self.storer.done():
            self.storer = asyncio.get_running_loop().create_task(self.store_received(room))

    async def store_received(self, room: Room) -> None:
        """Store what this socket received, in order; acknowledge each once stored."""
        author = self.user if self.user.is_authenticated else None
        try:
            while self.to_store:
                count, update = self.to_store.popleft()
                self.pending_bytes -= len(update)
                if update != store.EMPTY_UPDATE:
                    await self.store_one(room, count, update, author)
                self.push(protocol.saved(count))
        except Exception:
            logger.exception("document socket: could not store an update")
            self.to_store.clear()
            self.pending_bytes = 0
            if not self.gone:  # the editor reconnects and sends again what is not stored
                self.close_soon(CLOSE_SERVER_ERROR)

    async def store_one(self, room: Room, count: int, update: bytes, author: Any) -> None:
        seq = await appender().append(self.document_id, update, getattr(author, "pk", None))
        if not seq:  # the document was deleted for good meanwhile
            self.to_store.clear()
            self.pending_bytes = 0
            self.close_soon(CLOSE_GONE)
            return
        before = self.mentions_before(room, update)
        await room.apply(seq, update)
        relay_id = f"{self.channel_name}:{count}"
        await room.stored(self, seq, update, relay_id)
        await room.tell_others(
            {"type": "doc.update", "seq": seq, "id": relay_id, "data": encode(update)}
        )
        if before is not None:
            room.mentioned = changes.mentioned(room.doc)
            if room.mentioned - before:
                await database_sync_to_async(changes.tell_mentioned)(
                    self.document_id, author, room.mentioned - before
                )

    @staticmethod
    def mentions_before(room: Room, update: bytes) -> set[str] | None:
        """The people mentioned before ``update``, when it may add a mention (its bytes hold
        the node's name); None otherwise, which costs nothing while people type."""
        if b"mention" not in update:
            return None
        if room.mentioned is None:
            room.mentioned = changes.mentioned(room.doc)
        return room.mentioned

    async def take_awareness(self, room: Room, update: bytes) -> None:
        if len(update) > MAX_AWARENESS:
            return  # a caret and a name are far smaller: not relayed, not kept
        entries = protocol.read_awareness(update)
        for entry in entries:
            if room.owners.setdefault(entry.client, self) is not self:
                continue  # another socket's caret: nobody moves or removes it but its own
            if entry.client not in self.clients and len(self.clients) >= 4:
                if room.owners.get(entry.client) is self:
                    del room.owners[entry.client]
                continue  # a page has one client; a few for reloads, not an unbounded map
            self.clients[entry.client] = entry.clock
            if isinstance(entry.state, dict):  # the person's own name, whatever was sent
                entry.state = {
                    key: entry.state[key] for key in AWARENESS_FIELDS if key in entry.state
                }
                entry.state["user"] = {"name": self.name, "color": colour_of(self.user)}
            room.awareness[entry.client] = entry
        data = protocol.write_awareness([e for e in entries if e.client in self.clients])
        room.hand(self, protocol.awareness(data))
        await room.tell_others({"type": "doc.awareness", "data": encode(data)})

    def push_awareness_states(self, room: Room) -> None:
        states = [entry for entry in room.awareness.values() if entry.state is not None]
        if states:
            self.push(protocol.awareness(protocol.write_awareness(states)))

    # What the room hands this socket.

    async def deliver(self, seq: int, frame: bytes, relay_id: str, own: bool) -> None:
        """The update stored as ``seq`` (``frame``: it framed): sent unless the client has
        it already (its own, or relayed before it was stored)."""
        if self.delivered.has(seq):
            return
        relayed = self.relayed.pop(relay_id, False)
        if not own and not relayed:
            if not self.delivered.has(seq - 1):  # not come yet, from another process, or lost
                missing = await database_sync_to_async(store.updates_after)(
                    self.document_id, self.delivered.upto
                )
                for row_seq, data in missing:
                    if row_seq < seq and not self.delivered.has(row_seq):
                        self.delivered.add(row_seq)
                        self.push(protocol.sync_update(data))
            self.push(frame)
        self.delivered.add(seq)

    async def check_rights(self) -> None:
        """Who may do what here changed: check again (disconnected if no longer a reader;
        told the document is read-only if no longer an editor)."""
        if self.gone:
            return
        document = await self.find(str(self.document_id))
        abilities = document.get_abilities(self.user) if document else {}
        if not abilities.get("retrieve"):
            self.close_soon(CLOSE_FORBIDDEN)
            return
        if self.can_edit and not abilities.get("update"):
            self.push(protocol.denied("read-only"))
        self.can_edit = bool(abilities.get("update"))


def valid_update(update: bytes) -> bool:
    """Whether pycrdt reads ``update`` as a Yjs update of the editor's content (a forged or
    broken one is refused before it is stored: stored, it would break every load of the
    document; one that fills another top-level type would make it grow unseen)."""
    trial: Doc = Doc()
    try:
        trial.apply_update(update)
    except Exception:
        return False
    return set(trial.keys()) <= {changes.content.FRAGMENT}


def remember_visit(document_id: Any, user: Any) -> None:
    from django.utils import timezone

    Visit.objects.update_or_create(
        document_id=document_id, user=user, defaults={"at": timezone.now()}
    )
