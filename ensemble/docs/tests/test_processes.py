"""Real servers: a document open on two web processes stays one document (Redis between them),
and a server killed mid-edit loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets

from ensemble.cli import web_server_command
from ensemble.conftest import run_ensemble
from ensemble.core.ports import free_port
from ensemble.docs.tests.yclient import YClient

ROOT = Path(__file__).resolve().parents[3]
MAKE_DOCUMENT = """
from ensemble.accounts.models import User
from ensemble.docs import actions
owner = User.objects.create_user(email="owner@example.gouv.fr", password="x")
doc = actions.create_document(owner, "Shared")
doc.link_reach, doc.link_role = "public", "editor"
doc.save()
print(doc.pk)
"""


@pytest.fixture
def production_env(embedded_env: dict[str, str]) -> dict[str, str]:
    """Processes that share Redis (the channel layer) and one database."""
    return {
        **embedded_env,
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "SECRET_KEY": "test-secret-key-for-two-processes-of-the-docs-test",
        "ENCRYPTION_KEYS": "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    }


@contextmanager
def server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        web_server_command("127.0.0.1", port),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                assert process.poll() is None, "the web server stopped"
                assert time.monotonic() < deadline, "the web server did not answer"
                time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


async def open_editor(port: int, document: str) -> tuple[YClient, Any]:
    socket = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/docs/{document}/", origin=f"http://127.0.0.1:{port}"
    )

    async def receive(timeout: float) -> bytes:
        frame = await asyncio.wait_for(socket.recv(), timeout)
        assert isinstance(frame, bytes)
        return frame

    client = YClient(socket.send, receive)
    await client.handshake()
    return client, socket


def make_document(env: dict[str, str]) -> str:
    assert run_ensemble("manage", "migrate", "-v0", env=env).returncode == 0
    made = run_ensemble("manage", "shell", "-c", MAKE_DOCUMENT, env=env)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def test_a_document_open_on_two_processes_stays_one_document(
    production_env: dict[str, str],
) -> None:
    document = make_document(production_env)
    one, two = free_port(), free_port()
    with server(production_env, one), server(production_env, two):

        async def scenario() -> None:
            alice, alice_socket = await open_editor(one, document)
            bruno, bruno_socket = await open_editor(two, document)
            await alice.announce(11, {"cursor": {"anchor": 0}})
            await bruno.until(lambda: 11 in bruno.awareness)  # cursors cross processes too
            for word in ["un ", "deux ", "trois "]:
                await alice.type(word)
                await bruno.type(word.upper())
            await alice.until_saved()
            await bruno.until_saved()
            await alice.until(lambda: len(str(alice.text)) == 28)
            await bruno.until(lambda: len(str(bruno.text)) == 28)
            assert str(alice.text) == str(bruno.text)
            # A newcomer on either process opens the same document.
            late, late_socket = await open_editor(one, document)
            assert str(late.text) == str(alice.text)
            # The document opened anew on the second process (its room gone with Bruno): the
            # first process tells it who is there.
            await bruno_socket.close()
            await asyncio.sleep(0.5)
            carla, carla_socket = await open_editor(two, document)
            await carla.until(lambda: 11 in carla.awareness)
            assert str(carla.text) == str(alice.text)
            for socket in (alice_socket, late_socket, carla_socket):
                await socket.close()

        asyncio.run(scenario())


def test_a_server_killed_mid_edit_loses_nothing_it_acknowledged(
    production_env: dict[str, str],
) -> None:
    document = make_document(production_env)
    port = free_port()
    typed = ""

    async def type_until_killed(process: subprocess.Popen[bytes]) -> str:
        alice, _ = await open_editor(port, document)
        acknowledged = ""
        for number in range(200):
            word = f"mot{number} "
            await alice.type(word)
            if number == 120:
                os.killpg(process.pid, signal.SIGKILL)
            try:
                await alice.until_saved(timeout=2)
            except Exception:  # the server is gone: what was acknowledged before counts
                break
            acknowledged = str(alice.text)
        return acknowledged

    with server(production_env, port) as process:
        typed = asyncio.run(type_until_killed(process))
    assert typed.startswith("mot0 mot1 ") and len(typed.split()) >= 100
    with server(production_env, port):

        async def reopen() -> str:
            reader, socket = await open_editor(port, document)
            await socket.close()
            return str(reader.text)

        stored = asyncio.run(reopen())
    assert stored.startswith(typed)  # every acknowledged word, in order, and nothing garbled
