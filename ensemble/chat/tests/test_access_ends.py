"""Reading a room lasts only while access lasts: a banned or removed member stops receiving its
messages on a socket opened before, and no longer finds them by search or by id."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.chat.actions.members import remove_member
from ensemble.chat.actions.messages import delete_message, edit_message
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import Room, RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.events import events_after
from ensemble.core.tests.test_stream import connect, receive_until


async def follow(user: Any, room: Room) -> Any:
    socket = await connect(user)
    await socket.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    await receive_until(socket, "subscribed")
    return socket


async def next_message(socket: Any) -> dict[str, Any]:
    """The next message of the socket that is not a signal (presence, typing)."""
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] != "signal":
            return dict(message)


async def nothing_more(socket: Any) -> bool:
    """Whether nothing but signals comes within half a second."""
    while not await socket.receive_nothing(timeout=0.5):
        if (await socket.receive_json_from(timeout=5))["type"] != "signal":
            return False
    return True


def forum_with_moderator() -> tuple[Room, Any]:
    room = RoomFactory(kind=RoomKind.FORUM)
    moderator = RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user
    return room, moderator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ban", [True, False])
async def test_a_socket_stops_receiving_once_its_reader_is_removed(ban: bool) -> None:
    room = await database_sync_to_async(RoomFactory)(kind=RoomKind.PRIVATE)
    moderator = (await database_sync_to_async(RoomMemberFactory)(room=room, role="moderator")).user
    member = (await database_sync_to_async(RoomMemberFactory)(room=room)).user
    other = (await database_sync_to_async(RoomMemberFactory)(room=room)).user
    removed, stays = await follow(member, room), await follow(other, room)

    await database_sync_to_async(remove_member)(moderator, room, member, ban=ban)
    seen = await next_message(removed)
    assert seen["event"] == "chat.member.changed"  # told what happened to them, then cut off
    assert await next_message(removed) == {
        "type": "unsubscribed",
        "stream": room.stream,
        "reason": "forbidden",
    }
    assert (await next_message(stays))["event"] == "chat.member.changed"

    await database_sync_to_async(send_message)(moderator, room, "after", "not for you")
    assert (await next_message(stays))["event"] == "chat.message.created"
    assert await nothing_more(removed)
    await removed.disconnect()
    await stays.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_banned_reader_of_a_forum_is_cut_off_on_every_socket() -> None:
    room, moderator = await database_sync_to_async(forum_with_moderator)()
    member = (await database_sync_to_async(RoomMemberFactory)(room=room)).user
    sockets = [await follow(member, room), await follow(member, room)]

    await database_sync_to_async(remove_member)(moderator, room, member, ban=True)
    await database_sync_to_async(send_message)(moderator, room, "t", "new")
    for socket in sockets:
        messages = [await next_message(socket) for _ in range(2)]
        assert [m["type"] for m in messages] == ["event", "unsubscribed"]
        assert await nothing_more(socket)
        # and following it again is refused
        await socket.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
        assert (await next_message(socket))["code"] == "forbidden"
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_member_removed_from_a_forum_of_their_organisation_still_reads_it() -> None:
    """Checked again, access may remain: the forum is open to the whole organisation."""
    room, moderator = await database_sync_to_async(forum_with_moderator)()
    member = (
        await database_sync_to_async(RoomMemberFactory)(
            room=room, user__organisation=room.organisation
        )
    ).user
    socket = await follow(member, room)
    await socket.send_json_to({"action": "unsubscribe", "stream": room.stream})
    await database_sync_to_async(send_message)(moderator, room, "t1", "before")
    await database_sync_to_async(remove_member)(moderator, room, member)
    await socket.send_json_to({"action": "subscribe", "stream": room.stream, "after": 0})
    kinds = [m.get("event", m["type"]) for m in await receive_until(socket, "subscribed")]
    assert kinds == ["chat.message.created", "chat.member.changed", "subscribed"]
    await database_sync_to_async(send_message)(moderator, room, "t2", "after")
    assert (await next_message(socket))["event"] == "chat.message.created"
    await socket.disconnect()


@pytest.mark.django_db
def test_a_banned_member_no_longer_reads_a_forum_by_search_or_by_id(client_of: Any) -> None:
    room, moderator = forum_with_moderator()
    member = RoomMemberFactory(room=room, user__organisation=room.organisation).user
    client = client_of(member)
    remove_member(moderator, room, member, ban=True)
    sent, _created = send_message(moderator, room, "t1", "budget secret plans")
    assert client.get("/api/v1/chat/rooms/search/", {"q": "budget"}).json() == []
    assert client.get(f"/api/v1/chat/messages/{sent.pk}/").status_code == 404
    assert client.get(f"/api/v1/chat/rooms/{room.pk}/").status_code == 404
    assert client.get(f"/chat/{room.pk}/").status_code == 404
    # a colleague of the organisation who was never banned still reads the forum
    colleague = client_of(UserFactory(organisation=room.organisation))
    found = colleague.get("/api/v1/chat/rooms/search/", {"q": "budget"}).json()
    assert [m["id"] for m in found] == [str(sent.pk)]


@pytest.mark.django_db
def test_the_rooms_one_may_read_are_those_whose_abilities_say_so() -> None:
    """``Room.objects.readable_by`` (lists, search, single reads) and ``get_abilities`` (the
    stream, the page) give the same answer for every kind of room and of person."""
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    rooms = [
        RoomFactory(kind=kind, organisation=home)
        for kind in (RoomKind.FORUM, RoomKind.PRIVATE, RoomKind.EXTERNAL, RoomKind.DIRECT)
    ]
    rooms.append(RoomFactory(kind=RoomKind.FORUM, organisation=home, archived_at=timezone.now()))
    people = {
        "colleague": UserFactory(organisation=home),
        "member": UserFactory(organisation=home),
        "banned": UserFactory(organisation=home),
        "other organisation": UserFactory(organisation=elsewhere),
        "external": UserFactory(organisation=None, is_external=True),
        "external member": UserFactory(organisation=None, is_external=True),
    }
    for room in rooms:
        RoomMemberFactory(room=room, user=people["member"])
        RoomMemberFactory(room=room, user=people["banned"], banned=True)
        RoomMemberFactory(room=room, user=people["external member"])
    for name, person in people.items():
        readable = set(Room.objects.readable_by(person).values_list("pk", flat=True))
        for room in rooms:
            expected = Room.objects.get(pk=room.pk).get_abilities(person)["retrieve"]
            assert (room.pk in readable) == expected, (name, room.kind)
    assert set(Room.objects.readable_by(people["banned"])) == set()
    assert len(set(Room.objects.readable_by(people["colleague"]))) == 2  # the two forums
    assert Room.objects.readable_by(AnonymousUser()).count() == 0


@pytest.mark.django_db
def test_a_deleted_message_is_not_read_again_from_the_stream() -> None:
    room, moderator = forum_with_moderator()
    author = RoomMemberFactory(room=room).user
    sent, _created = send_message(author, room, "t1", "le code est **ouvre-toi**")
    edit_message(author, sent, "le code est **sésame**")
    delete_message(moderator, sent)
    said = [str(event["payload"]) for event in events_after(room.stream, 0) if "payload" in event]
    assert len(said) == 3  # created, edited, deleted: kept, without their text
    assert not any("ouvre-toi" in text or "sésame" in text for text in said)


@pytest.mark.django_db
def test_a_forum_one_is_banned_from_is_not_in_the_directory(client_of: Any) -> None:
    room, moderator = forum_with_moderator()
    member = RoomMemberFactory(room=room, user__organisation=room.organisation).user
    client = client_of(member)
    listed = client.get("/api/v1/chat/rooms/directory/").json()["results"]
    assert [r["id"] for r in listed] == [str(room.pk)]
    remove_member(moderator, room, member, ban=True)
    assert client.get("/api/v1/chat/rooms/directory/").json()["results"] == []
