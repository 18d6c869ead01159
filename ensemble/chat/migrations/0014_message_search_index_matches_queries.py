"""PostgreSQL: the full-text index of messages rebuilt on the expression that search queries
(chat/search.py): Django's SearchVector wraps the text in COALESCE, so the index of 0005, on
to_tsvector('simple', body), matched no query and was never used; a search read every message
of the rooms one may read (chat/tests/test_query_plans.py). The index is made from the same
SearchVector, so that the two cannot differ again. SQLite keeps FTS5."""

from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

NAME = "chat_message_body_search"
FIRST = f"CREATE INDEX {NAME} ON chat_message USING GIN (to_tsvector('simple', body))"


def rebuild(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
        index = GinIndex(SearchVector("body", config="simple"), name=NAME)
        schema_editor.add_index(apps.get_model("chat", "Message"), index)


def back(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
        schema_editor.execute(FIRST)


class Migration(migrations.Migration):
    dependencies = [("chat", "0013_room_member_notify_index")]
    operations = [migrations.RunPython(rebuild, back)]
