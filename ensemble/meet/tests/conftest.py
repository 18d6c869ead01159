"""A real Janus for the Meet tests, on ports of its own, configured from deploy/janus/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings

from ensemble.core.ports import free_port
from ensemble.meet import janus_server
from ensemble.meet.janus import JanusServer
from ensemble.meet.janus_server import JanusSettings


class RunningJanus:
    def __init__(self, folder: Path, events_url: str = "") -> None:
        """A Janus of its own; with ``events_url``, posting its events there (to the test
        server) as the embedded Janus posts them to Ensemble."""
        self.folder = folder
        self.settings = JanusSettings(
            http_port=free_port(),
            admin_port=free_port(),
            ws_port=free_port(),
            admin_secret=django_settings.JANUS_ADMIN_SECRET,
            admin_key=django_settings.JANUS_ADMIN_KEY,
            rtp_ports="22000-22999" if events_url else "21000-21999",
            events_url=events_url,
            events_secret=django_settings.JANUS_EVENTS_SECRET,
        )
        self.start()

    def start(self) -> None:
        self.process = janus_server.start(self.settings, self.folder / "conf", self.folder / "log")

    def server(self) -> JanusServer:
        return JanusServer(self.settings.url, self.settings.admin_url, self.settings.ws_url)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class AsBrowser:
    """Janus's HTTP API used as a participant's browser uses it: with the token Ensemble gave."""

    def __init__(self, janus: RunningJanus, token: str) -> None:
        self.url, self.token = janus.settings.url, token

    def post(self, path: str, body: dict[str, Any]) -> Any:
        body = {**body, "transaction": "t", "token": self.token}
        return requests.post(f"{self.url}{path}", json=body, timeout=5).json()

    def event(self, session: int) -> dict[str, Any]:
        """The session's next plugin event (long poll)."""
        while True:
            url = f"{self.url}/{session}?maxev=1&token={self.token}"
            got = requests.get(url, timeout=35).json()
            if got.get("janus") == "event":
                return dict(got)

    def join(
        self, media: dict[str, Any], feed: int | None = None, room: int | None = None
    ) -> tuple[int, int]:
        """Join the VideoRoom as a publisher (with the feed id given, or ``feed``; in the
        room given, or ``room``), showing the room its token as a browser does; the session
        and handle."""
        session = self.post("", {"janus": "create"})["data"]["id"]
        attach = {"janus": "attach", "plugin": "janus.plugin.videoroom"}
        handle = self.post(f"/{session}", attach)["data"]["id"]
        join = {
            "request": "join",
            "ptype": "publisher",
            "room": room or media["room"],
            "id": feed or media["feed"],
            "token": self.token,
        }
        body = {"janus": "message", "body": {**join, "display": media["display"]}}
        assert self.post(f"/{session}/{handle}", body)["janus"] == "ack"
        return session, handle

    def join_answer(
        self, media: dict[str, Any], feed: int | None = None, room: int | None = None
    ) -> dict[str, Any]:
        """What the VideoRoom answers such a join ("joined", or an error code)."""
        session, _handle = self.join(media, feed, room)
        return dict(self.event(session)["plugindata"]["data"])


@pytest.fixture(scope="session")
def janus_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningJanus]:
    running = RunningJanus(tmp_path_factory.mktemp("janus"))
    yield running
    if running.process.poll() is None:
        running.stop()


def point_meet_at(running: RunningJanus, settings: Any) -> None:
    settings.JANUS_URLS = [running.settings.url]
    settings.JANUS_ADMIN_URLS = [running.settings.admin_url]
    settings.JANUS_WS_URLS = [running.settings.ws_url]


@pytest.fixture
def janus(janus_process: RunningJanus, settings: Any) -> Iterator[RunningJanus]:
    """Meet pointed at the test Janus (started again if a test stopped it)."""
    if janus_process.process.poll() is not None:
        janus_process.start()
    point_meet_at(janus_process, settings)
    yield janus_process


@pytest.fixture
def janus_telling(live_server: Any, tmp_path: Path, settings: Any) -> Iterator[RunningJanus]:
    """Meet pointed at a Janus of its own that posts its events to the test server (a WSGI
    server in a thread, pytest-django's live_server), as the embedded Janus posts them to
    Ensemble: nothing but those events takes strangers out (no sweep runs in tests)."""
    running = RunningJanus(tmp_path, events_url=f"{live_server.url}/meet/janus-events/")
    point_meet_at(running, settings)
    yield running
    if running.process.poll() is None:
        running.stop()
