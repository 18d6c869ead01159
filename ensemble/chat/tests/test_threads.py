"""The threads of a room: messages with replies, the latest answered first, with the replies
the caller has not read counted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.members import mark_read, remove_member
from ensemble.chat.actions.messages import delete_message
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def threads(client: Client, room: Any, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/chat/rooms/{room.pk}/threads/{query}")
    assert response.status_code == 200, response.content
    return list(response.json())


def test_threads_are_listed_latest_answered_first_with_unread_replies(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    bob = RoomMemberFactory(room=room).user
    budget, _new = send_message(alice, room, "1", "Budget 2027")
    agenda, _new = send_message(alice, room, "2", "Ordre du jour")
    send_message(alice, room, "3", "Sans réponse")
    send_message(bob, room, "4", "Validé", reply_to=budget.pk)
    send_message(alice, room, "5", "Merci", reply_to=budget.pk)
    send_message(bob, room, "6", "Point 3 ?", reply_to=agenda.pk)
    listed = threads(client_of(alice), room)
    assert [thread["root"]["body"] for thread in listed] == ["Ordre du jour", "Budget 2027"]
    assert [thread["replies"] for thread in listed] == [1, 2]
    # Alice has read nothing: Bob's replies are unread to her, her own are not
    assert [thread["unread"] for thread in listed] == [1, 1]
    mark_read(alice, room, 5)
    assert [thread["unread"] for thread in threads(client_of(alice), room)] == [1, 0]
    assert [thread["unread"] for thread in threads(client_of(bob), room)] == [0, 1]
    older = threads(client_of(alice), room, f"?before={listed[0]['last_seq']}")
    assert [thread["root"]["body"] for thread in older] == ["Budget 2027"]


def test_deleted_replies_do_not_count(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice, bob = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    root, _new = send_message(alice, room, "1", "Question")
    reply, _new = send_message(bob, room, "2", "Oups", reply_to=root.pk)
    assert threads(client_of(alice), room)[0]["replies"] == 1
    delete_message(bob, reply)
    assert threads(client_of(alice), room) == []


def test_forum_readers_without_a_marker_have_nothing_unread(client_of: Any) -> None:
    forum = RoomFactory(kind=RoomKind.FORUM)
    writer = RoomMemberFactory(room=forum, user=UserFactory(organisation=forum.organisation))
    root, _new = send_message(writer.user, forum, "1", "Annonce")
    send_message(writer.user, forum, "2", "Précision", reply_to=root.pk)
    reader = client_of(UserFactory(organisation=forum.organisation))
    assert [(t["replies"], t["unread"]) for t in threads(reader, forum)] == [(1, 0)]


def test_who_may_list_threads(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    admin = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    banned = RoomMemberFactory(room=room).user
    remove_member(admin, room, banned, ban=True)
    url = f"/api/v1/chat/rooms/{room.pk}/threads/"
    assert client_of(admin).get(url).status_code == 200
    assert client_of(banned).get(url).status_code == 404
    assert client_of(UserFactory()).get(url).status_code == 404
    external = UserFactory(organisation=None, is_external=True)
    assert client_of(external).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_a_bad_page_is_a_clear_400(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    member = RoomMemberFactory(room=room).user
    response = client_of(member).get(f"/api/v1/chat/rooms/{room.pk}/threads/?before=soon")
    assert response.status_code == 400
    assert response.json() == {"before": "Give a whole number."}


def test_the_list_costs_the_same_queries_for_more_threads(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice, bob = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    client = client_of(alice)
    threads(client, room)  # the session's first request reads more (its user, its session)

    def add_threads(count: int, start: int) -> int:
        for number in range(start, start + count):
            root, _new = send_message(alice, room, f"r{number}", f"Sujet {number}")
            send_message(bob, room, f"a{number}", "Réponse", reply_to=root.pk)
        with CaptureQueriesContext(connection) as queries:
            threads(client, room)
        return len(queries)

    assert add_threads(2, 0) == add_threads(5, 2)
