"""A Django storage that encrypts every file at rest, over any other storage backend."""

from __future__ import annotations

import io
import itertools
import os
from datetime import datetime
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from ensemble.core.encryption import (
    FIXED_HEADER,
    DecryptionError,
    IteratorReader,
    KeyRing,
    decrypt_stream,
    encrypt_stream,
    plain_size,
    read_header,
    read_key_section,
)


def keyring() -> KeyRing:
    return KeyRing(settings.ENCRYPTION_KEYS)


@deconstructible
class EncryptedStorage(Storage):
    """Encrypts on save and decrypts on open, streaming both ways in constant memory.

    ``inner`` is a storage description like an entry of STORAGES: {"BACKEND", "OPTIONS"}.
    Names, listing and deletion are the inner storage's; sizes are plaintext sizes.
    """

    def __init__(self, inner: dict[str, Any] | None = None) -> None:
        inner = inner or {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        self.inner: Storage = import_string(inner["BACKEND"])(**inner.get("OPTIONS", {}))

    # Writing
    def _save(self, name: str, content: File) -> str:
        chunk_size = settings.ENCRYPTION_CHUNK_SIZE
        encrypted = IteratorReader(encrypt_stream(_binary(content), keyring(), chunk_size))
        return self.inner._save(name, File(io.BufferedReader(encrypted, chunk_size), name))  # type: ignore[attr-defined]

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length)

    # Reading
    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        plain = IteratorReader(decrypt_stream(self.open_raw(name), keyring()))
        return File(io.BufferedReader(plain, 256 * 1024), name)

    def open_raw(self, name: str) -> BinaryIO:
        """The stored (encrypted) bytes, as a stream that never loads the whole file."""
        bucket = getattr(self.inner, "bucket", None)
        if bucket is not None:  # S3: read the response body as it arrives
            body: BinaryIO = bucket.Object(self.inner._normalize_name(name)).get()["Body"]  # type: ignore[attr-defined]
            return body
        return cast(BinaryIO, self.inner.open(name, "rb"))

    def size(self, name: str) -> int:
        with self.open_raw(name) as raw:
            fixed = raw.read(FIXED_HEADER.size)
            if len(fixed) < FIXED_HEADER.size:
                raise DecryptionError("the file is too short to be an encrypted file")
            chunk_size = FIXED_HEADER.unpack(fixed)[1]
            key_section = len(read_key_section(raw))
        return plain_size(self.inner.size(name), chunk_size, key_section)

    # Key rotation
    def rewrap(self, name: str) -> bool:
        """Re-wrap one file's data key with the current master key; False if already current.

        Only the key section changes; the chunks are copied as they are, in constant memory.
        """
        ring = keyring()
        with self.open_raw(name) as raw:
            fixed, _chunk_size, _prefix, data_key = read_header(raw, ring)
        with self.open_raw(name) as raw:
            raw.read(FIXED_HEADER.size)
            section = read_key_section(raw)
            if section[1 : 1 + section[0]].decode() == ring.current_id:
                return False
            header = fixed + ring.wrap(data_key, fixed)
            rest = iter(lambda: raw.read(1024 * 1024), b"")
            rewritten = IteratorReader(itertools.chain([header], rest))
            temporary = self.inner.save(name + ".rewrap", File(io.BufferedReader(rewritten)))
        self.inner.delete(name)
        _move(self.inner, temporary, name)
        return True

    # Everything else is the inner storage's
    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("encrypted files are served by Ensemble's views, not by URL")

    def get_modified_time(self, name: str) -> datetime:
        return self.inner.get_modified_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.inner.get_created_time(name)


def _binary(content: File) -> BinaryIO:
    if getattr(content, "seekable", lambda: True)():
        content.seek(0)
    return cast(BinaryIO, content.file if content.file is not None else content)


def _move(storage: Storage, source: str, target: str) -> None:
    """Rename within a storage: a rename on disk, a server-side copy on S3."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        normalize = storage._normalize_name  # type: ignore[attr-defined]
        bucket.copy({"Bucket": bucket.name, "Key": normalize(source)}, normalize(target))
        storage.delete(source)
        return
    os.replace(storage.path(source), storage.path(target))
