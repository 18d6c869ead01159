"""A ban can be lifted by the room's moderators: the banned people are listed to them alone,
and the person lifted may be added again (or join again, in a forum)."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_moderators_see_who_is_banned_and_lift_the_ban(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.FORUM)
    moderator = RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user
    member = RoomMemberFactory(room=room).user
    gaspard = UserFactory(full_name="Gaspard", organisation=room.organisation)
    banned = RoomMemberFactory(room=room, banned=True, user=gaspard).user
    outsider = UserFactory(organisation=room.organisation)
    url = f"/api/v1/chat/rooms/{room.pk}/members/"

    listed = client_of(moderator).get(url, {"banned": "true"})
    assert [entry["name"] for entry in listed.json()] == ["Gaspard"]
    assert "Gaspard" not in [entry["name"] for entry in client_of(moderator).get(url).json()]
    for reader in (member, outsider):  # a forum's members list is public to its readers
        refused = client_of(reader).get(url, {"banned": "true"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only the room's moderators see who is banned."

    lift = f"/api/v1/chat/rooms/{room.pk}/members/unban/"
    body = {"user": str(banned.pk)}
    for who, status in ((member, 403), (outsider, 403), (banned, 404)):
        assert client_of(who).post(lift, body, content_type="application/json").status_code == (
            status
        )
    assert client_of(moderator).post(lift, body, content_type="application/json").status_code == (
        200
    )
    assert not room.members.filter(user=banned).exists()
    assert AuditEntry.objects.filter(action="chat.member_unbanned").count() == 1
    again = client_of(moderator).post(lift, body, content_type="application/json")
    assert again.status_code == 403
    assert again.json()["detail"] == "This person is not banned from the room."
    joined = client_of(banned).post(f"/api/v1/chat/rooms/{room.pk}/join/")
    assert joined.status_code == 200  # a forum: they may come back by themselves


def test_a_banned_person_cannot_be_added_until_the_ban_is_lifted(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    admin = client_of(RoomMemberFactory(room=room, role=RoomRole.ADMIN).user)
    banned = RoomMemberFactory(room=room, banned=True).user
    add = f"/api/v1/chat/rooms/{room.pk}/members/add/"
    body = {"user": str(banned.pk)}
    refused = admin.post(add, body, content_type="application/json")
    assert refused.status_code == 403
    assert "lift the ban first" in refused.json()["detail"]
    unban = f"/api/v1/chat/rooms/{room.pk}/members/unban/"
    assert admin.post(unban, body, content_type="application/json").status_code == 200
    assert admin.post(add, body, content_type="application/json").status_code == 200
    assert room.members.get(user=banned).banned is False
