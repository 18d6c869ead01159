"""Streaming authenticated encryption of stored files (AES-256-GCM in chunks).

Layout of an encrypted file::

    fixed header   b"ENC1" | chunk size (u32) | nonce prefix (7 bytes)      16 bytes
    key section    key id length (u8) | key id | wrap nonce (12) | wrapped data key (48)
    chunks         AES-GCM(data key, nonce = prefix | index (u32) | last flag (u8),
                           aad = fixed header) -> ciphertext | tag (16)

Every file has its own random data key, wrapped by a master key named by its id, so that a
master key can be rotated by rewriting the key section alone. Each chunk is bound to its
position and to whether it is the last one (the STREAM construction): reordered, modified,
truncated or extended files fail to decrypt with :class:`DecryptionError` instead of
returning wrong bytes. A full-size chunk is never the last: a file whose length is a
multiple of the chunk size ends with an empty last chunk.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ENC1"
TAG_SIZE = 16
PREFIX_SIZE = 7
FIXED_HEADER = struct.Struct(">4sI7s")
MAX_CHUNK_SIZE = 16 * 1024 * 1024


class DecryptionError(Exception):
    """The stored bytes are not an intact file encrypted by Ensemble."""


class KeyRing:
    """Master keys by id; the first one wraps new data keys."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self.keys = dict(keys)
        self.current_id = next(iter(self.keys))

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        key_id = self.current_id.encode()
        nonce = os.urandom(12)
        wrapped = AESGCM(self.keys[self.current_id]).encrypt(nonce, data_key, aad + key_id)
        return struct.pack(">B", len(key_id)) + key_id + nonce + wrapped

    def unwrap(self, section: bytes, aad: bytes) -> bytes:
        key_id, nonce, wrapped = _split_key_section(section)
        key = self.keys.get(key_id.decode(errors="replace"))
        if key is None:
            raise DecryptionError(
                f"the file was encrypted with master key {key_id.decode(errors='replace')!r}, "
                "which is not in ENCRYPTION_KEYS"
            )
        try:
            return AESGCM(key).decrypt(nonce, wrapped, aad + key_id)
        except InvalidTag as error:
            raise DecryptionError("the file's key section is damaged") from error


def _split_key_section(section: bytes) -> tuple[bytes, bytes, bytes]:
    id_length = section[0]
    key_id = section[1 : 1 + id_length]
    nonce = section[1 + id_length : 13 + id_length]
    wrapped = section[13 + id_length :]
    return key_id, nonce, wrapped


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts, remaining = [], size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_header(source: BinaryIO, keyring: KeyRing) -> tuple[bytes, int, bytes, bytes]:
    """Read the header; return (fixed header, chunk size, nonce prefix, data key)."""
    fixed = _read_exactly(source, FIXED_HEADER.size)
    if len(fixed) < FIXED_HEADER.size:
        raise DecryptionError("the file is too short to be an encrypted file")
    magic, chunk_size, prefix = FIXED_HEADER.unpack(fixed)
    if magic != MAGIC:
        raise DecryptionError("the file is not an encrypted file of Ensemble")
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionError("the file's header is damaged")
    section = read_key_section(source)
    return fixed, chunk_size, prefix, keyring.unwrap(section, fixed)


def read_key_section(source: BinaryIO) -> bytes:
    length_byte = _read_exactly(source, 1)
    if not length_byte:
        raise DecryptionError("the file's header is truncated")
    rest = _read_exactly(source, length_byte[0] + 12 + 32 + TAG_SIZE)
    if len(rest) < length_byte[0] + 12 + 32 + TAG_SIZE:
        raise DecryptionError("the file's header is truncated")
    return length_byte + rest


def encrypt_stream(source: BinaryIO, keyring: KeyRing, chunk_size: int) -> Iterator[bytes]:
    """Yield the encrypted form of ``source``, one chunk at a time."""
    prefix = os.urandom(PREFIX_SIZE)
    fixed = FIXED_HEADER.pack(MAGIC, chunk_size, prefix)
    data_key = AESGCM.generate_key(bit_length=256)
    yield fixed + keyring.wrap(data_key, fixed)
    cipher = AESGCM(data_key)
    index = 0
    chunk = _read_exactly(source, chunk_size)
    while True:
        following = _read_exactly(source, chunk_size) if len(chunk) == chunk_size else b""
        last = len(chunk) < chunk_size
        yield cipher.encrypt(_chunk_nonce(prefix, index, last), chunk, fixed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: BinaryIO, keyring: KeyRing) -> Iterator[bytes]:
    """Yield the plaintext of an encrypted stream; raise DecryptionError on any damage."""
    fixed, chunk_size, prefix, data_key = read_header(source, keyring)
    cipher = AESGCM(data_key)
    index = 0
    while True:
        sealed = _read_exactly(source, chunk_size + TAG_SIZE)
        last = len(sealed) < chunk_size + TAG_SIZE
        if len(sealed) < TAG_SIZE:
            raise DecryptionError("the file is truncated")
        try:
            plain = cipher.decrypt(_chunk_nonce(prefix, index, last), sealed, fixed)
        except InvalidTag as error:
            raise DecryptionError(
                f"chunk {index} of the file is damaged or the file was truncated"
            ) from error
        yield plain
        if last:
            if source.read(1):
                raise DecryptionError("the file has unexpected bytes after its end")
            return
        index += 1


def plain_size(stored_size: int, chunk_size: int, key_section_size: int) -> int:
    body = stored_size - FIXED_HEADER.size - key_section_size
    sealed = chunk_size + TAG_SIZE
    full, rest = divmod(body, sealed)
    return full * chunk_size + max(rest - TAG_SIZE, 0)


class IteratorReader(io.RawIOBase):
    """A read-only, non-seekable file over an iterator of byte strings."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = memoryview(next(self._parts))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
