"""A real Janus for the Meet tests, on ports of its own, configured from deploy/janus/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from ensemble.core.ports import free_port
from ensemble.meet import janus_server
from ensemble.meet.janus import JanusServer
from ensemble.meet.janus_server import JanusSettings


class RunningJanus:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.settings = JanusSettings(
            http_port=free_port(),
            admin_port=free_port(),
            ws_port=free_port(),
            admin_secret=django_settings.JANUS_ADMIN_SECRET,
            admin_key=django_settings.JANUS_ADMIN_KEY,
            rtp_ports="21000-21999",
        )
        self.start()

    def start(self) -> None:
        self.process = janus_server.start(self.settings, self.folder / "conf", self.folder / "log")

    def server(self) -> JanusServer:
        return JanusServer(self.settings.url, self.settings.admin_url, self.settings.ws_url)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def janus_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningJanus]:
    running = RunningJanus(tmp_path_factory.mktemp("janus"))
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture
def janus(janus_process: RunningJanus, settings: Any) -> Iterator[RunningJanus]:
    """Meet pointed at the test Janus (started again if a test stopped it)."""
    if janus_process.process.poll() is not None:
        janus_process.start()
    settings.JANUS_URLS = [janus_process.settings.url]
    settings.JANUS_ADMIN_URLS = [janus_process.settings.admin_url]
    settings.JANUS_WS_URLS = [janus_process.settings.ws_url]
    yield janus_process
