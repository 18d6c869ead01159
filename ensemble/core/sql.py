"""Hand-written SQL for the statements on the hot path of real-time writes (a chat message
sent, an event published), where building a Django query costs several times more than
running it (docs/perf.md, the chat benchmark). Values are converted by the model's own fields,
as the ORM would, so the same code serves SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models


@dataclass(frozen=True)
class Columns:
    """Some columns of a model's table, quoted for the database, with their fields."""

    table: str
    names: str  # "col_a", "col_b", …
    fields: tuple[models.Field[Any, Any], ...]

    def marks(self) -> str:
        return ", ".join(["%s"] * len(self.fields))

    def params(self, values: Sequence[Any]) -> list[Any]:
        """``values`` (Python values, in the columns' order) as the database stores them."""
        return [
            field.get_db_prep_save(value, connection)
            for field, value in zip(self.fields, values, strict=True)
        ]


@functools.cache
def columns(model: type[models.Model], names: tuple[str, ...]) -> Columns:
    """The columns of ``model`` named by field names or attnames."""
    meta = model._meta
    fields = tuple(meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    quoted = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr,arg-type]
    return Columns(quote(meta.db_table), quoted, fields)  # type: ignore[arg-type]


def insert(
    model: type[models.Model], values: dict[str, Any], ignore_conflicts: bool = False
) -> bool:
    """INSERT one row: {field name or attname: Python value}. No signals and no defaults: give
    every column (an auto-incremented id excepted). With ``ignore_conflicts``, a row that would
    break a unique constraint is not stored (PostgreSQL and SQLite: ON CONFLICT DO NOTHING)
    and False is returned."""
    target = columns(model, tuple(values))
    statement = f"INSERT INTO {target.table} ({target.names}) VALUES ({target.marks()})"  # noqa: S608
    if ignore_conflicts:
        statement += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, target.params(list(values.values())))
        return cursor.rowcount != 0


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` as the database stores the field ``name`` (a UUID is text in SQLite)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]


def python_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A value read by hand-written SQL as the field ``name`` gives it (a UUID from SQLite's
    text), the reverse of db_value()."""
    return model._meta.get_field(name).to_python(value)  # type: ignore[union-attr]


def fetch(statement: str, params: Sequence[Any], prepared: bool = False) -> list[tuple[Any, ...]]:
    """The rows of a statement. ``prepared``: on PostgreSQL, a statement run for every message
    is prepared once per connection, then only executed (0.15 to 0.3 ms less each time,
    measured), unless DATABASE_PREPARED_STATEMENTS is off."""
    if prepared and connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
        return _fetch_prepared(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _fetch_prepared(statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    import psycopg

    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    if raw.prepare_threshold is None:  # Django's default; only cursors binding on the server
        raw.prepare_threshold = 5  # (this one, not Django's) ever prepare
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(statement, params, prepare=True)
        return cursor.fetchall()
