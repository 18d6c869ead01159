"""Full-text search, one way for every app: PostgreSQL's full-text search in production (a GIN
index on the words of the searched columns), SQLite's FTS5 in the embedded default (a table
kept in step with the searched table by triggers). An app's migration makes both with
``create``; its search asks ``matches`` (SQLite) or filters with ``vector`` and
``query`` (PostgreSQL)."""

from __future__ import annotations

# ruff: noqa: S608  (table and column names come from the code, never from a request)
import re
from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection


def fts5_query(text: str, prefix: bool = False) -> str:
    """Every word must appear (each quoted, so that no FTS5 syntax can be injected); with
    ``prefix``, the last one as the start of a word (what someone is still typing)."""
    words = ['"' + word.replace('"', '""') + '"' for word in re.findall(r"\w+", text)]
    if prefix and words:
        words[-1] += "*"
    return " ".join(words)


def fts5_matches(table: str, id_column: str, match: str, limit: int = 1000) -> list[str]:
    """SQLite: the ids of the rows of ``table`` whose FTS5 table matches, best first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {id_column} FROM {table}_fts WHERE {table}_fts MATCH %s "
            "ORDER BY rank LIMIT %s",
            [match, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def vector(*columns: str) -> SearchVector:
    return SearchVector(*columns, config="simple")


def query(text: str, prefix: bool = False) -> SearchQuery:
    """PostgreSQL: every word; with ``prefix``, the last one as the start of a word."""
    if not prefix:
        return SearchQuery(text, config="simple", search_type="websearch")
    words = re.findall(r"\w+", text)  # nothing but word characters: no query syntax
    terms = [*words[:-1], f"{words[-1]}:*"] if words else []
    return SearchQuery(" & ".join(terms), config="simple", search_type="raw")


def create(schema_editor: Any, model: Any, columns: list[str]) -> None:
    """In a migration: make the search of ``columns`` of ``model``'s table (names from the
    code, never from people)."""
    table = model._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The index is made from the same SearchVector the search filters with, so that the
        # planner uses it (chat's 0014 migration: an index on another expression never is).
        index = GinIndex(vector(*columns), name=f"{table}_search")
        schema_editor.add_index(model, index)
    elif vendor == "sqlite":
        fts, names = f"{table}_fts", ", ".join(columns)
        new = ", ".join(f"new.{column}" for column in columns)
        for statement in [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(row_id UNINDEXED, {names}, "
            "tokenize = 'unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts} (row_id, {names}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE row_id = old.id; "
            f"INSERT INTO {fts} (row_id, {names}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE row_id = old.id; END",
            f"INSERT INTO {fts} (row_id, {names}) SELECT id, {names} FROM {table}",
        ]:
            schema_editor.execute(statement)


def drop(schema_editor: Any, model: Any) -> None:
    table = model._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")
    elif vendor == "sqlite":
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
