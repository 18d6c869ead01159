"""Sending on the WebSocket: the same action, guarantees and refusals as the REST API."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Message, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.tests.test_stream import connect, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def call(socket: WebsocketCommunicator, payload: Any, command: str = "chat.send") -> Any:
    await socket.send_json_to(
        {"action": "call", "id": "c1", "command": command, "payload": payload}
    )
    while True:
        answer = await socket.receive_json_from(timeout=5)
        if answer["type"] == "result":
            assert answer["id"] == "c1"
            return answer


async def test_a_member_sends_once_and_the_room_receives_it() -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    reader = await database_sync_to_async(RoomMemberFactory)(room=room)
    watching = await connect(reader.user)
    await watching.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    await receive_until(watching, "subscribed")
    socket = await connect(member.user)
    payload = {"room": str(room.pk), "txn_id": "w1", "body": "par la *socket*"}
    first = await call(socket, payload)
    assert first["status"] == 201 and first["data"]["html"] == "<p>par la <em>socket</em></p>\n"
    again = await call(socket, payload)
    assert again["status"] == 200 and again["data"]["id"] == first["data"]["id"]
    assert await database_sync_to_async(Message.objects.count)() == 1
    event = await receive_until(watching, "event")
    assert event[-1]["payload"]["id"] == first["data"]["id"]
    await socket.disconnect()
    await watching.disconnect()


async def test_refusals_carry_the_status_the_api_would_give() -> None:
    forum = await database_sync_to_async(RoomFactory)(kind=RoomKind.FORUM)
    reader = await database_sync_to_async(UserFactory)(organisation=forum.organisation)
    private = await database_sync_to_async(RoomMemberFactory)()
    member = await database_sync_to_async(RoomMemberFactory)(room=forum)
    socket = await connect(reader)
    assert (await call(socket, {"room": str(forum.pk), "txn_id": "a", "body": "x"}))[
        "status"
    ] == 403
    hidden = {"room": str(private.room.pk), "txn_id": "b", "body": "x"}
    assert (await call(socket, hidden))["status"] == 404
    assert (await call(socket, {"room": "nope", "txn_id": "c", "body": "x"}))["status"] == 400
    assert (await call(socket, {"room": str(forum.pk), "body": "x"}))["status"] == 400
    assert (await call(socket, {}, command="chat.nothing"))["status"] == 400
    await socket.send_json_to({"action": "call", "command": "chat.send", "payload": {}})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_message"
    await socket.disconnect()
    banned = await database_sync_to_async(RoomMemberFactory)(room=private.room, banned=True)
    outcast = await connect(banned.user)
    assert (await call(outcast, {**hidden, "txn_id": "e"}))["status"] == 404
    await outcast.disconnect()
    writer = await connect(member.user)
    long = {"room": str(forum.pk), "txn_id": "d", "body": "x" * 70000}
    assert (await call(writer, long))["status"] == 413
    await writer.disconnect()


async def test_sends_arriving_together_are_stored_together_each_with_its_own_answer() -> None:
    """Calls that arrive while a send is in the database thread run as one batch (one
    commit); a refused one in the batch does not undo the others."""
    first = await database_sync_to_async(RoomMemberFactory)()
    room = first.room
    members = [first] + [
        await database_sync_to_async(RoomMemberFactory)(room=room) for _ in range(5)
    ]
    sockets = [await connect(member.user) for member in members]
    retrying = await connect(first.user)  # the first sender's retry, on another connection
    bodies = [f"message {n}" for n in range(6)]
    bodies[3] = "x" * (64 * 1024 + 1)  # too long: refused alone
    answers = await asyncio.gather(
        *(
            call(socket, {"room": str(room.pk), "txn_id": f"t{n}", "body": body})
            for n, (socket, body) in enumerate(zip(sockets, bodies, strict=True))
        ),
        call(retrying, {"room": str(room.pk), "txn_id": "t0", "body": bodies[0]}),
    )
    retry = answers.pop()
    assert [answer["status"] for answer in answers[1:]] == [201, 201, 413, 201, 201]
    assert {answers[0]["status"], retry["status"]} == {201, 200}  # stored once
    assert retry["data"]["id"] == answers[0]["data"]["id"]
    stored = await database_sync_to_async(
        lambda: list(Message.objects.filter(room=room).values_list("body", "seq"))
    )()
    assert sorted(body for body, _seq in stored) == sorted(bodies[:3] + bodies[4:])
    assert len({seq for _body, seq in stored}) == 5  # each its own place in the stream
    for answer in answers[:3] + answers[4:]:
        assert (answer["data"]["body"], answer["data"]["seq"]) in stored
    for socket in [*sockets, retrying]:
        await socket.disconnect()


async def test_who_wants_every_message_is_notified_of_socket_sends_and_no_one_else() -> None:
    from ensemble.chat.models import NotifyLevel
    from ensemble.portal.models import Notification

    writer = await database_sync_to_async(RoomMemberFactory)()
    room = writer.room
    quiet = await database_sync_to_async(RoomMemberFactory)(room=room)
    socket = await connect(writer.user)
    payload = {"room": str(room.pk), "txn_id": "n1", "body": "rien de spécial"}
    assert (await call(socket, payload))["status"] == 201
    count = database_sync_to_async(Notification.objects.count)
    assert await count() == 0  # nobody asked for every message
    everything = await database_sync_to_async(RoomMemberFactory)(room=room, notify=NotifyLevel.ALL)
    assert (await call(socket, {**payload, "txn_id": "n2"}))["status"] == 201
    recipients = await database_sync_to_async(
        lambda: list(Notification.objects.values_list("recipient_id", flat=True))
    )()
    assert recipients == [everything.user.pk] and quiet.user.pk not in recipients
    await socket.disconnect()


@pytest.mark.django_db
def test_sends_handled_together_keep_their_order_and_their_own_outcomes() -> None:
    """What the socket's batch runs: the usual messages of a room stored in one write, a
    message with a mention on its own, in the order they came; a retry answered with the
    message it repeats; a refusal refusing only its own call."""
    from ensemble.chat.api.socket import send_together
    from ensemble.core.events import events_after

    first = RoomMemberFactory()
    room = first.room
    second = RoomMemberFactory(room=room)
    other = RoomMemberFactory()  # another room, same batch
    outsider = UserFactory()

    def payload(txn: str, body: str, where: Any = room, **more: Any) -> dict[str, Any]:
        return {"room": str(where.pk), "txn_id": txn, "body": body, **more}

    answers = send_together(
        [
            (first.user, payload("a", "one")),
            (second.user, payload("b", "two for you", mentions=[str(first.user.pk)])),
            (first.user, payload("c", "three")),
            (other.user, payload("d", "elsewhere", other.room)),
            (first.user, payload("a", "one")),  # a retry of the first, in the same batch
            (outsider, payload("e", "intruding")),
            (second.user, payload("f", "")),
            (second.user, payload("g", "four")),
        ]
    )
    assert [status for status, _data in answers] == [201, 201, 201, 201, 200, 404, 400, 201]
    assert answers[4][1]["id"] == answers[0][1]["id"]
    created = [e for e in events_after(room.stream, 0) if e["event"] == "chat.message.created"]
    assert [e["payload"]["body"] for e in created] == [
        "one",
        "two for you",
        "three",
        "four",
    ]
    for event in created:
        assert event["payload"]["seq"] == event["seq"]
        stored = Message.objects.get(pk=event["payload"]["id"])
        assert (stored.seq, stored.body) == (event["seq"], event["payload"]["body"])
    assert [data["seq"] for _status, data in answers[:3]] == [e["seq"] for e in created[:3]]
    assert list(Message.objects.get(body__startswith="two").mentions.all()) == [first.user]
    assert events_after(other.room.stream, 0)[-1]["payload"]["body"] == "elsewhere"


@pytest.mark.django_db
def test_a_plain_message_is_stored_by_one_guarded_write_without_reading_its_room(
    settings: Any,
) -> None:
    """Text alone goes without the room being read first: on PostgreSQL the whole send is
    one statement, which itself checks that the sender may write there."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ensemble.chat.api.socket import send_together

    settings.DATABASE_PREPARED_STATEMENTS = False  # prepared ones are not captured
    member = RoomMemberFactory()
    send_together([(member.user, {"room": str(member.room.pk), "txn_id": "p0", "body": "1st"})])
    payload = {"room": str(member.room.pk), "txn_id": "p1", "body": "bonjour"}
    with CaptureQueriesContext(connection) as queries:
        [(status, data)] = send_together([(member.user, payload)])
    assert status == 201 and Message.objects.get(pk=data["id"]).body == "bonjour"
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    if connection.vendor == "postgresql":
        assert len(queries.captured_queries) == 1
    assert "chat_room" in tables  # the guard reads it, in the write's statement or transaction


