"""Too large a body is refused before it is read; others go through untouched."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ensemble.asgi import application

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
