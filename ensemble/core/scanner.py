"""Malware scanning by ClamAV's daemon (clamd), for every app that stores files people send.

The client speaks clamd's INSTREAM command (the file is streamed to clamd, which needs no
access to our storage) over a unix socket or TCP, and answers one of three things: clean,
infected (with the signature's name) or could not scan (clamd down, too slow, a limit). It never
guesses: anything but clamd's own ``OK`` or ``FOUND`` is "could not scan".

Settings (docs/configuration.md): SCANNER_ADDRESS (``auto``: Debian's clamav-daemon socket when
it is there; ``off``; a socket path, ``unix:/path``, ``tcp://host:port`` or ``host:port``),
SCANNER_TIMEOUT_SECONDS, SCANNER_MAX_BYTES (larger files are not sent to clamd: it would refuse
them above its StreamMaxLength). What the apps do with a result: ``ensemble.core.scanning``.
"""

from __future__ import annotations

import re
import socket
import struct
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from django.conf import settings

CHUNK_BYTES = 64 * 1024
DEBIAN_CONFIG = Path("/etc/clamav/clamd.conf")
FOUND = re.compile(r"^stream: (?P<name>.+) FOUND$")


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNSCANNABLE = "unscannable"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    signature: str = ""  # what clamd found, when infected
    reason: str = ""  # why it could not scan, for operators (never shown as "clean")


def clean() -> ScanResult:
    return ScanResult(Verdict.CLEAN)


def unscannable(reason: str) -> ScanResult:
    return ScanResult(Verdict.UNSCANNABLE, reason=reason)


class Clamd:
    """One clamd, reached at ``address`` (see the module's docstring for its forms)."""

    def __init__(self, address: str, *, timeout: float, max_bytes: int) -> None:
        self.address, self.timeout, self.max_bytes = address, timeout, max_bytes

    def scan(self, stream: IO[bytes]) -> ScanResult:
        """Stream ``stream`` (read from where it stands) to clamd and read its verdict."""
        try:
            connection = self._connect()
        except OSError as error:
            return unscannable(f"clamd at {self.address} cannot be reached: {error}")
        with connection:
            sent: int | None = None
            failure = ""
            try:
                sent = self._send(connection, stream)
            except OSError as error:  # clamd hung up: its answer may say why (a size limit)
                failure = f"sending to clamd failed: {error}"
            if sent is not None and sent > self.max_bytes:
                return unscannable(f"larger than SCANNER_MAX_BYTES ({self.max_bytes} bytes)")
            try:
                answer = self._answer(connection)
            except OSError as error:
                return unscannable(failure or f"clamd did not answer: {error}")
        found = FOUND.match(answer)
        if found:
            return ScanResult(Verdict.INFECTED, signature=found.group("name"))
        if answer == "stream: OK" and sent is not None:
            return clean()
        return unscannable(f"clamd answered {answer!r}" if answer else failure or "no answer")

    def ping(self) -> bool:
        """Whether clamd answers (for readiness checks)."""
        try:
            with self._connect() as connection:
                connection.sendall(b"zPING\0")
                return self._answer(connection) == "PONG"
        except OSError:
            return False

    def _connect(self) -> socket.socket:
        family, target = parse_address(self.address)
        connection = socket.socket(family, socket.SOCK_STREAM)
        connection.settimeout(self.timeout)
        try:
            connection.connect(target)
        except OSError:
            connection.close()
            raise
        return connection

    def _send(self, connection: socket.socket, stream: IO[bytes]) -> int:
        """Send the stream in INSTREAM chunks; stop (without the end mark) past max_bytes."""
        connection.sendall(b"zINSTREAM\0")
        sent = 0
        while chunk := stream.read(CHUNK_BYTES):
            sent += len(chunk)
            if sent > self.max_bytes:
                return sent
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
        return sent

    def _answer(self, connection: socket.socket) -> str:
        """clamd's answer, which ends with a NUL byte: one cut short is no answer."""
        answer = b""
        while not answer.endswith(b"\0"):
            data = connection.recv(4096)
            if not data or len(answer) > 4096:
                raise ConnectionError(f"clamd's answer was cut short: {answer[:200]!r}")
            answer += data
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_address(address: str) -> tuple[socket.AddressFamily, str | tuple[str, int]]:
    """``/path`` or ``unix:/path``: a unix socket; ``tcp://host:port`` or ``host:port``: TCP."""
    if address.startswith("unix:"):
        return socket.AF_UNIX, address.removeprefix("unix:")
    if address.startswith("/"):
        return socket.AF_UNIX, address
    host, _, port = address.removeprefix("tcp://").rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(
            f"SCANNER_ADDRESS {address!r} is neither a socket path nor host:port; "
            "see docs/configuration.md"
        )
    return socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"), int(port))


def debian_socket(config: Path | None = None) -> str:
    """The socket of Debian's clamav-daemon when it is installed (its configuration names one),
    whether or not it is there now: a daemon stopped, or waiting for its first signatures,
    leaves files withheld and their scans retried, never served unchecked."""
    try:
        lines = (config or DEBIAN_CONFIG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        key, _, value = line.strip().partition(" ")
        if key == "LocalSocket" and value.strip():
            return value.strip()
    return ""


def configured() -> Clamd | None:
    """The scanner the settings name, or None when files are not scanned (off, or ``auto``
    without clamav-daemon installed)."""
    address = settings.SCANNER_ADDRESS.strip()
    if address == "auto":
        address = debian_socket()
    if not address or address == "off":
        return None
    return Clamd(
        address, timeout=settings.SCANNER_TIMEOUT_SECONDS, max_bytes=settings.SCANNER_MAX_BYTES
    )


def status() -> tuple[bool, str]:
    """(fine, what to tell operators) for ``ensemble check``: whether files are scanned."""
    address = settings.SCANNER_ADDRESS.strip()
    scanner = configured()
    if scanner is None:
        if address == "off":
            return True, "off (SCANNER_ADDRESS=off): files are not scanned"
        if DEBIAN_CONFIG.exists():
            return False, "clamav-daemon is installed without a LocalSocket: files are not scanned"
        return False, "no clamd (install clamav-daemon): files are not scanned"
    if scanner.ping():
        return True, f"clamd at {scanner.address} answers"
    return False, f"clamd at {scanner.address} does not answer: files wait, withheld"
