"""Reactions, pinned messages and threads."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.events import events_after

pytestmark = pytest.mark.django_db


def test_reactions_toggle_once_and_are_published(client_of: Any) -> None:
    author = RoomMemberFactory()
    reader = RoomMemberFactory(room=author.room)
    message, _created = send_message(author.user, author.room, "t", "bravo")
    client = client_of(reader.user)
    url = f"/api/v1/chat/messages/{message.pk}/reactions/"
    for _ in range(2):  # twice: one reaction
        body = client.post(url, {"emoji": "👍"}, content_type="application/json").json()
    assert body["reactions"] == {"👍": [str(reader.user.pk)]}
    off = client.post(url, {"emoji": "👍", "on": False}, content_type="application/json").json()
    assert off["reactions"] == {}
    changes = [
        e["payload"]["on"]
        for e in events_after(author.room.stream, 0)
        if e["event"] == "chat.reaction.changed"
    ]
    assert changes == [True, False]
    for bad in ("", "thumbs", "👍 👍", "a" * 40):
        assert client.post(url, {"emoji": bad}, content_type="application/json").status_code in (
            400,
            403,
        )
    outsider = client_of(RoomMemberFactory().user)
    assert outsider.post(url, {"emoji": "👍"}, content_type="application/json").status_code == 404


def test_moderators_pin_and_everyone_sees_the_pins(client_of: Any) -> None:
    author = RoomMemberFactory()
    room = author.room
    message, _created = send_message(author.user, room, "t", "read this")
    url = f"/api/v1/chat/messages/{message.pk}/pin/"
    member = client_of(author.user)
    assert member.post(url, {"pinned": True}, content_type="application/json").status_code == 403
    moderator = client_of(RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user)
    assert moderator.post(url, {"pinned": True}, content_type="application/json").json()["pinned"]
    pins = member.get(f"/api/v1/chat/rooms/{room.pk}/pins/").json()
    assert [p["id"] for p in pins] == [str(message.pk)]
    moderator.post(url, {"pinned": False}, content_type="application/json")
    assert member.get(f"/api/v1/chat/rooms/{room.pk}/pins/").json() == []


def test_replies_form_a_thread(client_of: Any) -> None:
    author = RoomMemberFactory()
    room = author.room
    root, _created = send_message(author.user, room, "r", "question?")
    for number in range(3):
        send_message(author.user, room, f"a{number}", f"answer {number}", reply_to=root.pk)
    send_message(author.user, room, "other", "unrelated")
    thread = client_of(author.user).get(f"/api/v1/chat/messages/{root.pk}/thread/").json()
    assert [m["body"] for m in thread] == ["answer 0", "answer 1", "answer 2"]
    assert all(m["reply_to"] == str(root.pk) for m in thread)
