from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.conftest import store_files_in

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_engines() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_each_engine() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == {"database", "migrations", "channel_layer", "storage", "tasks"}
    assert all(check["ok"] for check in checks.values())


def test_readyz_is_503_with_detail_when_storage_fails(settings: Any, tmp_path: Any) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    store_files_in(settings, blocked)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True
