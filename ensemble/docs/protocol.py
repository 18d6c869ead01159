"""The frames of the document socket: y-websocket's framing (lib0 encoding) plus "saved".

See docs/subsystems/docs.md for the messages. Decoding raises ``BadFrame`` on anything that is
not a well-formed frame, so that the socket can refuse it instead of failing later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SYNC, AWARENESS, AUTH, QUERY_AWARENESS, SAVED, COMMENTS = 0, 1, 2, 3, 100, 101
STEP1, STEP2, UPDATE = 0, 1, 2
PERMISSION_DENIED = 0


class BadFrame(ValueError):
    pass


def varuint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def varbytes(data: bytes) -> bytes:
    return varuint(len(data)) + data


def varstring(text: str) -> bytes:
    return varbytes(text.encode("utf-8"))


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def uint(self) -> int:
        value, shift = 0, 0
        while True:
            if self.at >= len(self.data) or shift > 63:
                raise BadFrame("truncated number")
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def bytes(self) -> bytes:
        size = self.uint()
        if self.at + size > len(self.data):
            raise BadFrame("truncated bytes")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def string(self) -> str:
        try:
            return self.bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadFrame("not UTF-8") from error


def sync_step1(state_vector: bytes) -> bytes:
    return varuint(SYNC) + varuint(STEP1) + varbytes(state_vector)


def sync_step2(update: bytes) -> bytes:
    return varuint(SYNC) + varuint(STEP2) + varbytes(update)


def sync_update(update: bytes) -> bytes:
    return varuint(SYNC) + varuint(UPDATE) + varbytes(update)


def saved(count: int) -> bytes:
    return varuint(SAVED) + varuint(count)


def comments_changed() -> bytes:
    return varuint(COMMENTS)


def denied(reason: str) -> bytes:
    return varuint(AUTH) + varuint(PERMISSION_DENIED) + varstring(reason)


@dataclass
class AwarenessEntry:
    client: int
    clock: int
    state: Any  # None: the client is gone


def read_awareness(update: bytes) -> list[AwarenessEntry]:
    reader = Reader(update)
    entries = []
    for _ in range(reader.uint()):
        client, clock, text = reader.uint(), reader.uint(), reader.string()
        try:
            state = json.loads(text)
        except ValueError as error:
            raise BadFrame("awareness state is not JSON") from error
        entries.append(AwarenessEntry(client, clock, state))
    return entries


def write_awareness(entries: list[AwarenessEntry]) -> bytes:
    out = varuint(len(entries))
    for entry in entries:
        state = json.dumps(entry.state, separators=(",", ":"), ensure_ascii=False)
        out += varuint(entry.client) + varuint(entry.clock) + varstring(state)
    return out


def awareness(update: bytes) -> bytes:
    return varuint(AWARENESS) + varbytes(update)
