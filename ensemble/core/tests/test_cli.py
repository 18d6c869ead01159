"""The ensemble command: help, first operator, and a thin `serve` that stops cleanly."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ensemble.conftest import run_ensemble

ROOT = Path(__file__).resolve().parents[3]


def test_help_explains_each_command(embedded_env: dict[str, str]) -> None:
    out = run_ensemble("--help", env=embedded_env).stdout
    for command in ("serve", "worker", "createadmin", "check", "audit verify", "rotate-keys"):
        assert command in out


def test_createadmin_prints_the_password_once(embedded_env: dict[str, str]) -> None:
    assert run_ensemble("manage", "migrate", "-v0", env=embedded_env).returncode == 0
    first = run_ensemble("createadmin", "--email", "Boss@Example.gouv.fr", env=embedded_env)
    assert first.returncode == 0
    password = first.stdout.split("Password (shown once, write it down): ")[1].strip()
    assert len(password) >= 16
    second = run_ensemble("createadmin", "--email", "boss@example.gouv.fr", env=embedded_env)
    assert "exists already" in second.stdout and password not in second.stdout
    check = run_ensemble(
        "manage",
        "shell",
        "-c",
        "from django.contrib.auth import authenticate; "
        f"print(authenticate(email='boss@example.gouv.fr', password={password!r}).is_superuser)",
        env=embedded_env,
    )
    assert check.stdout.strip().endswith("True")


def test_serve_starts_everything_and_stops_cleanly_on_ctrl_c(embedded_env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    janus_ports = {}
    for name in ("JANUS_HTTP_PORT", "JANUS_ADMIN_PORT", "JANUS_WS_PORT"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            janus_ports[name] = str(probe.getsockname()[1])
    # -X importtime: the supervisor (and only it, children do not inherit the flag) writes
    # each module it imports to its standard error.
    server = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "ensemble.cli", "serve", "--port", str(port)],
        env={**embedded_env, **janus_ports},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        names = sorted(Path(f"/proc/{pid}/comm").read_text().strip() for pid in children)
        assert len(children) == 3 and "janus" in names  # the web server, the worker, Janus
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss_kib = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)[1])  # type: ignore[index]
        assert rss_kib < 40 * 1024  # it only watches (about 130 MiB when it loaded Django)
        info = f"http://127.0.0.1:{janus_ports['JANUS_HTTP_PORT']}/janus/info"
        with urllib.request.urlopen(info) as answer:
            assert json.loads(answer.read())["name"] == "Janus WebRTC Server"
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
        assert server.returncode == 0
        for pid in children:
            assert not Path(f"/proc/{pid}").exists(), f"process {pid} was left running"
        imported = re.findall(r"^import time:.*\|\s*([\w.]+)$", output, re.M)
        assert "subprocess" in imported and "argparse" in imported
        ours = [name for name in imported if name.split(".")[0] in ("django", "ensemble")]
        assert ours == ["ensemble"]  # (the package; cli runs as __main__) no Django, no app
    finally:
        if server.poll() is None:
            server.kill()
