"""Files are encrypted at rest; damage gives a clear error, never wrong bytes."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ensemble.core.encryption import DecryptionError, KeyRing, decrypt_stream, encrypt_stream
from ensemble.core.keys import rotate_all

CHUNK = 1024
RING = KeyRing({"k1": os.urandom(32)})


def encrypt(data: bytes, ring: KeyRing = RING) -> bytes:
    return b"".join(encrypt_stream(io.BytesIO(data), ring, CHUNK))


def decrypt(blob: bytes, ring: KeyRing = RING) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(blob), ring))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_round_trip_of_every_size_around_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    blob = encrypt(data)
    if size >= 16:  # a short plaintext may appear in random bytes by chance
        assert data not in blob
    assert decrypt(blob) == data


def test_a_flipped_bit_is_detected() -> None:
    blob = bytearray(encrypt(os.urandom(3 * CHUNK)))
    blob[-CHUNK] ^= 1
    with pytest.raises(DecryptionError, match="damaged"):
        decrypt(bytes(blob))


@pytest.mark.parametrize("cut", [1, 16, CHUNK + 16, CHUNK + 17])
def test_a_truncated_file_is_detected(cut: int) -> None:
    blob = encrypt(os.urandom(3 * CHUNK + 5))
    with pytest.raises(DecryptionError):
        decrypt(blob[:-cut])


def test_a_file_cut_at_a_chunk_boundary_is_detected() -> None:
    data = os.urandom(3 * CHUNK + 5)
    blob = encrypt(data)
    header = len(blob) - (3 * (CHUNK + 16) + 5 + 16)
    with pytest.raises(DecryptionError):
        decrypt(blob[: header + 2 * (CHUNK + 16)])


def test_reordered_chunks_are_detected() -> None:
    blob = encrypt(os.urandom(3 * CHUNK))
    sealed = CHUNK + 16
    header = len(blob) - 3 * sealed - 16
    body = blob[header:]
    swapped = body[sealed : 2 * sealed] + body[:sealed] + body[2 * sealed :]
    with pytest.raises(DecryptionError):
        decrypt(blob[:header] + swapped)


def test_appended_bytes_are_detected() -> None:
    with pytest.raises(DecryptionError):
        decrypt(encrypt(b"hello") + b"x")


def test_an_unknown_master_key_is_named() -> None:
    other = KeyRing({"k2": os.urandom(32)})
    with pytest.raises(DecryptionError, match="'k1'"):
        decrypt(encrypt(b"secret"), other)


def test_not_an_encrypted_file() -> None:
    with pytest.raises(DecryptionError, match="not an encrypted file"):
        decrypt(b"PK\x03\x04 a zip file, say, stored before encryption")


@pytest.mark.django_db
def test_storage_stores_ciphertext_and_reads_plaintext(settings: Any) -> None:
    data = os.urandom(200_000)
    name = default_storage.save("docs/report.bin", ContentFile(data))
    with default_storage.inner.open(name, "rb") as raw:  # type: ignore[attr-defined]
        stored = raw.read()
    assert data[:1000] not in stored
    with default_storage.open(name) as handle:
        assert handle.read() == data
    assert default_storage.size(name) == len(data)


@pytest.mark.django_db
def test_key_rotation_rewraps_every_file_and_old_key_can_go(settings: Any) -> None:
    old = settings.ENCRYPTION_KEYS
    names = [default_storage.save(f"f{n}.txt", ContentFile(b"content %d" % n)) for n in range(3)]
    new_key = os.urandom(32)
    settings.ENCRYPTION_KEYS = {"new": new_key, **old}
    assert rotate_all() == (3, 0)
    assert rotate_all() == (0, 3)
    settings.ENCRYPTION_KEYS = {"new": new_key}
    for number, name in enumerate(names):
        with default_storage.open(name) as handle:
            assert handle.read() == b"content %d" % number
