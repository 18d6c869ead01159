"""Who may write in a room: posting.may_post (Python) and storage.POSTS (SQL, for the writes
that do not read the room first) are one rule, and give the same answer for every person."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat import storage
from ensemble.chat.models import NotifyLevel, RoomKind
from ensemble.chat.posting import may_post
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "archived", "expected"),
    [
        ("member", False, True),
        ("moderator", False, True),
        ("banned", False, False),
        ("outsider", False, False),
        ("forum reader", False, False),
        ("member", True, False),
    ],
)
def test_python_and_sql_give_the_same_answer(who: str, archived: bool, expected: bool) -> None:
    room = RoomFactory(kind=RoomKind.FORUM if who == "forum reader" else RoomKind.PRIVATE)
    if archived:
        room.archived_at = timezone.now()
        room.save()
    if who in ("member", "moderator", "banned"):
        role = "moderator" if who == "moderator" else "member"
        user = RoomMemberFactory(room=room, role=role, banned=who == "banned").user
    else:
        organisation = room.organisation if who == "forum reader" else None
        user = UserFactory(organisation=organisation)
    assert may_post(room, user) is expected
    assert storage.plain_send_guard(room.pk, {user.pk}).holds() is expected
    found = storage.senders_rooms({(user.pk, room.pk)})
    assert ((user.pk, room.pk) in found) is expected


def test_a_guest_writes_only_in_a_live_meetings_room() -> None:
    meeting = RoomFactory(kind=RoomKind.MEETING)
    assert may_post(meeting, None) is True
    assert may_post(RoomFactory(), None) is False
    meeting.archived_at = timezone.now()
    assert may_post(meeting, None) is False


def test_a_room_where_someone_wants_every_message_is_not_written_blind() -> None:
    """The SQL guard also refuses a room where a member is notified of every message: that
    message owes notifications, so it goes the way that reads the room."""
    member = RoomMemberFactory()
    RoomMemberFactory(room=member.room, notify=NotifyLevel.ALL)
    assert may_post(member.room, member.user) is True
    assert storage.plain_send_guard(member.room.pk, {member.user.pk}).holds() is False
