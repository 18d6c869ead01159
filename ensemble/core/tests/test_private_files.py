"""The data directory, the SQLite database and Janus's configuration (which holds its admin
secret) are readable by the service's user only; what the suite's processes write is too."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from ensemble.conftest import run_ensemble
from ensemble.core.config import private_file, private_folder
from ensemble.meet import janus_server


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """A shell's usual umask (0022), so that nothing passes thanks to the test's own."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_install_keeps_its_data_to_the_service_user(
    embedded_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_ensemble("manage", "migrate", "-v0", env=embedded_env).returncode == 0
    data = Path(embedded_env["ENSEMBLE_DATA_DIR"])
    assert mode(data) == 0o700
    assert mode(data / "secrets.json") == 0o600
    assert mode(data / "ensemble.sqlite3") == 0o600


def test_sqlite_journal_files_take_the_database_mode_whatever_the_umask(
    embedded_env: dict[str, str],
) -> None:
    assert run_ensemble("manage", "migrate", "-v0", env=embedded_env).returncode == 0
    held_open = (
        "import os, stat; os.umask(0o022); from django.db import connection; "
        "connection.cursor().execute('CREATE TABLE probe (x int)'); "
        "print([oct(stat.S_IMODE(os.stat(connection.settings_dict['NAME'] + end).st_mode)) "
        "for end in ('-wal', '-shm')])"
    )
    shown = run_ensemble("manage", "shell", "-c", held_open, env=embedded_env)
    assert shown.stdout.strip().splitlines()[-1] == "['0o600', '0o600']"


def test_an_existing_install_is_tightened(embedded_env: dict[str, str]) -> None:
    data = Path(embedded_env["ENSEMBLE_DATA_DIR"])
    assert run_ensemble("manage", "migrate", "-v0", env=embedded_env).returncode == 0
    data.chmod(0o755)
    (data / "ensemble.sqlite3").chmod(0o644)
    (data / "secrets.json").chmod(0o644)
    assert run_ensemble("manage", "check", env=embedded_env).returncode == 0
    assert mode(data) == 0o700
    assert mode(data / "ensemble.sqlite3") == 0o600
    assert mode(data / "secrets.json") == 0o600


def test_the_command_runs_with_a_private_umask(embedded_env: dict[str, str]) -> None:
    shown = run_ensemble(
        "manage", "shell", "-c", "import os; print(oct(os.umask(0)))", env=embedded_env
    )
    assert shown.stdout.strip().splitlines()[-1] == "0o77"


def test_janus_configuration_is_written_for_the_service_user_only(tmp_path: Path) -> None:
    folder = tmp_path / "janus" / "conf"
    janus = janus_server.JanusSettings(
        http_port=1,
        admin_port=2,
        ws_port=3,
        admin_secret="admin-s3cret",
        admin_key="room-key",
        events_url="http://127.0.0.1:8000/meet/janus-events/",
        events_secret="events-s3cret",
    )
    config = janus_server.render(janus, folder)
    assert "admin-s3cret" in config.read_text()
    assert "events-s3cret" in (folder / "janus.eventhandler.sampleevh.jcfg").read_text()
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    written = sorted(folder.iterdir())
    assert len(written) == 5
    assert {mode(path) for path in written} == {0o600}


def test_janus_configuration_written_before_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir(mode=0o755)
    (folder / "janus.jcfg").write_text("old")
    (folder / "janus.jcfg").chmod(0o644)
    janus = janus_server.JanusSettings(
        http_port=1, admin_port=2, ws_port=3, admin_secret="admin-s3cret", admin_key="room-key"
    )
    janus_server.render(janus, folder)
    assert mode(folder) == 0o700 and mode(folder / "janus.jcfg") == 0o600


def test_private_helpers_create_with_the_right_modes(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "a" / "b")
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(private_file(folder / "f")) == 0o600


def test_uploaded_files_and_their_folders_are_private() -> None:
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
