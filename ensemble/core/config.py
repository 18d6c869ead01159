"""Reading settings from the environment.

Every setting of Ensemble comes from an environment variable (documented in
docs/configuration.md). A secret may also be given as ``NAME_FILE``: the path of a file
holding it, so that secrets never have to sit in the environment of a process.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The value of ``name``, or the content of the file named by ``name_FILE``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE points to {file_path!r}, which cannot be read: {error.strerror}"
            ) from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def parse_encryption_keys(raw: str) -> dict[str, bytes]:
    """Parse ``id:base64key,id2:base64key`` into an ordered {id: key}; the first is current."""
    keys: dict[str, bytes] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured(
                "ENCRYPTION_KEYS must look like 'id:base64key,...' (see docs/configuration.md)"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise ImproperlyConfigured(f"encryption key {key_id!r} is not valid base64") from error
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"encryption key {key_id!r} must be 32 bytes (AES-256), not {len(key)}"
            )
        keys[key_id] = key
    return keys


def embedded_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets of the embedded default, generated once and kept in the data directory.

    A single-machine install must not run on a secret known to the world, so instead of a
    default value each install gets its own, stored with mode 0600.
    """
    private_folder(data_dir)
    path = data_dir / "secrets.json"
    if path.exists():
        private_file(path)
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ENCRYPTION_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same install was first
        return embedded_secrets(data_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(generated, handle)
    return generated


def derived_secret(secret_key: str, purpose: str) -> str:
    """A secret for one purpose, derived from the install's SECRET_KEY (so the embedded default
    needs no more stored secrets, and each purpose gets a different one)."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def private_folder(path: Path) -> Path:
    """Create ``path`` (and any missing parent) readable by this user only (mode 0700), or
    tighten an existing one: the data directory holds the database, files and secrets."""
    missing = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in {path, *missing}:
        _tighten(folder, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, with mode 0600, or tighten an existing one.
    (SQLite gives its -wal and -shm files the mode of the database file.)"""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _tighten(path, 0o600)
    return path


def _tighten(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o777 != mode:
        with contextlib.suppress(PermissionError):  # another user's: `ensemble check` says so
            path.chmod(mode)
