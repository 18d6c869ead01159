"""Hand-written SQL for the statements on the hot path of real-time writes (a chat message
sent, an event published), where building a Django query costs several times more than
running it (docs/perf.md, the chat benchmark). Values are converted by the model's own fields,
as the ORM would, so the same code serves SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


@functools.cache
def _insert_statement(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, list[Any]]:
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr,arg-type]
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})", fields  # noqa: S608


def insert(model: type[models.Model], values: dict[str, Any]) -> None:
    """INSERT one row: {field name or attname: Python value}. No signals and no defaults: give
    every column (an auto-incremented id excepted)."""
    statement, fields = _insert_statement(model, tuple(values))
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` as the database stores the field ``name`` (a UUID is text in SQLite)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]


def fetch(statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()
