"""Room management: rename, archive, add, remove, ban, roles, leave, invite; who may and not."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.events import events_after

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def post(client: Any, room: Room, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/api/v1/chat/rooms/{room.pk}/{path}", body or {}, content_type="application/json"
    )


@pytest.fixture
def room() -> Room:
    return RoomFactory(kind=RoomKind.PRIVATE)


def admin_of(room: Room) -> Any:
    return RoomMemberFactory(room=room, role=RoomRole.ADMIN).user


def test_create_rename_and_archive(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    created = client.post(
        "/api/v1/chat/rooms/",
        {"kind": "forum", "name": "Urbanisme"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["role"] == "admin"
    room = Room.objects.get(pk=created.json()["id"])
    renamed = client.patch(
        f"/api/v1/chat/rooms/{room.pk}/", {"topic": "PLU 2027"}, content_type="application/json"
    )
    assert renamed.json()["topic"] == "PLU 2027" and renamed.json()["name"] == "Urbanisme"
    assert post(client, room, "archive/").json()["archived_at"] is not None
    assert [e["event"] for e in events_after(room.stream, 0)] == [
        "chat.room.updated",
        "chat.room.updated",
    ]
    assert post(client, room, "messages/", {"txn_id": "a", "body": "x"}).status_code == 403


def test_members_are_managed_by_moderators_and_roles_by_admins(client_of: Any, room: Room) -> None:
    admin = client_of(admin_of(room))
    newcomer = UserFactory(organisation=room.organisation)
    assert post(admin, room, "members/add/", {"user": str(newcomer.pk)}).status_code == 200
    assert RoomMember.objects.filter(room=room, user=newcomer).exists()
    member = client_of(RoomMemberFactory(room=room).user)
    other = UserFactory(organisation=room.organisation)
    assert post(member, room, "members/add/", {"user": str(other.pk)}).status_code == 403
    assert post(member, room, "members/remove/", {"user": str(newcomer.pk)}).status_code == 403
    role = post(admin, room, "members/role/", {"user": str(newcomer.pk), "role": "moderator"})
    assert role.status_code == 200
    moderator = client_of(newcomer)
    assert (
        post(
            moderator, room, "members/role/", {"user": str(newcomer.pk), "role": "admin"}
        ).status_code
        == 403
    )
    assert post(moderator, room, "members/add/", {"user": str(other.pk)}).status_code == 200
    assert post(moderator, room, "members/ban/", {"user": str(other.pk)}).status_code == 200
    banned = client_of(other)
    assert banned.get(f"/api/v1/chat/rooms/{room.pk}/").status_code == 404
    assert post(moderator, room, "members/add/", {"user": str(other.pk)}).status_code == 403
    states = [
        e["payload"]["state"]
        for e in events_after(room.stream, 0)
        if e["event"] == "chat.member.changed"
    ]
    assert states == ["joined", "role", "joined", "banned"]


def test_leave_but_not_as_the_last_admin(client_of: Any, room: Room) -> None:
    admin_user = admin_of(room)
    member = RoomMemberFactory(room=room)
    assert post(client_of(member.user), room, "leave/").status_code == 204
    assert not RoomMember.objects.filter(pk=member.pk).exists()
    RoomMemberFactory(room=room)
    refused = post(client_of(admin_user), room, "leave/")
    assert refused.status_code == 403 and "another administrator" in refused.json()["detail"]


def test_external_users_only_in_external_rooms(client_of: Any, room: Room) -> None:
    guest = UserFactory(is_external=True, organisation=None)
    admin = client_of(admin_of(room))
    refused = post(admin, room, "members/add/", {"user": str(guest.pk)})
    assert refused.status_code == 403 and "external rooms" in refused.json()["detail"]
    external = RoomFactory(kind=RoomKind.EXTERNAL, organisation=room.organisation)
    admin2 = client_of(admin_of(external))
    added = post(admin2, external, "members/add/", {"user": str(guest.pk), "role": "admin"})
    assert added.status_code == 200
    assert RoomMember.objects.get(room=external, user=guest).role == RoomRole.MEMBER


def test_invite_by_email_into_an_external_room(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    external = RoomFactory(kind=RoomKind.EXTERNAL)
    admin = client_of(admin_of(external))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(admin, external, "invitations/", {"email": "expert@cabinet.fr"})
    assert response.status_code == 201 and mail.outbox[-1].to == ["expert@cabinet.fr"]
    link = re.search(r"/accounts/invitations/\S+/", mail.outbox[-1].body)
    assert link is not None
    assert Client().post(link.group(0)).status_code == 302
    expert = RoomMember.objects.get(room=external, user__email="expert@cabinet.fr")
    assert expert.user.is_external and expert.role == RoomRole.MEMBER
    member = client_of(RoomMemberFactory(room=external).user)
    assert post(member, external, "invitations/", {"email": "x@y.fr"}).status_code == 403


def test_bad_management_requests(client_of: Any, room: Room) -> None:
    admin = client_of(admin_of(room))
    assert post(admin, room, "members/add/", {"user": "nope"}).status_code == 400
    assert post(admin, room, "members/fly/", {"user": "nope"}).status_code == 404
    assert (
        admin.patch(
            f"/api/v1/chat/rooms/{room.pk}/", {"name": "x" * 300}, content_type="application/json"
        ).status_code
        == 400
    )
    outsider = client_of(UserFactory())
    assert post(outsider, room, "archive/").status_code == 404
    assert admin.delete(f"/api/v1/chat/rooms/{room.pk}/").status_code == 405
