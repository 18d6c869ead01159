"""A person's open pages learn at once of a room they are now in: ``chat.room.joined`` on
their own stream (``user:<id>``), and nowhere else."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.events import events_after
from ensemble.portal.actions import user_stream

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def joined(user: Any) -> list[str]:
    return [
        e["payload"]["room"]
        for e in events_after(user_stream(user), 0)
        if e["event"] == "chat.room.joined"
    ]


def test_someone_added_to_a_room_is_told_on_their_stream(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    admin = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    colleague = UserFactory(organisation=room.organisation)
    bystander = UserFactory(organisation=room.organisation)
    added = client_of(admin).post(
        f"/api/v1/chat/rooms/{room.pk}/members/add/",
        {"user": str(colleague.pk)},
        content_type="application/json",
    )
    assert added.status_code == 200, added.content
    assert joined(colleague) == [str(room.pk)]
    assert joined(bystander) == [] and joined(admin) == []


def test_the_other_person_of_a_new_direct_conversation_is_told(client_of: Any) -> None:
    me = UserFactory()
    colleague = UserFactory(organisation=me.organisation)
    opened = client_of(me).post(
        "/api/v1/chat/rooms/direct/", {"user": str(colleague.pk)}, content_type="application/json"
    )
    assert opened.status_code == 201
    assert joined(colleague) == [opened.json()["id"]]
    again = client_of(colleague).post(
        "/api/v1/chat/rooms/direct/", {"user": str(me.pk)}, content_type="application/json"
    )
    assert again.status_code == 200
    assert joined(colleague) == [opened.json()["id"]] and joined(me) == []


def test_joining_a_forum_tells_ones_other_pages(client_of: Any) -> None:
    forum = RoomFactory(kind=RoomKind.FORUM)
    reader = UserFactory(organisation=forum.organisation)
    assert client_of(reader).post(f"/api/v1/chat/rooms/{forum.pk}/join/").status_code == 200
    assert joined(reader) == [str(forum.pk)]