@pytest.mark.django_db
def test_when_the_guard_of_a_plain_write_fails_the_usual_way_answers_and_counts_once(
    settings: Any,
) -> None:
    """A banned member, an archived room, a batch with an outsider in the room, a member who
    wants every message: nothing is stored by the quick write, and the usual way gives each
    its answer; flood control counts each message once (here at most one each)."""
    from unittest import mock

    from django.core.cache import cache
    from django.utils import timezone

    from ensemble.chat.api.socket import send_together
    from ensemble.chat.models import NotifyLevel
    from ensemble.portal.models import Notification

    cache.clear()
    settings.CHAT_FLOOD_MESSAGES = 1
    member = RoomMemberFactory()
    room = member.room
    banned = RoomMemberFactory(room=room, banned=True)
    outsider = UserFactory()
    archived = RoomMemberFactory(room=RoomFactory(archived_at=timezone.now()))
    listening = RoomMemberFactory(room=RoomFactory(), notify=NotifyLevel.ALL)
    writer = RoomMemberFactory(room=listening.room)

    def payload(txn: str, where: Any = room) -> dict[str, Any]:
        return {"room": str(where.pk), "txn_id": txn, "body": "texte seul"}

    with mock.patch("ensemble.chat.actions.sending.time", mock.Mock(time=lambda: 3600.0 * 1000)):
        answers = send_together(
            [
                (member.user, payload("a")),  # with an outsider in the same room's write
                (outsider, payload("b")),
                (banned.user, payload("c")),
                (archived.user, payload("d", archived.room)),
                (writer.user, payload("e", listening.room)),  # counted once: not 429
            ]
        )
    assert [status for status, _data in answers] == [201, 404, 404, 403, 201]
    assert set(Message.objects.values_list("txn_id", flat=True)) == {"a", "e"}
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [listening.user.pk]


