"""A resent txn_id is answered (200) and stores nothing: it takes no place in the room's
stream either, so that readers never wait for a number that will not come. Every path of
the sending plan: REST, the socket (the event loop's executor on PostgreSQL, then the
database thread's), a batch with the same txn_id twice, a guest of a meeting."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from ensemble.chat.actions import sending
from ensemble.chat.models import Message, Room, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.chat.tests.test_socket_send import call
from ensemble.core.events import current_seq, events_after
from ensemble.core.tests.test_stream import connect


def contiguous(room: Room) -> None:
    """The room's messages and the stream's events hold every number from 1 to its last."""
    last = current_seq(room.stream)
    messages = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    events = [event["seq"] for event in events_after(room.stream, 0)]
    assert messages == list(range(1, last + 1))
    assert events == list(range(1, last + 1))


@pytest.mark.django_db
def test_retries_through_the_api_take_no_number(client_of: Any) -> None:
    member = RoomMemberFactory()
    other = RoomMemberFactory(room=member.room)
    client = client_of(member.user)
    url = f"/api/v1/chat/rooms/{member.room.pk}/messages/"

    def send(txn: str, body: str, mentions: list[str] | None = None) -> int:
        data = {"txn_id": txn, "body": body, "mentions": mentions or []}
        return client.post(url, data, content_type="application/json").status_code

    assert send("t1", "premier") == 201
    assert [send("t1", "premier") for _ in range(3)] == [200, 200, 200]
    assert send("t2", "deuxième") == 201
    mention = [str(other.user.pk)]  # stored with its mention, on its own
    assert send("t3", f"bonjour @{other.user}", mention) == 201
    assert [send("t3", f"bonjour @{other.user}", mention) for _ in range(2)] == [200, 200]
    assert send("t4", "quatrième") == 201
    assert current_seq(member.room.stream) == 4
    contiguous(member.room)


@pytest.mark.django_db
def test_a_batch_with_a_txn_id_twice_stores_it_once_and_numbers_the_rest_in_a_row() -> None:
    member = RoomMemberFactory()
    room, user = member.room, member.user
    sending.send_message(user, room, "b0", "premier")
    drafts = [
        sending.Draft(room, txn, body, user)
        for txn, body in [("b0", "premier"), ("b1", "un"), ("b1", "un"), ("b2", "deux")]
    ]
    outcomes = sending.send(drafts)
    assert [outcome[1] for outcome in outcomes] == [False, True, False, True]  # type: ignore[index]
    assert current_seq(room.stream) == 3
    contiguous(room)


@pytest.mark.django_db
def test_a_guests_retries_take_no_number() -> None:
    room = RoomFactory(kind=RoomKind.MEETING)
    guest = RoomFactory().pk  # any id
    assert sending.send_as_guest(room, guest, "Invitée", "g1", "bonjour")[1] is True
    for _ in range(3):
        assert sending.send_as_guest(room, guest, "Invitée", "g1", "bonjour")[1] is False
    assert sending.send_as_guest(room, guest, "Invitée", "g2", "encore")[1] is True
    assert current_seq(room.stream) == 2
    contiguous(room)


@pytest.mark.django_db(transaction=True)
async def test_retries_on_the_socket_take_no_number() -> None:
    """On PostgreSQL plain messages go by the event loop's statement first, then (a retry)
    by the database thread's: neither takes a number for a retry."""
    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    socket = await connect(member.user)
    for txn, times in [("s1", 4), ("s2", 1), ("s3", 3), ("s4", 1)]:
        payload = {"room": str(room.pk), "txn_id": txn, "body": f"message {txn}"}
        answers = [(await call(socket, payload))["status"] for _ in range(times)]
        assert answers == [201] + [200] * (times - 1)
    await socket.disconnect()
    assert await database_sync_to_async(current_seq)(room.stream) == 4
    await database_sync_to_async(contiguous)(room)
