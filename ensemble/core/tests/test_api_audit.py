"""The audit log on the API and in the admin: operators only; filters; JSON lines export."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core import audit
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_only_operators_read_the_audit_log(client_of: Any) -> None:
    assert Client().get("/api/v1/audit/").status_code == 401
    assert client_of(UserFactory()).get("/api/v1/audit/").status_code == 403
    assert client_of(UserFactory()).get("/admin/core/auditentry/").status_code == 302
    operator = client_of(UserFactory(is_staff=True, is_superuser=True))
    assert operator.get("/api/v1/audit/").status_code == 200
    assert operator.get("/admin/core/auditentry/").status_code == 200


def test_filters_and_clear_errors(client_of: Any) -> None:
    # A superuser: other operators see only their organisation's entries (test_admin_scope.py).
    operator_user = UserFactory(is_staff=True, is_superuser=True)
    operator = client_of(operator_user)
    audit.record("test.one", actor_label="x")
    body = operator.get("/api/v1/audit/?action=accounts.signed_in").json()
    assert {e["action"] for e in body["results"]} == {"accounts.signed_in"}
    mine = operator.get(f"/api/v1/audit/?actor={operator_user.pk}").json()
    assert mine["count"] >= 1
    assert (
        operator.get("/api/v1/audit/?since=2000-01-01").json()["count"]
        == AuditEntry.objects.count()
    )
    assert operator.get("/api/v1/audit/?until=2000-01-01").json()["count"] == 0
    bad = operator.get("/api/v1/audit/?since=yesterday")
    assert bad.status_code == 400 and "ISO date" in bad.json()["since"]
    assert operator.get("/api/v1/audit/?actor=nobody").status_code == 400


def test_export_is_json_lines(client_of: Any) -> None:
    operator = client_of(UserFactory(is_staff=True))
    response = operator.get("/api/v1/audit/export/")
    assert response["Content-Type"] == "application/jsonl"
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert lines and all("hash" in line for line in lines)


def test_admin_actions_are_audited(client_of: Any) -> None:
    operator = client_of(UserFactory(is_staff=True, is_superuser=True))
    target = UserFactory()
    response = operator.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "email": target.email,
            "full_name": "Changed By Admin",
            "language": "fr",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.filter(action="admin.changed").latest("position")
    assert entry.data["object"] == "Changed By Admin"


def test_audit_log_cannot_be_changed_in_the_admin(client_of: Any) -> None:
    operator = client_of(UserFactory(is_staff=True, is_superuser=True))
    entry = AuditEntry.objects.first()
    assert entry is not None
    page = operator.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert operator.post(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
