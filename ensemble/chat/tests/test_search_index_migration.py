"""Migration 0014 rebuilds PostgreSQL's full-text index of messages without stopping the chat:
the new index is built CONCURRENTLY beside the old one, outside a transaction. In one
transaction, its DROP INDEX held an ACCESS EXCLUSIVE lock on chat_message until the commit,
so no message could be read or sent while GIN was built over all of them."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

MIGRATION = importlib.import_module(
    "ensemble.chat.migrations.0014_message_search_index_matches_queries"
)


@pytest.mark.django_db
def test_the_search_index_is_rebuilt_without_locking_the_messages() -> None:
    assert MIGRATION.Migration.atomic is False  # CONCURRENTLY cannot run in a transaction
    if connection.vendor != "postgresql":  # SQLite keeps FTS5: nothing to do
        executed: list[str] = []
        editor: Any = SimpleNamespace(connection=connection, execute=executed.append)
        MIGRATION.rebuild(apps, editor)
        MIGRATION.back(apps, editor)
        assert executed == []
        return
    for step in (MIGRATION.rebuild, MIGRATION.back):
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            step(apps, editor)
        statements = [str(statement) for statement in editor.collected_sql]
        assert any("CREATE INDEX CONCURRENTLY" in statement for statement in statements)
        for statement in statements:
            if statement.startswith(("CREATE INDEX", "DROP INDEX")):
                assert "CONCURRENTLY" in statement, statement
        assert statements[-1].startswith("ALTER INDEX")  # the new one takes the old one's name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
@pytest.mark.django_db
def test_the_search_index_searches_what_the_queries_ask() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'chat_message_body_search'"
        )
        (definition,) = cursor.fetchone()
    assert "COALESCE(body" in definition
