"""Refuse request bodies larger than MAX_REQUEST_BYTES before reading them: Django's ASGI
handler would otherwise spool the whole body to disk before any view could say no.

A body that declares its length is refused unread. One that does not (``Transfer-Encoding:
chunked``) is counted as it arrives: past the limit, the application is told the client left
(it stops reading and answers nothing), and the client gets the 413."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ensemble.core.files import human_size

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if declared_length(scope) > settings.MAX_REQUEST_BYTES:
            await too_large(send, scope)
            return
        counted = CountedBody(receive, send, settings.MAX_REQUEST_BYTES)
        await self.app(scope, counted.receive, counted.send)
        if counted.over and not counted.answered:
            await too_large(send, scope)


class CountedBody:
    """The body as the application reads it, cut off (as a disconnection) past ``limit``."""

    def __init__(self, receive: Any, send: Any, limit: int) -> None:
        self._receive, self._send, self.limit = receive, send, limit
        self.read, self.over, self.answered = 0, False, False

    async def receive(self) -> dict[str, Any]:
        if self.over:
            return {"type": "http.disconnect"}
        message: dict[str, Any] = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.limit:
                self.over = True
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: dict[str, Any]) -> None:
        self.answered = True
        await self._send(message)


def declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def language_of(scope: Scope) -> str:
    """The first language of the client's Accept-Language that the interface speaks."""
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            for part in value.decode("latin-1").split(","):
                try:
                    return translation.get_supported_language_variant(part.split(";")[0].strip())
                except LookupError:
                    continue
    return str(settings.LANGUAGE_CODE)


async def too_large(send: Any, scope: Scope) -> None:
    with translation.override(language_of(scope)):
        message = _("This request is larger than %(limit)s, the largest this server accepts.") % {
            "limit": human_size(settings.MAX_REQUEST_BYTES)
        }
    body = json.dumps({"detail": message}).encode()
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
