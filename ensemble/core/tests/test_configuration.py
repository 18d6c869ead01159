"""Settings come from the environment, secrets from files too; production refuses defaults."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from ensemble.conftest import run_ensemble
from ensemble.core.config import env_bool, env_str, parse_encryption_keys

ROOT = Path(__file__).resolve().parents[3]


def test_every_variable_read_is_documented() -> None:
    sources = "".join(
        (ROOT / "ensemble" / path).read_text()
        for path in ("settings.py", "cli.py", "accounts/oidc/config.py")
    )
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', sources))
    read |= set(re.findall(r'environ\.get\("([A-Z0-9_]+)"', sources))
    read |= set(re.findall(r'_secret\("([A-Z0-9_]+)"\)', sources))
    read.discard("DJANGO_SETTINGS_MODULE")
    documented = set(
        re.findall(r"^\| `([A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text(), re.M)
    )
    assert read - documented == set(), "undocumented settings"
    assert documented - read == set(), "documented settings that nothing reads"


def test_a_secret_can_come_from_a_file(tmp_path: Path, monkeypatch: Any) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env_str("SOME_SECRET") == "from-a-file"
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("SOME_SECRET")


def test_bad_values_are_explained(monkeypatch: Any) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env_bool("FLAG")
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        parse_encryption_keys("k1:c2hvcnQ=")
    with pytest.raises(ImproperlyConfigured, match="id:base64key"):
        parse_encryption_keys("no-colon")


def test_production_refuses_to_start_without_explicit_secrets(tmp_path: Path) -> None:
    done = run_ensemble(
        "check", env={"ENSEMBLE_PRODUCTION": "true", "ENSEMBLE_DATA_DIR": str(tmp_path)}
    )
    assert done.returncode == 1
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set in production mode" in done.stdout


def test_check_reports_every_engine(embedded_env: dict[str, str]) -> None:
    assert run_ensemble("manage", "migrate", "-v0", env=embedded_env).returncode == 0
    done = run_ensemble("check", env=embedded_env)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (
        "configuration",
        "data folder",
        "database",
        "migrations",
        "channel_layer",
        "storage",
        "tasks",
        "background jobs",
    ):
        assert re.search(rf"^{name}\s+ok", done.stdout, re.M), done.stdout


def test_check_says_when_migrations_are_missing(embedded_env: dict[str, str]) -> None:
    done = run_ensemble("check", env=embedded_env)
    assert done.returncode == 1
    assert re.search(r"^migrations\s+FAIL.*run `ensemble manage migrate`", done.stdout, re.M)


def test_check_names_an_engine_that_does_not_answer(embedded_env: dict[str, str]) -> None:
    done = run_ensemble(
        "check",
        env={
            **embedded_env,
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "SECRET_KEY": "x" * 40,
            "ENCRYPTION_KEYS": "k:" + "A" * 43 + "=",
        },
    )
    assert done.returncode == 1
    assert re.search(r"^database\s+FAIL", done.stdout, re.M), done.stdout
