"""What the database engine would do to run a statement (STYLE.md: hand-written SQL is kept
for measured hot paths, with a test that its query plan uses its index).

``plans(statement, params)`` asks the engine in use, without running the statement, and
answers each table it would read: through which index (and that index's columns), or whole.
SQLite: ``EXPLAIN QUERY PLAN`` (``SCAN t`` reads t whole, even ``SCAN t USING INDEX i``,
which walks all of i; ``SEARCH t USING … INDEX i (a=?)`` looks rows up; an ``AUTOMATIC``
index is one SQLite builds for the query by reading the whole table). PostgreSQL:
``EXPLAIN (FORMAT JSON)`` (a ``Seq Scan`` reads the table whole, an ``Index Scan`` without an
``Index Cond`` the whole index). For a statement the code prepares, PostgreSQL's generic plan
is answered too: the one a prepared statement may settle on after its fifth run, whatever the
values, which must use the index as well.

``statements_of(call)`` gives the statements (with their parameters) that a call runs, so
that a test explains the statement the code really builds, not a copy of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

SQLITE_READ = re.compile(r"^(?P<how>SCAN|SEARCH) (?P<name>\S+)(?: AS \S+)?(?P<rest>.*)$")
SQLITE_INDEX = re.compile(r"USING (?:COVERING )?INDEX (?P<index>\S+)")
# "FROM chat_roommember member", "JOIN chat_room AS room": the names a plan may give tables.
ALIAS = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?(?:\s+(?:AS\s+)?(\w+))?', re.I)


@dataclass(frozen=True)
class Read:
    """One table read by a plan: through ``index`` (whose columns are ``columns``), or whole
    (``whole``: every row, or every entry of the index)."""

    table: str
    index: str | None
    columns: tuple[str, ...]
    whole: bool


@dataclass(frozen=True)
class Plan:
    reads: tuple[Read, ...]
    text: str  # as the engine wrote it, for the messages of failing assertions

    def read_whole(self, tables: set[str]) -> list[str]:
        """Those of ``tables`` that the plan reads whole."""
        return sorted({read.table for read in self.reads if read.whole and read.table in tables})

    def indexes_of(self, table: str) -> set[tuple[str, ...]]:
        """The columns of each index through which ``table`` is looked up."""
        return {
            read.columns
            for read in self.reads
            if read.table == table and read.index is not None and not read.whole
        }

    def __str__(self) -> str:
        return self.text


def plans(statement: str, params: Sequence[Any], prepared: bool = False) -> list[Plan]:
    """The plans of ``statement`` with ``params``: one on SQLite; on PostgreSQL the one for
    these values and, for a statement the code prepares (``prepared``: core/sql.py's
    fetch(prepared=True), core/loopdb.py), its generic plan."""
    if connection.vendor != "postgresql":
        return [_sqlite_plan(statement, params)]
    found = [_postgresql_plan(statement, params)]
    if prepared:
        found.append(_postgresql_generic_plan(statement, params))
    return found


@contextmanager
def _recording() -> Iterator[list[tuple[str, Sequence[Any]]]]:
    ran: list[tuple[str, Sequence[Any]]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        ran.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield ran


def statements_of(call: Callable[[], object]) -> list[tuple[str, Sequence[Any]]]:
    """The statements ``call`` runs through Django's cursors, with their parameters."""
    with _recording() as ran:
        call()
    return ran


def the_statement(call: Callable[[], object], containing: str) -> tuple[str, Sequence[Any]]:
    """The one statement that ``call`` runs whose text contains ``containing``."""
    found = [(sql, params) for sql, params in statements_of(call) if containing in sql]
    assert len(found) == 1, f"{len(found)} statements contain {containing!r}"
    return found[0]


def _sqlite_plan(statement: str, params: Sequence[Any]) -> Plan:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
        details = [row[3] for row in cursor.fetchall()]
    tables = _aliases(statement)
    reads = []
    for detail in details:
        found = SQLITE_READ.match(detail)
        if found is None:
            continue
        table = tables.get(found["name"], found["name"])
        rest = found["rest"]
        if "VIRTUAL TABLE" in rest:  # answered by the module (FTS5 from its own index)
            reads.append(Read(table, rest.strip(), (), whole=False))
            continue
        index = SQLITE_INDEX.search(rest)
        if found["how"] == "SEARCH" and "PRIMARY KEY" in rest:  # the rowid
            reads.append(Read(table, "rowid", ("rowid",), whole=False))
        elif "AUTOMATIC" in rest or index is None:
            reads.append(Read(table, None, (), whole=True))
        else:
            name = index["index"]
            reads.append(Read(table, name, _sqlite_columns(name), whole=found["how"] == "SCAN"))
    return Plan(tuple(reads), "\n".join(details))


def _sqlite_columns(index: str) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(index)})")
        return tuple(row[2] for row in cursor.fetchall())


def _aliases(statement: str) -> dict[str, str]:
    """The tables of a statement by the names it gives them."""
    names = {}
    for table, alias in ALIAS.findall(statement):
        names[table] = table
        if alias:
            names[alias] = table
    return names


def _postgresql_plan(statement: str, params: Sequence[Any]) -> Plan:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
        return _postgresql_reads(cursor.fetchone()[0])


def _postgresql_generic_plan(statement: str, params: Sequence[Any]) -> Plan:
    """The plan PostgreSQL keeps for the statement once prepared, whatever the values: the
    statement prepared with the parameter types psycopg sends (core/sql.py prepares it)."""
    count = iter(range(1, len(params) + 1))
    numbered = re.sub(r"%s", lambda _: f"${next(count)}", statement)
    types = f"({', '.join(_psycopg_types(params))})" if params else ""
    marks = f"({', '.join(['%s'] * len(params))})" if params else ""
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE plan_check {types} AS {numbered}")
        try:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE plan_check {marks}", params)
            return _postgresql_reads(cursor.fetchone()[0])
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE plan_check")


def _psycopg_types(params: Sequence[Any]) -> list[str]:
    """The types psycopg gives these values when it binds them on the server ("unknown":
    PostgreSQL infers it from the statement)."""
    from psycopg.adapt import PyFormat, Transformer

    connection.ensure_connection()
    transformer = Transformer.from_context(connection.connection)
    transformer.dump_sequence(params, [PyFormat.AUTO] * len(params))
    names = []
    with connection.cursor() as cursor:
        for oid in transformer.types:
            cursor.execute("SELECT format_type(%s, NULL)", [oid])
            names.append(cursor.fetchone()[0] if oid else "unknown")
    return names


def _postgresql_reads(answer: Any) -> Plan:
    document = json.loads(answer) if isinstance(answer, str) else answer
    reads: list[Read] = []

    def walk(node: dict[str, Any], heap: str | None) -> None:
        kind = node["Node Type"]
        table = node.get("Relation Name", heap)
        if kind == "Seq Scan":
            reads.append(Read(table, None, (), whole=True))
        elif kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
            index = node["Index Name"]
            whole = "Index Cond" not in node
            reads.append(Read(table, index, _postgresql_columns(index), whole=whole))
        for child in node.get("Plans", []):
            walk(child, table if kind == "Bitmap Heap Scan" or heap else None)

    walk(document[0]["Plan"], None)
    return Plan(tuple(reads), json.dumps(document, indent=1))


def _postgresql_columns(index: str) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, place) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE c.relname = %s ORDER BY k.place",
            [index],
        )
        return tuple(row[0] for row in cursor.fetchall())
