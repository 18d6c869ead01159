"""The clamd client, against a real clamd (the session's, with its EICAR signature): clean,
infected with the signature's name, or could not scan, never a guess."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ensemble.core.scanner import (
    CHUNK_BYTES,
    Clamd,
    Verdict,
    configured,
    debian_socket,
    parse_address,
    status,
)
from ensemble.core.tests.clamav import EICAR, FOUND_AS, STREAM_MAX_BYTES, Daemon


def scanner(address: str, max_bytes: int = 10_000_000, timeout: float = 5) -> Clamd:
    return Clamd(address, timeout=timeout, max_bytes=max_bytes)


@pytest.mark.parametrize("over", ["socket", "tcp"])
def test_clean_and_infected_over_a_unix_socket_and_tcp(clamd_daemon: Daemon, over: str) -> None:
    clamd = scanner(getattr(clamd_daemon, over))
    assert clamd.scan(io.BytesIO(b"Compte rendu de la reunion")).verdict == Verdict.CLEAN
    found = clamd.scan(io.BytesIO(EICAR))
    assert (found.verdict, found.signature) == (Verdict.INFECTED, FOUND_AS)


def test_malware_deep_in_a_file_sent_in_many_chunks_is_found(clamd_daemon: Daemon) -> None:
    data = b"a" * (3 * CHUNK_BYTES + 17) + EICAR + b"b" * 1000
    found = scanner(clamd_daemon.socket).scan(io.BytesIO(data))
    assert (found.verdict, found.signature) == (Verdict.INFECTED, FOUND_AS)


def test_clamd_down_is_could_not_scan(tmp_path: Path) -> None:
    missing = scanner(str(tmp_path / "absent.sock")).scan(io.BytesIO(b"x"))
    assert missing.verdict == Verdict.UNSCANNABLE and "cannot be reached" in missing.reason
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    assert scanner(closed).scan(io.BytesIO(b"x")).verdict == Verdict.UNSCANNABLE


def test_a_file_over_our_limit_is_not_sent_and_not_called_clean(clamd_daemon: Daemon) -> None:
    result = scanner(clamd_daemon.socket, max_bytes=1000).scan(io.BytesIO(b"x" * 1001))
    assert result.verdict == Verdict.UNSCANNABLE and "SCANNER_MAX_BYTES" in result.reason
    exact = scanner(clamd_daemon.socket, max_bytes=1000).scan(io.BytesIO(b"x" * 1000))
    assert exact.verdict == Verdict.CLEAN


def test_a_file_over_clamds_own_limit_is_could_not_scan(clamd_daemon: Daemon) -> None:
    result = scanner(clamd_daemon.socket).scan(io.BytesIO(b"x" * (STREAM_MAX_BYTES + 1)))
    assert result.verdict == Verdict.UNSCANNABLE
    assert "size limit" in result.reason  # clamd's "INSTREAM size limit exceeded. ERROR"


@pytest.fixture
def fake_clamd() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP server that reads the request then answers what the test put in the list (or
    nothing, and holds the connection)."""
    answers: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            request = b""
            while not request.endswith(b"\0\0\0\0"):  # INSTREAM's end mark
                request += connection.recv(65536)
            if answers:
                connection.sendall(answers.pop(0))
                connection.close()
            else:
                held.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}", answers
    server.close()
    for connection in held:
        connection.close()


def test_an_unknown_answer_or_silence_is_never_clean(fake_clamd: Any) -> None:
    address, answers = fake_clamd
    answers += [b"stream: maybe\0", b"\0", b"stream: OK", b"stream: OK\0"]
    for expected in ["clamd answered 'stream: maybe'", "no answer", "cut short: b'stream: OK'"]:
        result = scanner(address).scan(io.BytesIO(b"x"))
        assert result.verdict == Verdict.UNSCANNABLE and expected in result.reason
    assert scanner(address).scan(io.BytesIO(b"x")).verdict == Verdict.CLEAN  # a whole answer
    slow = scanner(address, timeout=0.3).scan(io.BytesIO(b"x"))
    assert slow.verdict == Verdict.UNSCANNABLE and "did not answer" in slow.reason


