"""The chat's hand-written SQL uses its indexes (STYLE.md): each statement of the sending hot
path and of search is explained by the engine the suite runs on, as the code builds it, and
must look up chat_message and chat_roommember through an index, never read them whole (the
small tables, rooms and stream cursors, may be read any way).

The statements: senders_rooms() (chat/storage.py: the rooms of a socket's batch of sends),
plain_send_guard() (the condition of a write of plain messages: may every sender post, and
does anyone there want every message), the write that numbers and stores a batch of messages
on its room's stream (core/events.py, NumberedWrite: one statement on PostgreSQL; the guard,
the cursor's UPDATE and INSERTs on SQLite), and search (fts5_matches() on SQLite, the full-text
query of chat/search.py on PostgreSQL).

How the plans are made to mean something (no ``enable_seqscan = off``, which would hide the
very choice under test): the tables are first filled as on a busy site, a few thousand
members and messages, with a forum that everyone belongs to (the largest room, the worst
case for "everyone in the room"). On PostgreSQL the tables are then ANALYZEd, so the planner
weighs an index against a sequential scan with true statistics (a table of a few pages is
read whole whatever the indexes, which is why the rows are needed); for the statements the
code prepares (senders_rooms, the numbered write) the generic plan a prepared statement may
settle on is checked as well. SQLite is left without statistics, as in production (nothing
runs ANALYZE there): it then plans as if each table held a million rows, so a scan in its
plan means there was no index to use.

What these tests found (2026-11-30): "is anyone here notified of every message", asked by
every plain send, read chat_roommember whole on PostgreSQL (or every member of the room
through the room_id index, on SQLite and in generic plans): hence the index
room_member_notify (chat migration 0013). And PostgreSQL's full-text index was never used,
its expression not the one search queries: rebuilt in migration 0014.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ensemble.accounts.models import User
from ensemble.chat import storage
from ensemble.chat.actions.storing import created, prepared, row
from ensemble.chat.models import Message, NotifyLevel, Room, RoomKind, RoomMember
from ensemble.chat.search import fts5_query, search_messages
from ensemble.core.events import publish_rows
from ensemble.core.models import StreamCursor, StreamEvent
from ensemble.core.tests.query_plans import Plan, plans, statements_of, the_statement

MEMBERS = RoomMember._meta.db_table
MESSAGES = Message._meta.db_table
EVENTS = StreamEvent._meta.db_table
BIG = {MEMBERS, MESSAGES, EVENTS}
DML = ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")
# The indexes meant to serve these statements, by their columns.
MEMBERSHIP = ("room_id", "user_id")  # room_member_unique: is this sender in the room?
WANTS_EVERY_MESSAGE = ("room_id", "notify")  # room_member_notify: is anyone notified of all?
RETRY = ("author_id", "txn_id")  # message_unique_txn: was this message stored already?

USERS, ROOMS, ROOMS_EACH, MESSAGES_COUNT = 400, 80, 12, 3000


class Site:
    """The filled tables: ``forum`` has every user, each user is in ROOMS_EACH other rooms."""

    def __init__(self, users: list[User], rooms: list[Room], forum: Room) -> None:
        self.users, self.rooms, self.forum = users, rooms, forum


@pytest.fixture
def site(db: Any, settings: Any) -> Site:
    # The statements are prepared on PostgreSQL (core/sql.py), out of Django's sight: here
    # they go through its cursor, to be seen. The statement is the same.
    settings.DATABASE_PREPARED_STATEMENTS = False
    users = User.objects.bulk_create(
        User(email=f"plans-{n}@example.fr", full_name=f"Personne {n}", password="!")
        for n in range(USERS)
    )
    rooms = Room.objects.bulk_create(
        Room(kind=RoomKind.PRIVATE, name=f"Salon {n}") for n in range(ROOMS)
    )
    forum = Room.objects.create(kind=RoomKind.FORUM, name="Forum")
    members = [RoomMember(room=forum, user=user) for user in users]
    for n, user in enumerate(users):
        for k in range(ROOMS_EACH):
            every = NotifyLevel.ALL if (n + k) % 40 == 0 else NotifyLevel.MENTIONS
            members.append(RoomMember(room=rooms[(n + 7 * k) % ROOMS], user=user, notify=every))
    RoomMember.objects.bulk_create(members)
    everywhere = [*rooms, forum]
    Message.objects.bulk_create(
        Message(
            room=everywhere[n % len(everywhere)],
            author=users[n % USERS],
            txn_id=f"t{n}",
            seq=n // len(everywhere) + 1,
            body=f"message {n} mot{n % 997}",
            html="",
        )
        for n in range(MESSAGES_COUNT)
    )
    StreamCursor.objects.bulk_create(
        StreamCursor(stream=room.stream, last_seq=MESSAGES_COUNT // len(everywhere) + 1)
        for room in everywhere
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MEMBERS}, {MESSAGES}, chat_room, core_streamcursor")
            # New rows wait in the full-text index's pending list until autovacuum moves
            # them into the index proper; a site's index is mostly the latter.
            cursor.execute("SELECT gin_clean_pending_list('chat_message_body_search')")
    return Site(users, rooms, forum)


def no_big_table_read_whole(plan: Plan) -> None:
    assert plan.read_whole(BIG) == [], plan


def test_finding_the_rooms_of_a_batch_of_sends_looks_members_up_by_index(site: Site) -> None:
    one, two = site.users[0], site.users[1]
    pairs = {(one.pk, site.forum.pk), (two.pk, site.forum.pk), (one.pk, site.rooms[0].pk)}
    statement = the_statement(lambda: storage.senders_rooms(pairs), "member.user_id")
    for plan in plans(*statement, prepared=True):
        no_big_table_read_whole(plan)
        assert WANTS_EVERY_MESSAGE in plan.indexes_of(MEMBERS), plan
        # The senders' memberships: by room and user, or by user (one index look-up each).
        assert plan.indexes_of(MEMBERS) - {WANTS_EVERY_MESSAGE}, plan


def test_the_plain_send_guard_looks_members_up_by_index(site: Site) -> None:
    guard = storage.plain_send_guard(site.forum.pk, {site.users[0].pk, site.users[1].pk})
    statement = the_statement(guard.holds, "member.user_id")
    for plan in plans(*statement):
        no_big_table_read_whole(plan)
        assert plan.indexes_of(MEMBERS) == {MEMBERSHIP, WANTS_EVERY_MESSAGE}, plan


def test_storing_a_batch_of_messages_under_their_numbers_looks_rows_up_by_index(
    site: Site,
) -> None:
    """PostgreSQL: one statement (prepared), which checks the guard, moves the stream's
    cursor, looks each message's txn_id up (a retry is not stored) and inserts. SQLite: the
    guard, the cursor's UPDATE, then INSERTs (their conflicts found by the unique indexes)."""
    author, room = site.users[0], site.forum
    messages = [
        prepared(Message(room=room, author=author, txn_id=f"new-{n}", body=f"bonjour {n}"))
        for n in range(3)
    ]
    guard = storage.plain_send_guard(room.pk, {author.pk})
    ran = statements_of(
        lambda: publish_rows(
            room.stream,
            Message,
            [row(message) for message in messages],
            [created(message, []) for message in messages],
            guard,
        )
    )
    assert Message.objects.filter(txn_id__startswith="new-").count() == 3  # it did store
    statements = [(sql, params) for sql, params in ran if sql.lstrip().upper().startswith(DML)]
    found: set[tuple[str, ...]] = set()
    for statement in statements:
        for plan in plans(*statement, prepared=True):  # on PostgreSQL (ignored on SQLite)
            no_big_table_read_whole(plan)
            found |= plan.indexes_of(MEMBERS) | plan.indexes_of(MESSAGES)
    assert {MEMBERSHIP, WANTS_EVERY_MESSAGE} <= found, statements
    if connection.vendor == "postgresql":
        assert RETRY in found


def test_searching_messages_uses_the_full_text_index(site: Site) -> None:
    if connection.vendor == "postgresql":
        rooms = Room.objects.readable_by(site.users[5])
        statement = the_statement(lambda: search_messages(rooms, "mot123"), "to_tsvector")
        (plan,) = plans(*statement)
        no_big_table_read_whole(plan)
        assert "chat_message_body_search" in {read.index for read in plan.reads}, plan
    else:
        match = fts5_query("mot123 message")
        (plan,) = plans(*the_statement(lambda: storage.fts5_matches(match), "MATCH"))
        (read,) = plan.reads
        # FTS5 answers a MATCH from its own index (":M…" in the plan: the MATCH it was given).
        assert read.table == "chat_message_fts" and ":M" in (read.index or ""), plan


def test_a_statement_without_an_index_to_use_is_caught(db: Any) -> None:
    """The check itself: no index serves a LIKE on the text, so the table is read whole."""
    statement = (f"SELECT id FROM {MESSAGES} WHERE body LIKE %s", ["%mot123%"])  # noqa: S608
    for plan in plans(*statement, prepared=True):
        assert plan.read_whole(BIG) == [MESSAGES], plan
