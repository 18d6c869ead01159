"""Refuse request bodies larger than MAX_REQUEST_BYTES before reading them: Django's ASGI
handler would otherwise spool the whole body to disk before any view could say no."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from ensemble.core.files import human_size

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and declared_length(scope) > settings.MAX_REQUEST_BYTES:
            await too_large(send)
            return
        await self.app(scope, receive, send)


def declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def too_large(send: Any) -> None:
    limit = human_size(settings.MAX_REQUEST_BYTES)
    body = json.dumps(
        {"detail": f"This request is larger than {limit}, the largest this server accepts."}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
