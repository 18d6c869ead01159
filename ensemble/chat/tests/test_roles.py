"""Who may give roles and remove whom; a room keeps an administrator and two people one direct
room, also when requests come at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.members import add_member, remove_member, set_member_role
from ensemble.chat.actions.rooms import direct_room
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.refusals import ActionRefused


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result, or the refusal raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = call()
        except Exception as error:  # a refusal, or what went wrong, for the assertions to show
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# The embedded default's SQLite runs one writer at a time (IMMEDIATE transactions); the test
# database in memory has no such writers, so requests at the same moment are tested on
# PostgreSQL, where the row lock and the unique key do the work.
concurrent = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers: the PostgreSQL run"
)


def room_with(*roles: str) -> tuple[Room, list[Any]]:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    people = [RoomMemberFactory(room=room, role=role).user for role in roles]
    return room, people


@pytest.mark.django_db
def test_a_moderator_neither_makes_administrators_nor_removes_them() -> None:
    room, (admin, moderator, member) = room_with("admin", "moderator", "member")
    newcomer = UserFactory()
    with pytest.raises(ActionRefused, match="Only the room's administrators give roles"):
        add_member(moderator, room, newcomer, RoomRole.ADMIN)
    with pytest.raises(ActionRefused, match="administrators can change roles"):
        set_member_role(moderator, room, member, RoomRole.ADMIN)
    for ban in (False, True):
        with pytest.raises(ActionRefused, match="cannot remove or ban administrators"):
            remove_member(moderator, room, admin, ban=ban)
    other_moderator = RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user
    with pytest.raises(ActionRefused, match="cannot remove or ban administrators"):
        remove_member(moderator, room, other_moderator, ban=True)
    remove_member(moderator, room, member, ban=True)  # members, yes
    assert room.members.get(user=member).banned
    add_member(admin, room, newcomer, RoomRole.MODERATOR)  # administrators give roles
    remove_member(admin, room, other_moderator)
    assert room.members.get(user=newcomer).role == RoomRole.MODERATOR


@pytest.mark.django_db
def test_the_last_administrator_can_neither_leave_nor_be_demoted() -> None:
    room, (admin, member) = room_with("admin", "member")
    with pytest.raises(ActionRefused, match="Name another administrator"):
        remove_member(admin, room, admin)
    with pytest.raises(ActionRefused, match="Name another administrator"):
        set_member_role(admin, room, admin, RoomRole.MEMBER)
    set_member_role(admin, room, member, RoomRole.ADMIN)
    set_member_role(member, room, admin, RoomRole.MEMBER)  # now another one is
    assert list(room.members.filter(role=RoomRole.ADMIN).values_list("user", flat=True)) == [
        member.pk
    ]


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_administrators_leaving_at_once_leave_one() -> None:
    room, (first, second, _member) = room_with("admin", "admin", "member")
    results = at_once(
        lambda: remove_member(first, room, first),
        lambda: remove_member(second, room, second),
    )
    assert sorted(type(r).__name__ for r in results) == ["ActionRefused", "NoneType"]
    assert room.members.filter(role=RoomRole.ADMIN).count() == 1


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_once_keep_one() -> None:
    room, (first, second, _member) = room_with("admin", "admin", "member")
    at_once(
        lambda: set_member_role(first, room, second, RoomRole.MEMBER),
        lambda: set_member_role(second, room, first, RoomRole.MEMBER),
    )
    assert room.members.filter(role=RoomRole.ADMIN).count() == 1


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_people_opening_their_direct_room_at_once_get_one() -> None:
    one = UserFactory()
    other = UserFactory(organisation=one.organisation)
    results = at_once(lambda: direct_room(one, other), lambda: direct_room(other, one))
    assert results[0][0].pk == results[1][0].pk
    assert Room.objects.filter(kind=RoomKind.DIRECT).count() == 1
    assert RoomMember.objects.filter(room=results[0][0]).count() == 2
    assert direct_room(one, other) == (results[0][0], False)
