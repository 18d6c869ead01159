"""Read receipts ("seen by"): the other members' read markers in small rooms, for those who
share theirs; someone who does not share sees nobody's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.members import mark_read, remove_member
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room() -> Any:
    """A room where Alice wrote two messages; Bob read both, Chloé the first."""
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    bob, chloe = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    first, _new = send_message(alice, room, "1", "Ordre du jour")
    second, _new = send_message(alice, room, "2", "Compte rendu")
    mark_read(bob, room, second.seq)
    mark_read(chloe, room, first.seq)
    room.people = {"alice": alice, "bob": bob, "chloe": chloe}
    room.said = [first, second]
    return room


def receipts(client: Client, room: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/chat/rooms/{room.pk}/receipts/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def seen(client: Client, message: Any) -> list[str]:
    response = client.get(f"/api/v1/chat/messages/{message.pk}/seen/")
    assert response.status_code == 200, response.content
    return sorted(mark["name"] for mark in response.json()["marks"])


def test_members_see_where_the_others_read_up_to(room: Any, client_of: Any) -> None:
    alice, bob, chloe = room.people.values()
    answer = receipts(client_of(alice), room)
    assert answer["shown"] is True
    marks = {mark["name"]: mark["seq"] for mark in answer["marks"]}
    assert marks == {str(bob): room.said[1].seq, str(chloe): room.said[0].seq}
    assert seen(client_of(alice), room.said[0]) == sorted([str(bob), str(chloe)])
    assert seen(client_of(alice), room.said[1]) == [str(bob)]
    # one's own marker is not listed, nor the author among those who saw their message
    assert seen(client_of(bob), room.said[1]) == []


def test_who_does_not_share_is_not_seen_and_sees_nobody(room: Any, client_of: Any) -> None:
    alice, bob, chloe = room.people.values()
    chloes = client_of(chloe)
    changed = chloes.patch(
        "/api/v1/me/", {"share_read_receipts": False}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["share_read_receipts"] is False
    assert seen(client_of(alice), room.said[0]) == [str(bob)]
    assert receipts(chloes, room) == {"shown": False, "marks": []}
    assert seen(chloes, room.said[0]) == []


def test_the_profile_page_turns_sharing_off_and_on(room: Any, client_of: Any) -> None:
    bob = room.people["bob"]
    client = client_of(bob)
    page = client.get("/accounts/profile/")
    assert b'name="share_read_receipts" checked' in page.content
    client.post("/accounts/profile/", {"full_name": "Bob", "language": "en"})
    bob.refresh_from_db()
    assert bob.share_read_receipts is False
    client.post(
        "/accounts/profile/", {"full_name": "Bob", "language": "en", "share_read_receipts": "on"}
    )
    bob.refresh_from_db()
    assert bob.share_read_receipts is True


def test_large_rooms_show_no_receipts(room: Any, client_of: Any, settings: Any) -> None:
    settings.CHAT_RECEIPTS_MAX_MEMBERS = 2
    assert receipts(client_of(room.people["alice"]), room) == {"shown": False, "marks": []}
    settings.CHAT_RECEIPTS_MAX_MEMBERS = 3
    assert receipts(client_of(room.people["alice"]), room)["shown"] is True


def test_banned_members_are_not_listed_and_cannot_ask(room: Any, client_of: Any) -> None:
    alice, bob, chloe = room.people.values()
    remove_member(alice, room, chloe, ban=True)
    assert [mark["name"] for mark in receipts(client_of(alice), room)["marks"]] == [str(bob)]
    banned = client_of(chloe)
    assert banned.get(f"/api/v1/chat/rooms/{room.pk}/receipts/").status_code == 404
    assert banned.get(f"/api/v1/chat/messages/{room.said[0].pk}/seen/").status_code == 404


def test_strangers_and_anonymous_are_refused(room: Any, client_of: Any) -> None:
    stranger = client_of(UserFactory())
    assert stranger.get(f"/api/v1/chat/rooms/{room.pk}/receipts/").status_code == 404
    assert stranger.get(f"/api/v1/chat/messages/{room.said[0].pk}/seen/").status_code == 404
    assert Client().get(f"/api/v1/chat/rooms/{room.pk}/receipts/").status_code == 401
    assert Client().get(f"/api/v1/chat/messages/{room.said[0].pk}/seen/").status_code == 401


def test_forum_readers_who_are_not_members_see_no_receipts(client_of: Any) -> None:
    forum = RoomFactory(kind=RoomKind.FORUM)
    writer = RoomMemberFactory(room=forum, user=UserFactory(organisation=forum.organisation))
    send_message(writer.user, forum, "1", "Bienvenue")
    mark_read(writer.user, forum, 1)
    reader = client_of(UserFactory(organisation=forum.organisation))
    assert receipts(reader, forum) == {"shown": False, "marks": []}


def test_receipts_have_their_rate_limit(room: Any, client_of: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat.lookups": "2/minute"}
    client = client_of(room.people["alice"])
    for _attempt in range(2):
        assert client.get(f"/api/v1/chat/rooms/{room.pk}/receipts/").status_code == 200
    refused = client.get(f"/api/v1/chat/messages/{room.said[0].pk}/seen/")
    assert refused.status_code == 429
    assert "Wait" in refused.json()["detail"]
