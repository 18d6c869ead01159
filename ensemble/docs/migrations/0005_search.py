"""Full-text search of documents' titles and text (core/fulltext.py): PostgreSQL's full-text
index, or SQLite's FTS5 kept in step by triggers."""

from typing import Any

from django.db import migrations

from ensemble.core import fulltext

COLUMNS = ["title", "text"]


def create(apps: Any, schema_editor: Any) -> None:
    fulltext.create(schema_editor, apps.get_model("docs", "Document"), COLUMNS)


def drop(apps: Any, schema_editor: Any) -> None:
    fulltext.drop(schema_editor, apps.get_model("docs", "Document"))


class Migration(migrations.Migration):
    dependencies = [("docs", "0004_conversionjob")]
    operations = [migrations.RunPython(create, drop)]
