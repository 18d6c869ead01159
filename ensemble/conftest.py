"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """Tests read English messages unless they ask for French (Accept-Language: fr)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Any) -> None:
    """Each test stores files in its own folder (locally; S3 tests set their own)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "ensemble.core.storage.EncryptedStorage",
            "OPTIONS": {
                "inner": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")},
                }
            },
        },
    }


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
