"""PostgreSQL: the full-text index of messages rebuilt on the expression that search queries
(chat/search.py): Django's SearchVector wraps the text in COALESCE, so the index of 0005, on
to_tsvector('simple', body), matched no query and was never used; a search read every message
of the rooms one may read (chat/tests/test_query_plans.py). The index is made from the same
SearchVector, so that the two cannot differ again. SQLite keeps FTS5.

Built CONCURRENTLY beside the old one, which is then dropped (CONCURRENTLY) and replaced by
name, outside a transaction: in one, DROP INDEX holds its ACCESS EXCLUSIVE lock on
chat_message until the commit, so no message could be read or written while GIN was built
over all of them (minutes on a large site)."""

from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

NAME = "chat_message_body_search"
NEW = f"{NAME}_new"  # built beside the index it replaces
FIRST = f"CREATE INDEX CONCURRENTLY {NEW} ON chat_message USING GIN (to_tsvector('simple', body))"


def replace(schema_editor: Any, build: Any) -> None:
    # What an interrupted run left (an invalid index) goes first.
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW}")
    build()
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    schema_editor.execute(f"ALTER INDEX {NEW} RENAME TO {NAME}")


def rebuild(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        index = GinIndex(SearchVector("body", config="simple"), name=NEW)
        model = apps.get_model("chat", "Message")
        replace(schema_editor, lambda: schema_editor.add_index(model, index, concurrently=True))


def back(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        replace(schema_editor, lambda: schema_editor.execute(FIRST))


class Migration(migrations.Migration):
    atomic = False  # CREATE and DROP INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("chat", "0013_room_member_notify_index")]
    operations = [migrations.RunPython(rebuild, back)]
