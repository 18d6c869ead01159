"""ICE servers for browsers: STUN, and TURN with short-lived credentials (the "TURN REST"
scheme coturn implements with `use-auth-secret`): the username is ``<expiry>:<who>`` and the
password HMAC-SHA1(secret, username), so nothing per user is stored on the TURN server and a
leaked credential stops working at its expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credentials(identity: str, now: float | None = None) -> tuple[str, str]:
    expiry = int((time.time() if now is None else now) + settings.MEET_TURN_TTL)
    username = f"{expiry}:{identity}"
    digest = hmac.new(settings.MEET_TURN_SECRET.encode(), username.encode(), hashlib.sha1)
    return username, base64.b64encode(digest.digest()).decode()


def ice_servers(identity: str) -> list[dict[str, Any]]:
    """What a browser's RTCPeerConnection is configured with for this participant."""
    servers: list[dict[str, Any]] = []
    if settings.MEET_STUN_URLS:
        servers.append({"urls": list(settings.MEET_STUN_URLS)})
    if settings.MEET_TURN_URLS and settings.MEET_TURN_SECRET:
        username, credential = turn_credentials(identity)
        servers.append(
            {"urls": list(settings.MEET_TURN_URLS), "username": username, "credential": credential}
        )
    return servers
