"""Notifications: initial state + events == a fresh fetch (Zulip's verify_action)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.events import EVENT_TYPES, events_after
from ensemble.portal import actions
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db


def fetch(client: Client) -> tuple[dict[str, dict[str, Any]], int]:
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 200
    return {n["id"]: n for n in response.json()["results"]}, int(response["X-Stream-Seq"])


def apply(state: dict[str, dict[str, Any]], message: dict[str, Any]) -> None:
    """What the browser's notification centre does with each event."""
    payload = message["payload"]
    if message["event"] == "notification.created":
        state[payload["id"]] = payload
    elif message["event"] == "notification.read":
        state[payload["id"]]["read"] = True


def verify_action(client: Client, stream: str, action: Callable[[], Any]) -> list[dict[str, Any]]:
    state, seq = fetch(client)
    action()
    events = events_after(stream, seq)
    for message in events:
        EVENT_TYPES[message["event"]].model_validate(message["payload"])  # schema holds
        apply(state, message)
    fresh, _ = fetch(client)
    assert state == fresh
    return events


def test_notify_and_mark_read(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    stream = f"user:{user.pk}"
    events = verify_action(client, stream, lambda: actions.notify(user, "Hello", "A text", "/x"))
    assert [e["event"] for e in events] == ["notification.created"]
    notification = Notification.objects.get()
    events = verify_action(client, stream, lambda: actions.mark_read(notification))
    assert [e["event"] for e in events] == ["notification.read"]
    # Marking again publishes nothing.
    assert verify_action(client, stream, lambda: actions.mark_read(notification)) == []


def test_read_endpoint_is_for_the_recipient_only(client_of: Any) -> None:
    owner, other = UserFactory(), UserFactory()
    notification = actions.notify(owner, "Private")
    url = f"/api/v1/notifications/{notification.pk}/read/"
    assert Client().post(url).status_code == 401
    assert client_of(other).post(url).status_code == 404
    assert client_of(owner).post(url).json()["read"] is True
    assert client_of(other).get("/api/v1/notifications/").json()["count"] == 0


def test_bad_id_is_a_404_not_a_500(client_of: Any) -> None:
    client = client_of(UserFactory())
    assert client.post("/api/v1/notifications/not-a-uuid/read/").status_code == 404


def test_list_makes_a_fixed_number_of_queries(
    client_of: Any, django_assert_max_num_queries: Any
) -> None:
    user = UserFactory()
    for number in range(10):
        actions.notify(user, f"n{number}")
    client = client_of(user)
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/notifications/").json()["count"] == 10


def test_a_title_made_of_long_names_is_shortened_not_refused() -> None:
    """A room and an author with the longest names allowed: the message is sent and its
    notification's title cut to what a notification holds (it failed the send before)."""
    from ensemble.chat.models import RoomRole
    from ensemble.chat.tests.factories import RoomMemberFactory

    author = RoomMemberFactory(role=RoomRole.ADMIN, room__name="R" * 200)
    author.user.full_name = "A" * 200
    author.user.save()
    reader = RoomMemberFactory(room=author.room)
    client = Client()
    client.force_login(author.user)
    response = client.post(
        f"/api/v1/chat/rooms/{author.room.pk}/messages/",
        {"txn_id": "t1", "body": "@room hello"},
        content_type="application/json",
    )
    assert response.status_code == 201
    notification = Notification.objects.get(recipient=reader.user)
    assert len(notification.title) == 200 and notification.title.endswith("A…")
