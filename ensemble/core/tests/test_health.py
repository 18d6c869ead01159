from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.conftest import store_files_in

pytestmark = pytest.mark.django_db

ENGINES = {"database", "migrations", "channel_layer", "storage", "tasks"}


def test_healthz_answers_without_touching_engines() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readyz_tells_anonymous_callers_only_the_status() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_tells_signed_in_people_who_are_not_staff_only_the_status(client_of: Any) -> None:
    assert client_of(UserFactory()).get("/readyz").json() == {"status": "ok"}


def test_readyz_reports_each_engine_to_staff(client_of: Any) -> None:
    response = client_of(UserFactory(is_staff=True)).get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == ENGINES
    assert all(check["ok"] for check in checks.values())


def test_readyz_reports_each_engine_to_the_bearer_of_the_health_token(settings: Any) -> None:
    settings.HEALTH_TOKEN = "s3cret-monitoring-token"
    answer = Client().get("/readyz", HTTP_AUTHORIZATION="Bearer s3cret-monitoring-token")
    assert set(answer.json()["checks"]) == ENGINES
    wrong = Client().get("/readyz", HTTP_AUTHORIZATION="Bearer s3cret-monitoring-tokeN")
    assert wrong.json() == {"status": "ok"}


def test_readyz_gives_no_detail_when_no_health_token_is_set(settings: Any) -> None:
    settings.HEALTH_TOKEN = ""
    assert Client().get("/readyz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


def test_readyz_is_503_and_says_only_unavailable_to_anonymous_callers(
    settings: Any, tmp_path: Any
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    store_files_in(settings, blocked)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_readyz_is_503_with_detail_for_staff_when_storage_fails(
    settings: Any, tmp_path: Any, client_of: Any
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    store_files_in(settings, blocked)
    response = client_of(UserFactory(is_staff=True)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True
