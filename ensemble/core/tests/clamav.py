"""A real clamd for the tests, one per test session, with a signature database written here:
signature updates cannot be downloaded, and clamd refuses to start without any database.
Its one signature matches the EICAR test string (the antivirus industry's harmless test file)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ensemble.core.scanner import Clamd

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Ensemble.Test.EICAR"
FOUND_AS = f"{SIGNATURE}.UNOFFICIAL"  # what clamd calls a signature of a database of ours
STREAM_MAX_BYTES = 1024 * 1024  # clamd's own limit (StreamMaxLength), to test its refusal


@dataclass
class Daemon:
    socket: str
    tcp: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_clamd(folder: Path) -> Daemon:
    database = folder / "db"
    database.mkdir()
    (database / "ensemble-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port = free_port()
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {folder / 'clamd.sock'}\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"DatabaseDirectory {database}\n"
        f"StreamMaxLength {STREAM_MAX_BYTES}\n"
        "Foreground yes\nLogTime no\n"
    )
    log = (folder / "clamd.log").open("wb")
    process = subprocess.Popen([CLAMD, "--config-file", str(config)], stdout=log, stderr=log)
    daemon = Daemon(str(folder / "clamd.sock"), f"127.0.0.1:{port}", process)
    probe = Clamd(daemon.socket, timeout=2, max_bytes=1)
    deadline = time.monotonic() + 30
    while not (probe.ping() and Clamd(daemon.tcp, timeout=2, max_bytes=1).ping()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"clamd did not start: {(folder / 'clamd.log').read_text()}")
        time.sleep(0.05)
    return daemon


@pytest.fixture(scope="session")
def clamd_daemon() -> Iterator[Daemon]:
    """One clamd for the session, on a unix socket (in /tmp: a socket path must be short)
    and on a TCP port of the loopback."""
    if not Path(CLAMD).exists():
        pytest.fail("clamd is missing: install clamav-daemon (scripts/system-packages.sh)")
    folder = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    daemon = start_clamd(folder)
    yield daemon
    daemon.process.terminate()
    daemon.process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clamd(clamd_daemon: Daemon, settings: Any) -> Daemon:
    """Files are scanned by the test session's clamd (on its unix socket)."""
    settings.SCANNER_ADDRESS = clamd_daemon.socket
    return clamd_daemon
