"""Editing (history kept) and deleting (content removed, trace kept) messages."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def apply(state: list[dict[str, Any]], event: dict[str, Any]) -> None:
    """What a chat client does with each event of the room."""
    payload = event["payload"]
    if event["event"] == "chat.message.created":
        state.append(payload)
        return
    for message in state:
        if message["id"] == payload["id"]:
            if event["event"] == "chat.message.edited":
                message.update(body=payload["body"], html=payload["html"], edited=True)
            else:
                message.update(body="", html="", deleted=True, pinned=False, reactions={})


def verify(client: Any, room: Any, act: Any) -> None:
    url = f"/api/v1/chat/rooms/{room.pk}/messages/"
    first = client.get(url)
    state, seq = first.json(), int(first["X-Stream-Seq"])
    act()
    for event in events_after(room.stream, seq):
        apply(state, event)
    assert state == client.get(url).json()


def test_edit_keeps_history_and_delete_keeps_a_trace(client_of: Any) -> None:
    author = RoomMemberFactory()
    room = author.room
    client = client_of(author.user)
    message, _created = send_message(author.user, room, "t", "first text")
    url = f"/api/v1/chat/messages/{message.pk}/"
    verify(
        client,
        room,
        lambda: client.patch(url, {"body": "second *text*"}, content_type="application/json"),
    )
    history = client.get(f"{url}history/").json()
    assert [h["body"] for h in history] == ["first text"]
    verify(client, room, lambda: client.delete(url))
    gone = client.get(url).json()
    assert gone["deleted"] is True and gone["body"] == "" and gone["html"] == ""
    assert client.get(f"{url}history/").json() == []


def test_who_may_edit_and_delete(client_of: Any) -> None:
    author = RoomMemberFactory()
    room = author.room
    message, _created = send_message(author.user, room, "t", "text")
    url = f"/api/v1/chat/messages/{message.pk}/"
    other = client_of(RoomMemberFactory(room=room).user)
    assert other.patch(url, {"body": "x"}, content_type="application/json").status_code == 403
    assert other.delete(url).status_code == 403
    outsider = client_of(RoomMemberFactory().user)
    assert outsider.get(url).status_code == 404
    moderator = client_of(RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user)
    assert moderator.patch(url, {"body": "x"}, content_type="application/json").status_code == 403
    assert moderator.delete(url).status_code == 204
    assert AuditEntry.objects.filter(action="chat.message_deleted_by_moderator").exists()
    author_client = client_of(author.user)
    refused = author_client.patch(url, {"body": "back"}, content_type="application/json")
    assert refused.status_code == 403  # deleted: no edit


def test_bad_edits_are_clear(client_of: Any) -> None:
    author = RoomMemberFactory()
    message, _created = send_message(author.user, author.room, "t", "text")
    client = client_of(author.user)
    url = f"/api/v1/chat/messages/{message.pk}/"
    assert client.patch(url, {"body": " "}, content_type="application/json").status_code == 400
    too_long = client.patch(url, {"body": "x" * 70000}, content_type="application/json")
    assert too_long.status_code == 413
    assert client.patch(url, {}, content_type="application/json").status_code == 400
    assert client.put(url, {"body": "x"}, content_type="application/json").status_code == 405
