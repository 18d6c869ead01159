"""The audit log's hash chain catches modified, deleted and reordered entries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction

from ensemble.cli import main
from ensemble.core import audit
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def write_entries(count: int) -> None:
    for number in range(count):
        audit.record("test.action", actor_label="tester", data={"n": number, "é": "accentué"})


def tamper(sql: str, *params: Any) -> None:
    """Change the table behind the application's back, as an attacker with DB access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(sql, params)
        else:
            cursor.execute(sql, params)


def test_an_untouched_log_verifies() -> None:
    write_entries(5)
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_a_modified_entry_is_named() -> None:
    write_entries(5)
    tamper("UPDATE core_auditentry SET action = %s WHERE position = 3", "test.innocent")
    result = audit.verify()
    assert result.first_bad_position == 3
    assert "modified" in result.reason


def test_modified_details_are_caught() -> None:
    write_entries(4)
    tamper("UPDATE core_auditentry SET data = %s WHERE position = 2", json.dumps({"n": 99}))
    assert audit.verify().first_bad_position == 2


def test_a_deleted_entry_is_named() -> None:
    write_entries(5)
    tamper("DELETE FROM core_auditentry WHERE position = 2")
    result = audit.verify()
    assert result.first_bad_position == 2
    assert "missing" in result.reason


def test_entries_deleted_from_the_end_are_caught() -> None:
    write_entries(5)
    tamper("DELETE FROM core_auditentry WHERE position >= 4")
    result = audit.verify()
    assert result.first_bad_position == 4


def test_reordered_entries_are_caught() -> None:
    write_entries(4)
    tamper("UPDATE core_auditentry SET position = 100 WHERE position = 2")
    tamper("UPDATE core_auditentry SET position = 2 WHERE position = 3")
    tamper("UPDATE core_auditentry SET position = 3 WHERE position = 100")
    assert audit.verify().first_bad_position == 2


def test_the_orm_refuses_to_change_or_delete_entries() -> None:
    write_entries(1)
    entry = AuditEntry.objects.get()
    entry.action = "other"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_to_change_entries() -> None:
    write_entries(1)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x'")


def test_cli_verify_reports_the_first_bad_entry(capsys: Any) -> None:
    write_entries(3)
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    tamper("UPDATE core_auditentry SET ip = '10.0.0.1' WHERE position = 2")
    assert main(["audit", "verify"]) == 2
    assert "First bad entry: #2" in capsys.readouterr().err


def test_export_writes_one_json_line_per_entry_with_its_hash(tmp_path: Any) -> None:
    write_entries(3)
    target = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--output", str(target)]) == 0
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["position"] for line in lines] == [1, 2, 3]
    assert lines[1]["previous_hash"] == lines[0]["hash"]
    assert lines[2]["data"] == {"n": 2, "é": "accentué"}
