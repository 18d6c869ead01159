"""When a signed-in session was last used, for its idle timeout (SESSION_IDLE_SECONDS).

Pages count as use (accounts' middleware), and so does what a person does on the live socket:
a command (sending a message), a signal (typing), saying they are back. The socket's own
pings do not: a page left open is not someone working. Whoever records a use tells the
hooks (accounts keeps the "last active" of its session list with one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

TOUCH_KEY = "accounts.touched"  # the session's last use (a timestamp)
TOUCH_EVERY = timedelta(minutes=5)
TOUCHED: list[Callable[[str], None]] = []  # hooks: session key -> None


def touch_interval() -> float:
    """How often a session's last use is written: every 5 minutes, or a tenth of the idle
    timeout if that is shorter (so the timeout is measured to within a tenth)."""
    idle: int = settings.SESSION_IDLE_SECONDS
    every = TOUCH_EVERY.total_seconds()
    return min(every, idle / 10) if idle > 0 else every


def idle_for(session: Any, now: float) -> float | None:
    """Seconds since the session was last used (None before its first use is recorded)."""
    seen: float | None = session.get(TOUCH_KEY)
    return None if seen is None else now - seen


def is_idle(session: Any, now: float) -> bool:
    idle: int = settings.SESSION_IDLE_SECONDS
    since = idle_for(session, now)
    return since is not None and idle > 0 and since > idle


def is_over(session: Any, now: float) -> bool:
    """Idle, or past the absolute age its expiry date was fixed to at its first request."""
    expiry = session.get("_session_expiry")  # set_expiry() keeps a date as a string here
    past_age = isinstance(expiry, str) and datetime.fromisoformat(expiry).timestamp() < now
    return is_idle(session, now) or past_age


def touch_due(session: Any, now: float) -> bool:
    since = idle_for(session, now)
    return since is None or since > touch_interval()


def touched(session_key: str) -> None:
    for hook in TOUCHED:
        hook(session_key)
