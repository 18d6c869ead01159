"""Master-key rotation over every stored file."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.files.storage import default_storage

from ensemble.core.storage import EncryptedStorage


def stored_files(storage: EncryptedStorage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_files(storage, f"{folder}/{sub}" if folder else sub)


def rotate_all(say: Callable[[str], None] = lambda text: None) -> tuple[int, int]:
    """Re-wrap every file's data key with the current master key: (re-wrapped, unchanged).

    Run it after putting a new key first in ENCRYPTION_KEYS; remove the old key only after.
    """
    storage = default_storage
    rewrapped = unchanged = 0
    for name in list(stored_files(storage)):  # type: ignore[arg-type]
        if storage.rewrap(name):  # type: ignore[attr-defined]
            rewrapped += 1
            say(f"re-wrapped {name}")
        else:
            unchanged += 1
    return rewrapped, unchanged
