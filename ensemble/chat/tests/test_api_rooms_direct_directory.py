"""Direct conversations, the forum directory and invitations from a CSV file."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def test_a_direct_conversation_is_found_again(client_of: Any) -> None:
    me = UserFactory()
    colleague = UserFactory(organisation=me.organisation)
    client = client_of(me)
    first = client.post(
        "/api/v1/chat/rooms/direct/", {"user": str(colleague.pk)}, content_type="application/json"
    )
    assert first.status_code == 201 and first.json()["kind"] == "direct"
    again = client_of(colleague).post(
        "/api/v1/chat/rooms/direct/", {"user": str(me.pk)}, content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # Each sees the conversation under the other's name.
    assert (first.json()["title"], again.json()["title"]) == (str(colleague), str(me))
    room = Room.objects.get(pk=first.json()["id"])
    assert set(room.members.values_list("user_id", flat=True)) == {me.pk, colleague.pk}
    renamed = client.patch(
        f"/api/v1/chat/rooms/{room.pk}/", {"name": "x"}, content_type="application/json"
    )
    assert renamed.status_code == 403


def test_direct_conversations_need_a_reason_to_talk(client_of: Any) -> None:
    me = UserFactory()
    client = client_of(me)
    stranger = UserFactory()
    refused = client.post(
        "/api/v1/chat/rooms/direct/", {"user": str(stranger.pk)}, content_type="application/json"
    )
    assert refused.status_code == 403 and "colleagues" in refused.json()["detail"]
    assert (
        client.post(
            "/api/v1/chat/rooms/direct/", {"user": str(me.pk)}, content_type="application/json"
        ).status_code
        == 403
    )
    shared = RoomFactory(kind=RoomKind.EXTERNAL)
    RoomMemberFactory(room=shared, user=me)
    guest = UserFactory(is_external=True, organisation=None)
    RoomMemberFactory(room=shared, user=guest)
    assert (
        client.post(
            "/api/v1/chat/rooms/direct/", {"user": str(guest.pk)}, content_type="application/json"
        ).status_code
        == 201
    )


def test_forum_directory(client_of: Any) -> None:
    me = UserFactory()
    RoomFactory(kind=RoomKind.FORUM, organisation=me.organisation, name="Urbanisme", topic="PLU")
    RoomFactory(kind=RoomKind.FORUM, organisation=me.organisation, name="Cantine")
    RoomFactory(kind=RoomKind.PRIVATE, organisation=me.organisation, name="Urbanisme secret")
    RoomFactory(kind=RoomKind.FORUM, name="Urbanisme ailleurs")
    client = client_of(me)
    found = client.get("/api/v1/chat/rooms/directory/?q=urba").json()["results"]
    assert [r["name"] for r in found] == ["Urbanisme"]
    assert [
        r["name"] for r in client.get("/api/v1/chat/rooms/directory/?q=plu").json()["results"]
    ] == ["Urbanisme"]
    assert client.get("/api/v1/chat/rooms/directory/").json()["count"] == 2
    guest = client_of(UserFactory(is_external=True, organisation=None))
    assert guest.get("/api/v1/chat/rooms/directory/").status_code == 403


def test_invitations_from_a_csv_file(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    admin = RoomMemberFactory(
        room=room, role=RoomRole.ADMIN, user__organisation=room.organisation
    ).user
    colleague = UserFactory(organisation=room.organisation, email="known@lyon.fr")
    guest = UserFactory(is_external=True, organisation=None, email="guest@outside.fr")
    csv_text = (
        "name,email\nKnown,known@lyon.fr\nNew,New.Person@lyon.fr\nBad,not-an-email@\n"
        "Guest,guest@outside.fr\n"
    )
    client = client_of(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/chat/rooms/{room.pk}/invitations/csv/", csv_text, content_type="text/csv"
        )
    assert response.status_code == 200, response.content
    # An external account is invited like an unknown address (the answer never tells that an
    # address has an account); it is refused when the invitation is accepted.
    assert response.json() == {
        "invited": ["new.person@lyon.fr", "guest@outside.fr"],
        "added": ["known@lyon.fr"],
        "refused": ["not-an-email@"],
    }
    assert RoomMember.objects.filter(room=room, user=colleague).exists()
    assert not RoomMember.objects.filter(room=room, user=guest).exists()
    upload = SimpleUploadedFile("list.csv", b"other@lyon.fr\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(f"/api/v1/chat/rooms/{room.pk}/invitations/csv/", {"file": upload})
    assert uploaded.json()["invited"] == ["other@lyon.fr"]
    member = client_of(RoomMemberFactory(room=room).user)
    assert (
        member.post(
            f"/api/v1/chat/rooms/{room.pk}/invitations/csv/", "a@b.fr", content_type="text/csv"
        ).status_code
        == 403
    )
    too_many = "\n".join(f"p{n}@lyon.fr" for n in range(501))
    assert (
        client.post(
            f"/api/v1/chat/rooms/{room.pk}/invitations/csv/", too_many, content_type="text/csv"
        ).status_code
        == 400
    )
