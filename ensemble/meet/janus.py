"""Ensemble's control plane over Janus: rooms, tokens and moderation through Janus's HTTP and
admin APIs. Secrets (admin secret, room admin key, room secrets) stay on the server side."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from ensemble.core.config import derived_secret

VIDEOROOM = "janus.plugin.videoroom"
UNAUTHORIZED = 403
_BACKEND_TOKEN_ADDED: set[str] = set()


class JanusError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code, self.reason = code, reason


class JanusUnavailable(JanusError):
    pass


@dataclass(frozen=True)
class JanusHandle:
    """A VideoRoom handle as the admin API shows it: its session, the token that session
    was opened with, and for a publisher the id it joined the room under."""

    session: int
    handle: int
    token: str
    publisher: bool
    feed: int | None


@dataclass(frozen=True)
class JanusServer:
    """One Janus of the pool: its API, its admin API, and its address for browsers."""

    url: str
    admin_url: str
    ws_url: str

    @classmethod
    def pool(cls) -> list[JanusServer]:
        return [
            cls(url, admin, ws)
            for url, admin, ws in zip(
                settings.JANUS_URLS, settings.JANUS_ADMIN_URLS, settings.JANUS_WS_URLS, strict=True
            )
        ]

    # ------------------------------------------------------------------ transport
    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": uuid.uuid4().hex}
        try:
            answer = requests.post(url, json=body, timeout=settings.JANUS_TIMEOUT)
            data: dict[str, Any] = answer.json()
        except (requests.RequestException, ValueError) as error:
            raise JanusUnavailable(0, f"{self.url} does not answer: {error}") from error
        if data.get("janus") == "error":
            raise JanusError(data["error"]["code"], data["error"]["reason"])
        return data

    def admin(self, request: str, **fields: Any) -> dict[str, Any]:
        return self._post(
            self.admin_url,
            {"janus": request, "admin_secret": settings.JANUS_ADMIN_SECRET, **fields},
        )

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/info", timeout=2).ok
        except requests.RequestException:
            return False

    # ------------------------------------------------------------------ tokens
    def add_token(self, token: str) -> None:
        """Let the holder of ``token`` use the VideoRoom plugin (and nothing else)."""
        self.admin("add_token", token=token, plugins=[VIDEOROOM])

    def remove_token(self, token: str) -> None:
        try:
            self.admin("remove_token", token=token)
        except JanusError as error:
            if isinstance(error, JanusUnavailable) or "not found" not in error.reason.lower():
                raise

    def backend_token(self, again: bool = False) -> str:
        """The control plane's own token (token auth applies to it too), added on first use
        and again after a restart of Janus (which forgets its tokens)."""
        token = derived_secret(settings.JANUS_ADMIN_SECRET, "janus-backend-token")
        if again or self.url not in _BACKEND_TOKEN_ADDED:
            self.add_token(token)
            _BACKEND_TOKEN_ADDED.add(self.url)
        return token

    # ------------------------------------------------------------------ VideoRoom
    def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send one synchronous VideoRoom request on a short-lived session."""
        token = self.backend_token()
        try:
            session = self._post(self.url, {"janus": "create", "token": token})["data"]["id"]
        except JanusError as error:
            if error.code != UNAUTHORIZED:
                raise
            token = self.backend_token(again=True)
            session = self._post(self.url, {"janus": "create", "token": token})["data"]["id"]
        try:
            handle = self._post(
                f"{self.url}/{session}", {"janus": "attach", "plugin": VIDEOROOM, "token": token}
            )["data"]["id"]
            answer = self._post(
                f"{self.url}/{session}/{handle}", {"janus": "message", "body": body, "token": token}
            )
        finally:
            with contextlib.suppress(JanusError):
                self._post(f"{self.url}/{session}", {"janus": "destroy", "token": token})
        data: dict[str, Any] = answer["plugindata"]["data"]
        if data.get("videoroom") == "event" and "error_code" in data:
            raise JanusError(data["error_code"], data.get("error", ""))
        return data

    def create_room(self, room: int, secret: str, publishers: int) -> None:
        body: dict[str, Any] = {
            "request": "create",
            "room": room,
            "secret": secret,
            "admin_key": settings.JANUS_ADMIN_KEY,
            "publishers": publishers,
            "permanent": False,
            "is_private": True,
            "audiolevel_event": True,
            "audio_active_packets": 50,
            "audio_level_average": 40,
            "notify_joining": True,
            "require_pvtid": True,
            # Only the tokens Ensemble adds (one per participant admitted) may join the room.
            "allowed": [],
        }
        self.videoroom(body)

    def destroy_room(self, room: int, secret: str) -> None:
        try:
            self.videoroom({"request": "destroy", "room": room, "secret": secret})
        except JanusError as error:
            if error.code != 426:  # no such room: already gone (Janus restarted)
                raise

    def allow(self, room: int, secret: str, token: str, allowed: bool) -> None:
        """Add a participant's token to the room's allowed list, or take it off."""
        self.videoroom(
            {"request": "allowed", "room": room, "secret": secret,
             "action": "add" if allowed else "remove", "allowed": [token]}
        )  # fmt: skip

    def room_handles(self, room: int) -> list[JanusHandle]:
        """Every VideoRoom handle in ``room``, with the token of its session (admin API)."""
        found = []
        for session in self.admin("list_sessions").get("sessions", []):
            try:
                handles = self.admin("list_handles", session_id=session).get("handles", [])
            except JanusUnavailable:
                raise
            except JanusError:  # gone meanwhile
                continue
            for handle in handles:
                try:
                    info = self.admin("handle_info", session_id=session, handle_id=handle)["info"]
                except JanusUnavailable:
                    raise
                except JanusError:
                    continue
                plugin = info.get("plugin_specific") or {}
                if info.get("plugin") == VIDEOROOM and plugin.get("room") == room:
                    publisher = plugin.get("type") == "publisher"
                    found.append(
                        JanusHandle(
                            session, handle, str(info.get("token", "")), publisher,
                            plugin.get("id") if publisher else None,
                        )
                    )  # fmt: skip
        return found

    def destroy_session(self, session: int) -> None:
        """End a Janus session and everything it holds (admin API)."""
        self.admin("destroy_session", session_id=session)

    def detach_handle(self, session: int, handle: int) -> None:
        self.admin("detach_handle", session_id=session, handle_id=handle)

    def participants(self, room: int) -> list[dict[str, Any]]:
        data = self.videoroom({"request": "listparticipants", "room": room})
        return list(data.get("participants", []))

    def kick(self, room: int, secret: str, participant: int) -> None:
        self.videoroom({"request": "kick", "room": room, "secret": secret, "id": participant})

    def record(self, room: int, secret: str, on: bool, folder: str = "") -> None:
        """Start (into ``folder``) or stop recording every stream of the room, one file each."""
        if folder:
            self.videoroom(
                {"request": "edit", "room": room, "secret": secret, "new_rec_dir": folder}
            )
        self.videoroom(
            {"request": "enable_recording", "room": room, "secret": secret, "record": on}
        )

    def publisher(self, session: int, handle: int) -> dict[str, Any]:
        """What Janus knows of one VideoRoom handle: for a publisher, its room, its id and its
        streams (with their mids). Empty if there is no such handle."""
        try:
            answer = self.admin("handle_info", session_id=session, handle_id=handle)
        except JanusUnavailable:
            raise
        except JanusError:
            return {}
        info: dict[str, Any] = answer.get("info", {}).get("plugin_specific", {}) or {}
        return info if info.get("type") == "publisher" else {}

    def moderate(self, room: int, secret: str, feed: int, mid: str, mute: bool) -> None:
        """Mute (or let through again) one stream of a publisher, whatever its client does."""
        self.videoroom(
            {"request": "moderate", "room": room, "secret": secret, "id": feed, "mid": mid,
             "mute": mute}
        )  # fmt: skip

    def room_exists(self, room: int) -> bool:
        return bool(self.videoroom({"request": "exists", "room": room}).get("exists"))


def new_secret() -> str:
    return secrets.token_urlsafe(24)
