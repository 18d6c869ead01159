"""A Janus process of Ensemble's own: its configuration rendered from deploy/janus/ and the
process started and stopped (for `ensemble serve` on the embedded default, and for tests)."""

from __future__ import annotations

import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from ensemble.core.config import private_file, private_folder

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "deploy" / "janus"


@dataclass
class JanusSettings:
    http_port: int
    admin_port: int
    ws_port: int
    admin_secret: str
    admin_key: str
    bind: str = "127.0.0.1"
    rtp_ports: str = "20000-20999"
    ice_enforce: str = ""
    # Where Janus posts the VideoRoom's events at once (the meet app's janus-events endpoint),
    # and the password it shows there; no URL: no events (the sweep alone takes strangers out).
    events_url: str = ""
    events_secret: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.bind}:{self.http_port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://{self.bind}:{self.admin_port}/admin"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.bind}:{self.ws_port}/"


def render(settings: JanusSettings, folder: Path) -> Path:
    """Write the configuration into ``folder``; returns the path of janus.jcfg. It holds the
    admin secret and key, and the events' password, so the folder and its files are the
    service user's only."""
    private_folder(folder)
    values = {
        "configs": str(folder),
        "admin_secret": settings.admin_secret,
        "admin_key": settings.admin_key,
        "http_port": str(settings.http_port),
        "admin_port": str(settings.admin_port),
        "ws_port": str(settings.ws_port),
        "bind": settings.bind,
        "rtp_ports": settings.rtp_ports,
        "ice_enforce": settings.ice_enforce,
        "events_enabled": "true" if settings.events_url else "false",
        "events_url": settings.events_url,
        "events_secret": settings.events_secret,
    }
    for template in TEMPLATES.glob("*.jcfg"):
        text = template.read_text()
        for key, value in values.items():
            text = text.replace(f"@{key}@", value)
        private_file(folder / template.name).write_text(text)  # 0600 before the secret is in
    return folder / "janus.jcfg"


def available() -> bool:
    return shutil.which("janus") is not None


def no_core_dump() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def command(config: Path, folder: Path, log: Path) -> list[str]:
    """The command line of Janus with its configuration rendered in ``folder``."""
    return ["janus", "-C", str(config), "-F", str(folder), "-L", str(log), "-N", "-o"]


def start(settings: JanusSettings, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start Janus and return once its HTTP API answers."""
    config = render(settings, folder)
    process = subprocess.Popen(  # noqa: S603
        command(config, folder, log),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        preexec_fn=no_core_dump,  # Janus 1.1 may crash while stopping: no core file left behind
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{settings.url}/info", timeout=1).raise_for_status()
            return process
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    log.read_text()[-3000:] if log.exists() else "janus died"
                ) from None
            time.sleep(0.2)
