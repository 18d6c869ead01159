"""TURN for people behind NAT: the credentials a join hands out open an allocation on a real
coturn; altered or expired ones do not."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.ports import free_port
from ensemble.meet.turn import ice_servers

API = "/api/v1/meet/meetings/"
SECRET = "turn-test-secret"


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port, relay = free_port(), free_port()
    log = tmp_path_factory.mktemp("coturn") / "turn.log"
    process = subprocess.Popen(
        ["turnserver", "-n", "--listening-ip=127.0.0.1", f"--listening-port={port}",
         "--relay-ip=127.0.0.1", "--use-auth-secret", f"--static-auth-secret={SECRET}",
         "--realm=ensemble", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
         f"--min-port={relay}", f"--max-port={relay + 50}", "--log-file=stdout"],
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(1)
    assert process.poll() is None, Path(log).read_text()[-2000:]
    yield port
    process.terminate()
    process.wait(timeout=10)


def allocates(port: int, username: str, password: str) -> bool:
    """Whether coturn grants a relay allocation to these credentials (turnutils_uclient)."""
    done = subprocess.run(
        ["turnutils_uclient", "-y", "-n", "1", "-m", "1", "-u", username, "-w", password,
         "-p", str(port), "127.0.0.1"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return done.returncode == 0


@pytest.mark.django_db
def test_a_join_hands_out_turn_credentials_that_coturn_accepts(
    coturn: int, janus: Any, client_of: Any, settings: Any
) -> None:
    settings.MEET_TURN_URLS = [f"turn:127.0.0.1:{coturn}?transport=udp"]
    settings.MEET_STUN_URLS = [f"stun:127.0.0.1:{coturn}"]
    settings.MEET_TURN_SECRET = SECRET
    host = client_of(UserFactory())
    code = host.post(API, {"title": "Loin du bureau"}, "application/json").json()["code"]
    media = host.post(f"{API}{code}/join/", {}, "application/json").json()["media"]
    stun, turn = media["ice_servers"]
    assert stun == {"urls": [f"stun:127.0.0.1:{coturn}"]}
    assert turn["urls"] == settings.MEET_TURN_URLS
    assert allocates(coturn, turn["username"], turn["credential"])
    assert not allocates(coturn, turn["username"], turn["credential"][:-4] + "AAA=")

    settings.MEET_TURN_TTL = -60  # credentials that expired a minute ago
    expired = ice_servers("someone")[-1]
    assert not allocates(coturn, expired["username"], expired["credential"])


def test_without_turn_settings_browsers_get_no_ice_servers(settings: Any) -> None:
    settings.MEET_TURN_URLS, settings.MEET_STUN_URLS, settings.MEET_TURN_SECRET = [], [], ""
    assert ice_servers("someone") == []
