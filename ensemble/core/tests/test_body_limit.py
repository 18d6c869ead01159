"""Too large a body is refused before it is read; others go through untouched."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from ensemble.asgi import application
from ensemble.core.ports import free_port

pytestmark = pytest.mark.django_db(transaction=True)


async def call(headers: list[tuple[bytes, bytes]]) -> tuple[list[dict[str, Any]], int]:
    sent: list[dict[str, Any]] = []
    reads = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if reads > 1:  # the client stays connected until the response is sent
            await asyncio.Event().wait()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/chat/rooms/",
        "raw_path": b"/api/v1/chat/rooms/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    await application(scope, receive, send)
    return sent, reads


async def test_a_body_over_the_limit_is_refused_unread(settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    sent, reads = await call([(b"content-length", b"1001")])
    assert sent[0]["status"] == 413 and reads == 0
    assert json.loads(sent[1]["body"])["detail"] == (
        "This request is larger than 1 kB, the largest this server accepts."
    )


async def test_a_body_within_the_limit_reaches_the_application(settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    sent, reads = await call([(b"content-length", b"0")])
    assert sent[0]["status"] == 401 and reads >= 1  # the API answered: not signed in


async def test_the_refusal_speaks_the_clients_language(settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    sent, _reads = await call([(b"content-length", b"1001"), (b"accept-language", b"fr-FR,fr")])
    assert json.loads(sent[1]["body"])["detail"] == (
        "Cette requête dépasse 1 kB, le maximum accepté par ce serveur."
    )


@pytest.fixture
def uvicorn_server() -> Iterator[str]:
    """The application served by uvicorn, as in production (pytest-django's live_server is
    WSGI, which never sees an ASGI body arrive in pieces)."""
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=free_port(), lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=5)


def raw_post(address: str, chunks: list[bytes], finish: bool) -> tuple[int, bytes]:
    """POST a chunked body (no Content-Length); without ``finish``, the body never ends: an
    answer can only come from a server that did not wait for the rest."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/chat/rooms/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for chunk in chunks:
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if finish:
            connection.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            received = connection.recv(65536)
            if not received:
                break
            answer += received
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(
    settings: Any, uvicorn_server: str
) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    status, body = raw_post(uvicorn_server, [b"x" * 600, b"x" * 600], finish=False)
    assert status == 413
    assert json.loads(body) == {
        "detail": "This request is larger than 1 kB, the largest this server accepts."
    }


def test_a_chunked_body_within_the_limit_reaches_the_application(
    settings: Any, uvicorn_server: str
) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    status, _body = raw_post(uvicorn_server, [b"{}", b" " * 500], finish=True)
    assert status == 401  # the API answered: not signed in