def test_ping(clamd_daemon: Daemon, tmp_path: Path) -> None:
    assert scanner(clamd_daemon.tcp).ping() is True
    assert scanner(str(tmp_path / "absent.sock")).ping() is False


def test_addresses() -> None:
    assert parse_address("/run/clamav/clamd.ctl") == (socket.AF_UNIX, "/run/clamav/clamd.ctl")
    assert parse_address("unix:/var/run/c.ctl") == (socket.AF_UNIX, "/var/run/c.ctl")
    assert parse_address("tcp://clamav:3310") == (socket.AF_INET, ("clamav", 3310))
    assert parse_address("10.0.0.5:3310") == (socket.AF_INET, ("10.0.0.5", 3310))
    assert parse_address("[::1]:3310") == (socket.AF_INET6, ("::1", 3310))
    with pytest.raises(ValueError, match="neither a socket path nor host:port"):
        parse_address("clamav")


def test_settings_choose_the_scanner(
    settings: Any, clamd_daemon: Daemon, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.SCANNER_ADDRESS = "off"
    assert configured() is None
    settings.SCANNER_ADDRESS, settings.SCANNER_MAX_BYTES = clamd_daemon.tcp, 123
    chosen = configured()
    assert chosen is not None and (chosen.address, chosen.max_bytes) == (clamd_daemon.tcp, 123)
    # auto: the socket that Debian's clamav-daemon configuration names, if it is there.
    config = tmp_path / "clamd.conf"
    config.write_text(f"# Debian\nLocalSocket {clamd_daemon.socket}\nUser clamav\n")
    assert debian_socket(config) == clamd_daemon.socket
    # installed but stopped: its socket all the same (files wait rather than go unscanned)
    config.write_text(f"LocalSocket {tmp_path / 'stopped.ctl'}\n")
    assert debian_socket(config) == str(tmp_path / "stopped.ctl")
    assert debian_socket(tmp_path / "not-installed.conf") == ""
    settings.SCANNER_ADDRESS = "auto"
    monkeypatch.setattr("ensemble.core.scanner.DEBIAN_CONFIG", tmp_path / "not-installed.conf")
    assert configured() is None
    config.write_text(f"LocalSocket {clamd_daemon.socket}\n")
    monkeypatch.setattr("ensemble.core.scanner.DEBIAN_CONFIG", config)
    chosen = configured()
    assert chosen is not None and chosen.address == clamd_daemon.socket


def test_what_ensemble_check_says(
    settings: Any, clamd_daemon: Daemon, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.SCANNER_ADDRESS = clamd_daemon.socket
    assert status() == (True, f"clamd at {clamd_daemon.socket} answers")
    settings.SCANNER_ADDRESS = str(tmp_path / "down.sock")
    assert status() == (
        False,
        f"clamd at {tmp_path / 'down.sock'} does not answer: files wait, withheld",
    )
    settings.SCANNER_ADDRESS = "off"
    assert status() == (True, "off (SCANNER_ADDRESS=off): files are not scanned")
    settings.SCANNER_ADDRESS = "auto"
    config = tmp_path / "clamd.conf"
    config.write_text(f"LocalSocket {tmp_path / 'stopped.ctl'}\n")
    monkeypatch.setattr("ensemble.core.scanner.DEBIAN_CONFIG", config)
    assert status() == (
        False,
        f"clamd at {tmp_path / 'stopped.ctl'} does not answer: files wait, withheld",
    )
    config.write_text("TCPSocket 3310\n")
    assert status() == (
        False,
        "clamav-daemon is installed without a LocalSocket: files are not scanned",
    )
    monkeypatch.setattr("ensemble.core.scanner.DEBIAN_CONFIG", tmp_path / "absent.conf")
    assert status() == (False, "no clamd (install clamav-daemon): files are not scanned")
