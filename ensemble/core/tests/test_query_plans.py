"""The real-time kernel's statements on the hot path use their indexes (STYLE.md): taking a
stream's next number (events._bump, hand-written: UPDATE … RETURNING on the cursor's key) and
reading a stream's events after a number (events_after, which every reconnecting client and
every catch-up runs) are explained by the engine the suite runs on, as the code builds them;
core_streamevent, the big table, must be looked up by its (stream, seq) key, never read whole.
The statement that numbers and stores a batch of rows is checked where its rows are, with
chat messages (chat/tests/test_query_plans.py).

How the plans are made to mean something (no ``enable_seqscan = off``): the tables are filled
first, 1000 streams of 10 events; on PostgreSQL they are then ANALYZEd, so that the planner
weighs the index against a sequential scan with true statistics (neither statement is
prepared: the plan for these values is the one that runs). SQLite is left without
statistics, as in production: it then plans as if each table held a million rows, so a scan
in its plan means there was no index to use.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ensemble.core.events import events_after, next_seq
from ensemble.core.models import StreamCursor, StreamEvent
from ensemble.core.tests.query_plans import plans, the_statement

EVENTS = StreamEvent._meta.db_table
CURSORS = StreamCursor._meta.db_table
STREAMS, EACH = 1000, 10


@pytest.fixture
def streams(db: Any) -> list[str]:
    names = [f"plans:{n}" for n in range(STREAMS)]
    now = timezone.now()
    StreamEvent.objects.bulk_create(
        StreamEvent(stream=name, seq=seq, type="plans.event", payload={"n": seq}, created_at=now)
        for seq in range(1, EACH + 1)
        for name in names
    )
    StreamCursor.objects.bulk_create(StreamCursor(stream=name, last_seq=EACH) for name in names)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {EVENTS}, {CURSORS}")
    return names


def test_reading_the_events_after_a_number_looks_them_up_by_stream_and_seq(
    streams: list[str],
) -> None:
    stream = streams[17]
    statement = the_statement(lambda: events_after(stream, 4, 8), EVENTS)
    for plan in plans(*statement):
        assert plan.read_whole({EVENTS}) == [], plan
        assert plan.indexes_of(EVENTS) == {("stream", "seq")}, plan


def test_taking_the_next_number_of_a_stream_updates_its_cursor_by_key(
    streams: list[str],
) -> None:
    stream = streams[17]
    statement = the_statement(
        lambda: next_seq(stream), f"UPDATE {connection.ops.quote_name(CURSORS)}"
    )
    for plan in plans(*statement):
        assert plan.read_whole({CURSORS}) == [], plan
        assert plan.indexes_of(CURSORS) == {("stream",)}, plan
