"""Ephemeral signals: what is true only for a moment (someone is typing, someone came online).

They travel live to the clients following a stream, like events, but are never stored and take
no sequence number: a client that was away simply does not get them, and loses nothing.

Wire:  client -> server  {"action": "signal", "stream": …, "signal": "chat.typing", "payload": {…}}
       server -> client  {"type": "signal", "stream": …, "signal": …, "payload": {…}}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils.translation import gettext as _

from ensemble.core.events import group_name


class BadSignal(ValueError):
    pass


@dataclass(frozen=True)
class SignalKind:
    may_send: Callable[[Any, str], bool]  # (user, stream) -> allowed?
    build: Callable[[Any, dict[str, Any]], dict[str, Any]]  # (user, client payload) -> payload


SIGNAL_KINDS: dict[str, SignalKind] = {}


def signal_kind(name: str, may_send: Callable[[Any, str], bool], build: Any) -> None:
    SIGNAL_KINDS[name] = SignalKind(may_send, build)


def signal_message(stream: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    wire = {"type": "signal", "stream": stream, "signal": name, "payload": payload}
    return {"type": "stream.signal", "message": wire}


def prepare(user: Any, stream: str, name: str, data: Any) -> dict[str, Any]:
    """Check that ``user`` may send this signal and build what is sent (never the client's
    payload as it came: the server says who sends it)."""
    kind = SIGNAL_KINDS.get(name)
    if kind is None:
        raise BadSignal(_("Unknown signal %(name)r.") % {"name": name})
    if not isinstance(data, dict):
        raise BadSignal(_("'payload' must be an object."))
    if not kind.may_send(user, stream):
        raise PermissionError(_("You may not send this signal on this stream."))
    return signal_message(stream, name, kind.build(user, data))


def send(message: dict[str, Any]) -> None:
    """Hand a prepared signal to the clients following its stream (now, not on commit)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(message["message"]["stream"]), message)


def send_signal(user: Any, stream: str, name: str, data: dict[str, Any]) -> None:
    send(prepare(user, stream, name, data))
