"""Sending messages: stored before acknowledged, idempotent, in room order, for members only."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Message, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.events import EVENT_TYPES, events_after

pytestmark = pytest.mark.django_db


def send(client: Client, room: Any, txn: str, body: str, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/chat/rooms/{room.pk}/messages/",
        {"txn_id": txn, "body": body, **extra},
        content_type="application/json",
    )


def test_a_member_sends_and_a_retry_makes_no_duplicate(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    first = send(client, member.room, "t1", "Bonjour **tout le monde**")
    assert first.status_code == 201
    assert first.json()["html"] == "<p>Bonjour <strong>tout le monde</strong></p>\n"
    again = send(client, member.room, "t1", "Bonjour **tout le monde**")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1
    later = send(client, member.room, "t2", "Et encore")
    assert later.status_code == 201 and later.json()["seq"] > first.json()["seq"]
    published = [event["payload"]["id"] for event in events_after(member.room.stream, 0)]
    assert published == [first.json()["id"], later.json()["id"]]  # the retry published nothing


def test_messages_are_published_in_room_order_with_their_seq(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    for number in range(3):
        send(client, member.room, f"t{number}", f"message {number}")
    events = events_after(member.room.stream, 0)
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["payload"]["body"] for e in events] == ["message 0", "message 1", "message 2"]
    for event in events:
        EVENT_TYPES[event["event"]].model_validate(event["payload"])
        assert event["payload"]["seq"] == event["seq"]


def test_initial_state_plus_events_equals_a_fresh_fetch(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    url = f"/api/v1/chat/rooms/{member.room.pk}/messages/"
    send(client, member.room, "a", "avant")
    first = client.get(url)
    state, seq = first.json(), int(first["X-Stream-Seq"])
    send(client, member.room, "b", "après")
    for event in events_after(member.room.stream, seq):
        state.append(event["payload"])
    assert state == client.get(url).json()


def test_injection_attempts_are_inert(client_of: Any) -> None:
    member = RoomMemberFactory()
    body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    html = send(client_of(member.user), member.room, "x", body).json()["html"]
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ("", 400, "cannot be empty"),
        ("   ", 400, "cannot be empty"),
        ("x" * (64 * 1024 + 1), 413, "too long"),
    ],
)
def test_bad_messages_are_refused_clearly(
    client_of: Any, body: str, status: int, text: str
) -> None:
    member = RoomMemberFactory()
    response = send(client_of(member.user), member.room, "bad", body)
    assert response.status_code == status
    assert text in str(response.json())
    assert not Message.objects.exists()


def test_who_may_send_and_read(client_of: Any) -> None:
    member = RoomMemberFactory()
    room = member.room
    outsider = client_of(UserFactory(organisation=room.organisation))
    assert send(outsider, room, "o", "hello").status_code == 404
    assert outsider.get(f"/api/v1/chat/rooms/{room.pk}/messages/").status_code == 404
    assert send(Client(), room, "a", "hello").status_code == 401
    forum = RoomFactory(kind=RoomKind.FORUM, organisation=room.organisation)
    # A colleague reads a forum, but must join it before writing.
    assert outsider.get(f"/api/v1/chat/rooms/{forum.pk}/messages/").status_code == 200
    assert send(outsider, forum, "f", "hi").status_code == 403
    assert outsider.post(f"/api/v1/chat/rooms/{forum.pk}/join/").status_code == 200
    assert send(outsider, forum, "f", "hi").status_code == 201
    guest = client_of(UserFactory(is_external=True, organisation=None))
    assert guest.get(f"/api/v1/chat/rooms/{forum.pk}/").status_code == 404
    assert guest.post("/api/v1/chat/rooms/", {"kind": "private", "name": "x"}).status_code == 403


def test_history_pages_back(client_of: Any, settings: Any) -> None:
    settings.CHAT_FLOOD_MESSAGES = 1000
    member = RoomMemberFactory()
    client = client_of(member.user)
    for number in range(60):
        send(client, member.room, f"t{number}", f"m{number}")
    url = f"/api/v1/chat/rooms/{member.room.pk}/messages/"
    latest = client.get(url).json()
    assert len(latest) == 50 and latest[-1]["body"] == "m59"
    older = client.get(f"{url}?before={latest[0]['seq']}").json()
    assert [m["body"] for m in older] == [f"m{n}" for n in range(10)]
    assert client.get(f"{url}?before=abc").status_code == 400


def test_flood_control_answers_429_with_a_clear_message(client_of: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.CHAT_FLOOD_MESSAGES = 3
    member = RoomMemberFactory()
    client = client_of(member.user)
    # within one window of the clock, not across the turn of one (the counter would restart)
    with mock.patch(
        "ensemble.chat.actions.sending.time", SimpleNamespace(time=lambda: 3600.0 * 1000)
    ):
        statuses = [send(client, member.room, f"f{n}", "spam").status_code for n in range(4)]
        too_fast = send(client, member.room, "f9", "spam")
        again = send(client, member.room, "f0", "spam")
    assert statuses == [201, 201, 201, 429]
    assert "too fast" in too_fast.json()["detail"]
    assert again.status_code == 200  # a retry is not new


def test_the_hand_written_message_representation_matches_its_declared_fields(
    client_of: Any,
) -> None:
    from rest_framework import serializers

    from ensemble.chat.api.serializers import MessageSerializer

    member = RoomMemberFactory()
    send(client_of(member.user), member.room, "t1", "bonjour")
    message = Message.objects.get()
    declared = MessageSerializer(message)
    generic = serializers.ModelSerializer.to_representation(declared, message)
    assert declared.data == json.loads(json.dumps(generic, default=str))  # as sent on the wire


@pytest.mark.parametrize("prepared", [True, False])
def test_sending_with_and_without_prepared_statements(
    client_of: Any, settings: Any, prepared: bool
) -> None:
    """DATABASE_PREPARED_STATEMENTS off (behind a pooler that does not keep them): the same
    statements, sent whole each time."""
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    member = RoomMemberFactory()
    client = client_of(member.user)
    for number in range(7):  # beyond the executions after which a statement is prepared
        assert send(client, member.room, f"p{number}", f"message {number}").status_code == 201
    assert send(client, member.room, "p0", "message 0").status_code == 200
    bodies = [event["payload"]["body"] for event in events_after(member.room.stream, 0)]
    assert bodies == [f"message {number}" for number in range(7)]
