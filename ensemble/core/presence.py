"""Presence: whether a person is online, away or offline, from their live connections.

Each open WebSocket counts as a connection; a client pings every 30 seconds, and a count
nobody refreshes expires (a server that crashed does not leave people online for ever).
The client says "away" when its tab is hidden or idle. Changes are announced as the
``presence`` signal on the streams an app declares as the person's audience (the chat: the
rooms they are in). State lives in the cache: Redis in production, memory in the embedded default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

from ensemble.core import ephemeral

ONLINE, AWAY, OFFLINE = "online", "away", "offline"
EXPIRY = 90  # seconds without a ping before a connection counts as gone
AUDIENCES: list[Callable[[Any], Iterable[str]]] = []


def presence_audience(streams_of: Callable[[Any], Iterable[str]]) -> None:
    """Declare the streams on which a person's presence is announced: streams_of(user)."""
    AUDIENCES.append(streams_of)


def _keys(user_id: Any) -> tuple[str, str]:
    return f"presence.connections.{user_id}", f"presence.state.{user_id}"


def connected(user: Any) -> None:
    count_key, state_key = _keys(user.pk)
    cache.add(count_key, 0, timeout=EXPIRY)
    count = cache.incr(count_key)
    cache.touch(count_key, EXPIRY)
    if count == 1 or cache.get(state_key) is None:
        _set(user, ONLINE)


def disconnected(user: Any) -> None:
    count_key, state_key = _keys(user.pk)
    try:
        count = cache.decr(count_key)
    except ValueError:  # already expired
        count = 0
    if count <= 0:
        cache.delete_many([count_key, state_key])
        _announce(user, OFFLINE)


def heartbeat(user: Any) -> None:
    count_key, state_key = _keys(user.pk)
    if not cache.touch(count_key, EXPIRY):  # expired meanwhile: count this connection again
        connected(user)
        return
    cache.touch(state_key, EXPIRY)


def set_state(user: Any, state: str) -> None:
    if state not in (ONLINE, AWAY):
        raise ValueError("state must be 'online' or 'away'")
    _set(user, state)


def _set(user: Any, state: str) -> None:
    state_key = _keys(user.pk)[1]
    previous = cache.get(state_key)
    cache.set(state_key, state, timeout=EXPIRY)
    if previous != state:
        _announce(user, state)


def states(user_ids: Iterable[Any]) -> dict[str, str]:
    """{user id: online | away | offline} for these people."""
    ids = [str(user_id) for user_id in user_ids]
    found = cache.get_many([_keys(user_id)[1] for user_id in ids])
    return {user_id: found.get(_keys(user_id)[1], OFFLINE) for user_id in ids}


def _announce(user: Any, state: str) -> None:
    payload = {"user": str(user.pk), "state": state}
    for streams_of in AUDIENCES:
        for stream in streams_of(user):
            ephemeral.send(ephemeral.signal_message(stream, "presence", payload))