async def test_on_postgresql_plain_messages_are_stored_from_the_event_loop(settings: Any) -> None:
    """No trip to the database thread for text alone (core/loopdb.py); what the loop leaves
    (a retry, a mention, beyond the flood limit, a banned sender, no connection) is answered
    the usual way, and flood control counts each message once."""
    from unittest import mock

    import psycopg
    from django.core.cache import cache
    from django.db import connection

    from ensemble.chat.actions import sending
    from ensemble.core.realtime import BATCHES

    if connection.vendor != "postgresql":
        pytest.skip("the event loop's own connection is PostgreSQL's")
    await database_sync_to_async(cache.clear)()
    settings.CHAT_FLOOD_MESSAGES = 4
    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    banned = await database_sync_to_async(RoomMemberFactory)(room=room, banned=True)
    batch = BATCHES["chat.send"]
    usual_way = mock.Mock(wraps=batch.together)
    frozen = mock.Mock(time=lambda: 3600.0 * 1000)  # one window of flood control
    with (
        mock.patch.object(batch, "together", usual_way),
        mock.patch.object(sending, "time", frozen),
    ):
        socket = await connect(member.user)
        # the room's first message starts its stream, the usual way
        await call(socket, {"room": str(room.pk), "txn_id": "l0", "body": "premier"})
        usual_way.reset_mock()
        first = await call(
            socket, {"room": str(room.pk), "txn_id": "l1", "body": "depuis la boucle"}
        )
        assert first["status"] == 201 and not usual_way.called
        again = await call(
            socket, {"room": str(room.pk), "txn_id": "l1", "body": "depuis la boucle"}
        )
        assert again["status"] == 200 and again["data"]["id"] == first["data"]["id"]
        assert usual_way.call_count == 1  # the retry
        down = psycopg.OperationalError("the connection was lost")
        with mock.patch.object(psycopg.AsyncConnection, "cursor", side_effect=down):
            alone = await call(socket, {"room": str(room.pk), "txn_id": "l2", "body": "sans elle"})
        assert alone["status"] == 201 and usual_way.call_count == 2
        too_many = await call(socket, {"room": str(room.pk), "txn_id": "l3", "body": "de trop"})
        assert too_many["status"] == 429  # four counted: l0, l1, its retry, l2
        await socket.disconnect()
        outcast = await connect(banned.user)
        refused = await call(outcast, {"room": str(room.pk), "txn_id": "b1", "body": "non"})
        assert refused["status"] == 404
        await outcast.disconnect()
        keys = sending.flood_keys([member.user.pk, banned.user.pk])
    counts = await database_sync_to_async(lambda: [cache.get(key) for key in keys])()
    assert counts == [5, 1]  # each message once, whichever way it went
    stored = database_sync_to_async(
        lambda: sorted(Message.objects.values_list("txn_id", flat=True))
    )
    assert await stored() == ["l0", "l1", "l2"]


