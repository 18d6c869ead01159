"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.core.tests.clamav import clamd, clamd_daemon  # noqa: F401 (fixtures)
from ensemble.core.tests.mailbox import inbox  # noqa: F401 (a real SMTP server)


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """Tests read English messages unless they ask for French (Accept-Language: fr)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _no_malware_scanner(settings: Any) -> None:
    """Files are not scanned unless a test asks for the session's clamd (fixture ``clamd``),
    whether or not this machine runs Debian's clamav-daemon."""
    settings.SCANNER_ADDRESS = "off"


def store_files_in(settings: Any, location: Path) -> None:
    """Point the default (encrypted) storage at a local folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "ensemble.core.storage.EncryptedStorage",
            "OPTIONS": {
                "inner": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(location)},
                }
            },
        },
    }


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Rate limits and flood counters start from zero in each test (the in-memory cache lives
    as long as the test process)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Background jobs run as soon as they are queued (on commit), in the test's process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Path) -> None:
    """Each test stores files in its own folder (S3 tests make their own storage)."""
    store_files_in(settings, tmp_path / "media")


@pytest.fixture
def user(db: Any) -> Any:
    return UserFactory()


@pytest.fixture
def client_of(db: Any) -> Any:
    """client_of(user): a test client signed in as that user through the real sign-in page."""

    def sign_in(person: Any) -> Client:
        client = Client()
        response = client.post("/accounts/login/", {"email": person.email, "password": PASSWORD})
        assert response.status_code == 302, response.content
        return client

    return sign_in


ENGINES = {"DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SECRET_KEY", "ENCRYPTION_KEYS"}


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running the ``ensemble`` command on a fresh embedded default."""
    clean = {k: v for k, v in os.environ.items() if k not in ENGINES}
    return {**clean, "ENSEMBLE_DATA_DIR": str(tmp_path / "data")}


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """The web server as `ensemble serve` starts it (uvicorn, after the migrations), on a free
    port: yields its address and, once it has stopped, what it printed (one list item per
    line)."""
    from ensemble.cli import web_server_command
    from ensemble.core.ports import free_port

    assert run_ensemble("manage", "migrate", "-v0", env=env).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        web_server_command("127.0.0.1", port),
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the web server did not answer"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", printed
    finally:
        server.terminate()
        printed.extend(server.communicate(timeout=20)[0].splitlines())


def run_ensemble(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the ``ensemble`` command as an operator would, capturing what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "ensemble.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session", autouse=True)
def _close_connections_of_the_database_thread(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[None]:
    """Database connections are kept between uses (DATABASE_CONN_MAX_AGE), also by the threads
    the real-time tests run database work in; PostgreSQL refuses to drop the test database
    while they are open, so they are ended first."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
