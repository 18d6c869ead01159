"""Full-text search of messages: PostgreSQL full-text search in production, SQLite FTS5 in the
embedded default (a table kept in step with chat_message by triggers)."""

from typing import Any

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE chat_message_fts USING fts5(
           message_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER chat_message_fts_insert AFTER INSERT ON chat_message BEGIN
           INSERT INTO chat_message_fts (message_id, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF body ON chat_message BEGIN
           DELETE FROM chat_message_fts WHERE message_id = old.id;
           INSERT INTO chat_message_fts (message_id, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message BEGIN
           DELETE FROM chat_message_fts WHERE message_id = old.id; END""",
    "INSERT INTO chat_message_fts (message_id, body) SELECT id, body FROM chat_message",
]
POSTGRESQL = [
    """CREATE INDEX chat_message_body_search ON chat_message
           USING GIN (to_tsvector('simple', body))""",
]


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS chat_message_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS chat_message_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS chat_message_body_search")


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_reactions_and_pins")]
    operations = [migrations.RunPython(create, drop)]