async def test_when_the_event_loop_cannot_store_a_message_the_database_thread_does() -> None:
    """Redis unavailable to the event loop's flood control: the call still gets its answer,
    from the usual way (here stored, the database thread's Redis being up)."""
    from unittest import mock

    from redis.exceptions import ConnectionError as RedisDown

    from ensemble.chat.actions import sending

    member = await database_sync_to_async(RoomMemberFactory)()
    room = member.room
    socket = await connect(member.user)
    await call(socket, {"room": str(room.pk), "txn_id": "r0", "body": "premier"})
    with mock.patch.object(sending, "add_ones_in_loop", side_effect=RedisDown("down")):
        sent = await call(socket, {"room": str(room.pk), "txn_id": "r1", "body": "quand même"})
    assert sent["status"] == 201 and sent["data"]["body"] == "quand même"
    stored = database_sync_to_async(
        lambda: sorted(Message.objects.values_list("txn_id", flat=True))
    )
    assert await stored() == ["r0", "r1"]
    await socket.disconnect()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("a\\u0000b", "The text contains a NUL character (\\u0000), which cannot be stored."),
        (
            "a\\udfffb",
            "The text contains an unpaired surrogate (\\ud800 to \\udfff), "
            "which is not a character and cannot be stored.",
        ),
    ],
)
async def test_a_text_no_database_can_store_is_refused_as_on_rest(body: str, reason: str) -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    socket = await connect(member.user)
    frame = (
        '{"action": "call", "id": "c1", "command": "chat.send", "payload": '
        f'{{"room": "{member.room.pk}", "txn_id": "n1", "body": "{body}"}}}}'
    )
    await socket.send_to(text_data=frame)
    answer = await socket.receive_json_from(timeout=5)
    assert answer == {"type": "error", "code": "bad_message", "message": reason}
    assert await database_sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()
