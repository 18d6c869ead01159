"""Read markers, unread and mention counts, mentions notified as each member chose."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.sending import send_message
from ensemble.chat.api.serializers import MAX_MENTIONS
from ensemble.chat.models import NotifyLevel, RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db


def room_of(client: Any, room: Any) -> dict[str, Any]:
    return client.get(f"/api/v1/chat/rooms/{room.pk}/").json()


def test_unread_and_mentions_counts_follow_the_read_marker(client_of: Any) -> None:
    writer = RoomMemberFactory()
    room = writer.room
    reader = RoomMemberFactory(room=room)
    client = client_of(reader.user)
    send_message(writer.user, room, "1", "hello")
    send_message(writer.user, room, "2", f"ping @{reader.user} please", mentions=[reader.user.pk])
    send_message(writer.user, room, "3", "again")
    described = room_of(client, room)
    assert (described["unread"], described["mentions"], described["role"]) == (3, 1, "member")
    response = client.post(
        f"/api/v1/chat/rooms/{room.pk}/read/", {"seq": 2}, content_type="application/json"
    )
    assert (response.json()["unread"], response.json()["mentions"]) == (1, 0)
    client.post(f"/api/v1/chat/rooms/{room.pk}/read/", {"seq": 1}, content_type="application/json")
    assert room_of(client, room)["unread"] == 1  # never goes back
    client.post(
        f"/api/v1/chat/rooms/{room.pk}/read/", {"seq": 999}, content_type="application/json"
    )
    assert room_of(client, room)["unread"] == 0
    assert (
        client.post(
            f"/api/v1/chat/rooms/{room.pk}/read/", {"seq": -1}, content_type="application/json"
        ).status_code
        == 400
    )


def test_mentions_notify_as_each_member_chose(client_of: Any) -> None:
    writer = RoomMemberFactory()
    room = writer.room
    named = RoomMemberFactory(room=room)
    everything = RoomMemberFactory(room=room, notify=NotifyLevel.ALL)
    muted = RoomMemberFactory(room=room, notify=NotifyLevel.NONE)
    send_message(
        writer.user, room, "1", "look", mentions=[named.user.pk, muted.user.pk, writer.user.pk]
    )
    assert Notification.objects.filter(recipient=named.user).count() == 1
    assert "mentioned you" in Notification.objects.get(recipient=named.user).title
    assert Notification.objects.filter(recipient=everything.user).count() == 1
    assert not Notification.objects.filter(recipient=muted.user).exists()
    assert not Notification.objects.filter(recipient=writer.user).exists()


def test_at_room_is_for_moderators(client_of: Any) -> None:
    member = RoomMemberFactory()
    room = member.room
    other = RoomMemberFactory(room=room)
    send_message(member.user, room, "1", "@room hello everyone")
    assert not Notification.objects.filter(recipient=other.user).exists()
    moderator = RoomMemberFactory(room=room, role=RoomRole.MODERATOR)
    send_message(moderator.user, room, "2", "@room meeting now")
    assert Notification.objects.filter(recipient=other.user).count() == 1
    assert Notification.objects.filter(recipient=member.user).count() == 1


def test_notification_level_is_chosen_per_room(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    url = f"/api/v1/chat/rooms/{member.room.pk}/notifications/"
    assert (
        client.post(url, {"notify": "none"}, content_type="application/json").json()["notify"]
        == "none"
    )
    assert client.post(url, {"notify": "loud"}, content_type="application/json").status_code == 400
    outsider = client_of(RoomMemberFactory().user)
    assert outsider.post(url, {"notify": "all"}, content_type="application/json").status_code == 404


def test_room_list_makes_a_fixed_number_of_queries(
    client_of: Any, django_assert_max_num_queries: Any
) -> None:
    member = RoomMemberFactory()
    for _ in range(12):
        RoomMemberFactory(user=member.user)
    client = client_of(member.user)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/chat/rooms/").json()["count"] == 13


def test_mentions_name_members_by_id_never_by_address(client_of: Any) -> None:
    """The page sends the ids of the people it lists after "@"; the text shows their names, so
    no address reaches the room's other readers. An address typed in the text names nobody."""
    writer = RoomMemberFactory()
    room = writer.room
    named = RoomMemberFactory(room=room, user=UserFactory(full_name="Bruno Petit"))
    banned = RoomMemberFactory(room=room, banned=True)
    outsider = UserFactory()
    client = client_of(writer.user)
    url = f"/api/v1/chat/rooms/{room.pk}/messages/"
    ids = [str(person.pk) for person in (named.user, banned.user, outsider)]
    sent = client.post(
        url,
        {"txn_id": "m1", "body": "@Bruno Petit tu relis ?", "mentions": ids},
        content_type="application/json",
    ).json()
    assert sent["mentions"] == [str(named.user.pk)]  # not the banned member, not an outsider
    assert (
        f'<span class="ens-mention" data-user="{named.user.pk}">@Bruno Petit</span>'
        in (sent["html"])
    )
    assert named.user.email not in sent["body"] + sent["html"]
    assert Notification.objects.filter(recipient=named.user).count() == 1
    assert not Notification.objects.filter(recipient__in=[banned.user, outsider]).exists()
    listed = client.get(url).json()
    assert listed[-1]["mentions"] == [str(named.user.pk)]

    client.post(
        url,
        {"txn_id": "m2", "body": f"@{named.user.email} ?"},
        content_type="application/json",
    )
    assert Notification.objects.filter(recipient=named.user).count() == 1  # not named

    edited = client.patch(
        f"/api/v1/chat/messages/{sent['id']}/",
        {"body": "@Bruno Petit tu relis demain ?"},
        content_type="application/json",
    ).json()
    assert 'data-user="' + str(named.user.pk) in edited["html"]  # still named after an edit

    for wrong in (["pas un id"], "x", [str(named.user.pk)] * (MAX_MENTIONS + 1)):
        answer = client.post(
            url, {"txn_id": "m3", "body": "?", "mentions": wrong}, content_type="application/json"
        )
        assert answer.status_code == 400 and "mentions" in answer.json()
