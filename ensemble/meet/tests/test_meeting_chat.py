"""The meeting's chat is a room of the Chat app: the people admitted are its members with their
meeting role (and keep it afterwards in Chat), guests write in it under their name, and nobody
else reads it, by Meet's API, Chat's API or the socket."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Message, Room, RoomKind
from ensemble.core.tests.test_stream import connect, receive_until
from ensemble.meet import actions, chat
from ensemble.meet.models import Meeting
from ensemble.meet.tests.test_room_api import API, JSON, public_meeting

CHAT = "/api/v1/chat/rooms/"


def said(body: str, txn: str) -> dict[str, str]:
    return {"body": body, "txn_id": txn}


@pytest.mark.django_db
def test_guests_and_members_write_in_one_chat_room(janus: Any, client_of: Any) -> None:
    code, host, guest, _me = public_meeting(client_of)
    first = guest.post(f"{API}{code}/messages/", said("Bonjour **à tous**", "g1"), JSON)
    assert first.status_code == 201
    assert first.json()["author_name"] == "Élise" and first.json()["guest"] is True
    assert first.json()["author"] is None
    assert "<strong>à tous</strong>" in first.json()["html"]
    again = guest.post(f"{API}{code}/messages/", said("Bonjour **à tous**", "g1"), JSON)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    reply = host.post(f"{API}{code}/messages/", said("Bienvenue", "g1"), JSON)  # its own txn
    assert reply.status_code == 201 and reply.json()["guest"] is False

    chat = guest.get(f"{API}{code}/messages/").json()
    meeting = Meeting.objects.get(code=code)
    assert (
        chat["room"] == str(meeting.chat_room_id) and chat["stream"] == f"chat.room:{chat['room']}"
    )
    assert [m["body"] for m in chat["messages"]] == ["Bonjour **à tous**", "Bienvenue"]
    assert chat["seq"] == chat["messages"][-1]["seq"]
    assert Message.objects.filter(room_id=chat["room"]).count() == 2

    # The same room in Chat, for the host: named after the meeting, its link as topic.
    room = host.get(f"{CHAT}{chat['room']}/").json()
    assert (room["kind"], room["name"], room["role"]) == ("meeting", "Conseil", "admin")
    assert room["topic"] == meeting.link
    history = host.get(f"{CHAT}{chat['room']}/messages/").json()
    assert {m["author_name"] for m in history} == {"Élise", str(meeting.organiser)}
    # Guests without a socket follow it by asking.
    events = guest.get(f"{API}{code}/events/?stream=chat&after=0").json()["events"]
    created = [e["payload"]["body"] for e in events if e["event"] == "chat.message.created"]
    assert created == ["Bonjour **à tous**", "Bienvenue"]


@pytest.mark.django_db
def test_what_a_meeting_chat_refuses(janus: Any, client_of: Any, settings: Any) -> None:
    code, _host, guest, _me = public_meeting(client_of)
    url = f"{API}{code}/messages/"
    for body, status in (
        (said("   ", "a"), 400),
        (said("x" * (64 * 1024 + 1), "b"), 413),
        ({"body": "no id"}, 400),
        (said("bad id", "not an id!"), 400),
    ):
        answer = guest.post(url, body, JSON)
        assert answer.status_code == status, body
    assert "too long" in guest.post(url, said("x" * 70_000, "c"), JSON).json()["detail"]
    assert guest.get(f"{API}{code}/events/?stream=other").status_code == 400
    outsider = client_of(UserFactory())
    assert outsider.post(f"{API}{code}/messages/", said("Hé", "o"), JSON).status_code == 404
    assert outsider.get(f"{API}{code}/messages/").status_code == 404
    assert Client().get(f"{API}{code}/messages/").status_code == 404

    settings.CHAT_FLOOD_MESSAGES = 2
    statuses = [guest.post(url, said("vite", f"f{n}"), JSON).status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    answer = guest.post(url, said("vite", "f9"), JSON)
    assert "too fast" in answer.json()["detail"]


@pytest.mark.django_db
def test_members_follow_the_people_admitted(janus: Any, client_of: Any) -> None:
    host_user, colleague_user, later_user = UserFactory(), UserFactory(), UserFactory()
    host, colleague, later = client_of(host_user), client_of(colleague_user), client_of(later_user)
    code = host.post(API, {"title": "Comité", "lobby": True}, JSON).json()["code"]
    host.post(f"{API}{code}/join/", {}, JSON)
    meeting = Meeting.objects.get(code=code)
    room_id = host.get(f"{API}{code}/messages/").json()["room"]

    waiting = colleague.post(f"{API}{code}/join/", {}, JSON).json()
    assert waiting["state"] == "waiting"
    assert colleague.get(f"{CHAT}{room_id}/messages/").status_code == 404  # not yet in
    host.post(f"{API}{code}/participants/{waiting['id']}/admit/", {}, JSON)
    assert colleague.get(f"{CHAT}{room_id}/").json()["role"] == "member"
    host.post(f"{API}{code}/participants/{waiting['id']}/role/", {"role": "moderator"}, JSON)
    assert colleague.get(f"{CHAT}{room_id}/").json()["role"] == "moderator"
    assert (
        colleague.post(f"{CHAT}{room_id}/messages/", said("Par Chat", "c1"), JSON).status_code
        == 201
    )

    # Those who leave keep the conversation; those removed lose it.
    colleague.post(f"{API}{code}/leave/", {}, JSON)
    assert colleague.get(f"{CHAT}{room_id}/messages/").status_code == 200
    joined = later.post(f"{API}{code}/join/", {}, JSON).json()
    host.post(f"{API}{code}/participants/{joined['id']}/admit/", {}, JSON)
    assert later.get(f"{CHAT}{room_id}/messages/").status_code == 200
    host.post(f"{API}{code}/participants/{joined['id']}/remove/", {}, JSON)
    assert later.get(f"{CHAT}{room_id}/messages/").status_code == 404
    assert later.post(f"{CHAT}{room_id}/messages/", said("encore", "l1"), JSON).status_code == 404

    # Nobody is added to a meeting's chat but by Meet, and nobody creates one by hand.
    room = Room.objects.get(pk=room_id)
    assert room.kind == RoomKind.MEETING and meeting.chat_room_id == room.pk
    answer = host.post(f"{CHAT}{room_id}/members/add/", {"user": str(UserFactory().pk)}, JSON)
    assert answer.status_code == 403
    answer = host.post(CHAT, {"kind": "meeting", "name": "À la main"}, JSON)
    assert answer.status_code == 400


@pytest.mark.django_db
def test_one_room_even_when_asked_for_twice(janus: Any, client_of: Any) -> None:
    code, _host, _guest, _me = public_meeting(client_of)
    meeting = Meeting.objects.get(code=code)
    first = chat.room_of(meeting)
    stale = Meeting.objects.get(code=code)
    stale.chat_room_id = None  # as another process that read the meeting before
    assert chat.room_of(stale) == first
    assert Room.objects.filter(kind=RoomKind.MEETING).count() == 1


@pytest.mark.django_db(transaction=True)
async def test_a_guests_message_reaches_members_on_the_socket(janus: Any) -> None:
    host, outsider = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    meeting = await database_sync_to_async(actions.create_meeting)(
        host, "Ouvert", access="public", lobby=False
    )
    await database_sync_to_async(actions.join)(meeting, host)
    guest = await database_sync_to_async(actions.join)(meeting, None, "Élise")

    stream = (await database_sync_to_async(chat.history)(guest))["room"].stream
    socket = await connect(host)
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(chat.send)(guest, "t1", "Je suis là")
    event = (await receive_until(socket, "event"))[-1]
    assert event["event"] == "chat.message.created"
    assert (event["payload"]["author_name"], event["payload"]["guest"]) == ("Élise", True)
    await socket.disconnect()

    intruder = await connect(outsider)
    await intruder.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    assert (await intruder.receive_json_from(timeout=5))["code"] == "forbidden"
    await intruder.disconnect()


@pytest.mark.django_db
def test_someone_banned_from_the_meeting_chat_no_longer_reads_it_through_meet(
    janus: Any, client_of: Any
) -> None:
    host_user, colleague_user = UserFactory(), UserFactory()
    host, colleague = client_of(host_user), client_of(colleague_user)
    code = host.post(API, {"title": "Comité", "lobby": True}, JSON).json()["code"]
    host.post(f"{API}{code}/join/", {}, JSON)
    room_id = host.get(f"{API}{code}/messages/").json()["room"]
    waiting = colleague.post(f"{API}{code}/join/", {}, JSON).json()
    host.post(f"{API}{code}/participants/{waiting['id']}/admit/", {}, JSON)
    assert colleague.get(f"{API}{code}/messages/").status_code == 200
    banned = host.post(f"{CHAT}{room_id}/members/ban/", {"user": str(colleague_user.pk)}, JSON)
    assert banned.status_code == 200, banned.content
    host.post(f"{API}{code}/messages/", said("Après le bannissement", "h1"), JSON)
    assert colleague.get(f"{API}{code}/messages/").status_code == 403
    assert colleague.get(f"{API}{code}/events/?stream=chat&after=0").status_code == 403
    refused = colleague.post(f"{API}{code}/messages/", said("encore", "c1"), JSON)
    assert refused.status_code == 403
