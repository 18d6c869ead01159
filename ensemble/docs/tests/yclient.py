"""A Yjs client of the document socket, on pycrdt, as the editor's provider behaves: the sync
handshake, updates counted and acknowledged, awareness. Over a Channels test communicator or a
real WebSocket (anything with ``send(bytes)`` and ``receive() -> bytes``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from ensemble.docs import protocol
from ensemble.docs.protocol import AwarenessEntry, Reader


class YClient:
    def __init__(
        self, send: Callable[[bytes], Awaitable[None]], receive: Callable[[float], Awaitable[bytes]]
    ) -> None:
        self.doc: Doc = Doc()
        self.send_frame, self.receive_frame = send, receive
        self.sent = 0  # step 2 and update frames sent
        self.saved = 0
        self.denied: list[str] = []
        self.awareness: dict[int, Any] = {}
        self.updates_received = 0
        self.comments_changed = 0
        self.pending: list[bytes] = []
        self.doc.observe(lambda event: self.pending.append(event.update))

    @property
    def text(self) -> str:
        """The words of the document (its paragraphs' text, in order), as an editor shows them."""
        return words_of(self.doc)

    def insert(self, index: int, words: str) -> None:
        """Insert into the first paragraph (made if there is none), without sending it."""
        with self.doc.transaction():  # one update, as an editor's keystroke
            target = first_text(self.fragment)
            if target is None:
                paragraph = self.fragment.children.append(XmlElement("paragraph"))
                target = paragraph.children.append(XmlText())
            target.insert(index, words)

    @property
    def fragment(self) -> XmlFragment:
        return self.doc.get("default", type=XmlFragment)

    async def handshake(self) -> None:
        """Answer the server's step 1, ask with ours, and apply its answer."""
        await self.send_frame(protocol.sync_step1(self.doc.get_state()))
        got_step2 = False
        answered = False
        while not (got_step2 and answered):
            kind, step, payload = await self.next_frame()
            if kind == protocol.SYNC and step == protocol.STEP1:
                await self.send_update(self.doc.get_update(payload), protocol.sync_step2)
                answered = True
            elif kind == protocol.SYNC and step == protocol.STEP2:
                got_step2 = True

    async def send_update(
        self, update: bytes, frame: Callable[[bytes], bytes] = protocol.sync_update
    ) -> None:
        self.sent += 1
        await self.send_frame(frame(update))

    async def type(self, text: str) -> None:
        """Type at the end of the shared text and send what changed, as one update."""
        self.pending.clear()
        target = first_text(self.fragment)
        self.insert(len(target) if target is not None else 0, text)
        for update in self.pending:
            await self.send_update(update)
        self.pending.clear()

    async def flush(self) -> None:
        for update in self.pending:
            await self.send_update(update)
        self.pending.clear()

    async def until_saved(self, timeout: float = 5) -> None:
        while self.saved < self.sent:
            await self.next_frame(timeout)

    async def next_frame(self, timeout: float = 5) -> tuple[int, int | None, Any]:
        """Read one frame, apply what it carries; (kind, step, payload)."""
        reader = Reader(await self.receive_frame(timeout))
        kind = reader.uint()
        if kind == protocol.SYNC:
            step = reader.uint()
            payload = reader.bytes()
            if step in (protocol.STEP2, protocol.UPDATE):
                self.pending.clear()
                self.doc.apply_update(payload)
                self.pending.clear()
                self.updates_received += step == protocol.UPDATE
            return kind, step, payload
        if kind == protocol.AWARENESS:
            entries = protocol.read_awareness(reader.bytes())
            for entry in entries:
                self.awareness[entry.client] = entry.state
            return kind, None, entries
        if kind == protocol.SAVED:
            self.saved = reader.uint()
            return kind, None, self.saved
        if kind == protocol.COMMENTS:
            self.comments_changed += 1
            return kind, None, None
        if kind == protocol.AUTH:
            reader.uint()
            self.denied.append(reader.string())
            return kind, None, self.denied[-1]
        return kind, None, None

    async def until(self, test: Callable[[], bool], timeout: float = 5) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not test():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError("the awaited state never came")
            await self.next_frame(left)

    async def announce(self, client: int, state: Any, clock: int = 1) -> None:
        data = protocol.write_awareness([AwarenessEntry(client, clock, state)])
        await self.send_frame(protocol.awareness(data))


def first_text(fragment: XmlFragment) -> XmlText | None:
    for child in fragment.children:
        if isinstance(child, XmlElement):
            for inner in child.children:
                if isinstance(inner, XmlText):
                    return inner
    return None


def words_of(doc: Doc) -> str:
    """The text of every paragraph of the editor's fragment, in order."""
    fragment = doc.get("default", type=XmlFragment)
    return "".join(
        str(inner)
        for child in fragment.children
        if isinstance(child, XmlElement)
        for inner in child.children
        if isinstance(inner, XmlText)
    )
