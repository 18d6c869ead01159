"""Meeting rooms, and messages by guests of a meeting (who have no account)."""

import importlib
from typing import Any

from django.conf import settings
from django.db import migrations, models

search = importlib.import_module("ensemble.chat.migrations.0005_search")


def restore_search_triggers(apps: Any, schema_editor: Any) -> None:
    """SQLite rebuilds chat_message to add a NOT NULL column, and a dropped table takes its
    triggers with it: put back those that keep the search index in step."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in search.SQLITE:
            if statement.startswith("CREATE TRIGGER "):
                schema_editor.execute(statement.replace("TRIGGER", "TRIGGER IF NOT EXISTS", 1))


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0008_room_avatar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),  # backwards
        migrations.AddField(
            model_name="message",
            name="guest",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="guest_name",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name="room",
            name="kind",
            field=models.CharField(
                choices=[
                    ("forum", "Forum: visible to the organisation, no external users"),
                    ("private", "Private: by invitation only"),
                    ("external", "External: may include external users"),
                    ("direct", "Direct: two people"),
                    ("meeting", "Meeting: the chat of a video meeting, whose people Meet decides"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                condition=models.Q(("guest__isnull", False)),
                fields=("guest", "txn_id"),
                name="message_unique_guest_txn",
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
