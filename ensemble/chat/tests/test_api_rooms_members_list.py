"""The members panel's list (GET …/rooms/{id}/members/) and messages around a seq (a search
result opened in its context)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def test_members_with_role_organisation_and_external_mark(client_of: Any) -> None:
    lyon = OrganisationFactory(name="Mairie de Lyon")
    room = RoomFactory(kind=RoomKind.EXTERNAL, organisation=lyon)
    admin = RoomMemberFactory(
        room=room, role=RoomRole.ADMIN, user=UserFactory(organisation=lyon, full_name="Amel")
    ).user
    RoomMemberFactory(
        room=room,
        user=UserFactory(organisation=OrganisationFactory(name="Préfecture"), full_name="Bruno"),
    )
    RoomMemberFactory(
        room=room, user=UserFactory(is_external=True, organisation=None, full_name="Chloé")
    )
    RoomMemberFactory(room=room, user=UserFactory(organisation=lyon, full_name="Dina"), banned=True)
    listed = client_of(admin).get(f"/api/v1/chat/rooms/{room.pk}/members/")
    assert listed.status_code == 200
    assert [(m["name"], m["role"], m["organisation"], m["external"]) for m in listed.json()] == [
        ("Amel", "admin", "Mairie de Lyon", False),
        ("Bruno", "member", "Préfecture", True),
        ("Chloé", "member", "", True),
    ]  # the banned are not members any more
    assert listed.json()[0]["user"] == str(admin.pk)
    assert listed.json()[0]["email"] == admin.email


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        ("colleague", True),
        ("colleague moderator", True),
        ("external attendee", False),
        ("other organisation", False),
        ("other organisation moderator", True),
        ("external moderator", True),
    ],
)
def test_who_sees_the_members_addresses(client_of: Any, reader: str, sees: bool) -> None:
    """A meeting's room keeps everyone ever admitted: an external attendee, or someone of
    another organisation, gets the members without their addresses; the room's organisation
    (not external) and its moderators get them."""
    lyon = OrganisationFactory()
    room = RoomFactory(kind=RoomKind.MEETING, organisation=lyon)
    RoomMemberFactory(room=room, user=UserFactory(organisation=lyon))
    RoomMemberFactory(room=room, user=UserFactory(is_external=True, organisation=None))
    person = {
        "colleague": lambda: UserFactory(organisation=lyon),
        "external": lambda: UserFactory(is_external=True, organisation=None),
        "other organisation": lambda: UserFactory(organisation=OrganisationFactory()),
    }[reader.removesuffix(" moderator").removesuffix(" attendee")]()
    role = RoomRole.MODERATOR if reader.endswith("moderator") else RoomRole.MEMBER
    RoomMemberFactory(room=room, user=person, role=role)
    listed = client_of(person).get(f"/api/v1/chat/rooms/{room.pk}/members/")
    assert listed.status_code == 200 and len(listed.json()) == 3
    emails = [member["email"] for member in listed.json()]
    if sees:
        assert all(emails) and person.email in emails
    else:
        assert emails == [None, None, None]


def test_who_may_list_the_members(client_of: Any) -> None:
    room = RoomFactory()
    member = RoomMemberFactory(room=room).user
    banned = RoomMemberFactory(room=room, banned=True).user
    url = f"/api/v1/chat/rooms/{room.pk}/members/"
    assert client_of(member).get(url).status_code == 200
    assert client_of(UserFactory(organisation=room.organisation)).get(url).status_code == 404
    assert client_of(UserFactory()).get(url).status_code == 404  # another organisation
    assert client_of(UserFactory(is_external=True)).get(url).status_code == 404  # a guest
    assert client_of(banned).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    forum = RoomFactory(kind=RoomKind.FORUM, organisation=room.organisation)
    reader = UserFactory(organisation=room.organisation)  # a forum is read before joining
    assert client_of(reader).get(f"/api/v1/chat/rooms/{forum.pk}/members/").status_code == 200


def test_a_fixed_number_of_queries(client_of: Any) -> None:
    room = RoomFactory()
    member = RoomMemberFactory(room=room).user
    client = client_of(member)
    url = f"/api/v1/chat/rooms/{room.pk}/members/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            client.get(url)
        return len(done)

    queries()  # the session and the account, read once
    few = queries()
    for _number in range(12):
        RoomMemberFactory(room=room)
    assert queries() == few  # none per member
    assert len(client.get(url).json()) == 13


def test_messages_around_and_after_a_seq(client_of: Any, settings: Any) -> None:
    settings.CHAT_FLOOD_MESSAGES = 1000
    room = RoomFactory()
    member = RoomMemberFactory(room=room).user
    sent = [send_message(member, room, f"t{n}", f"n{n}")[0] for n in range(80)]
    client = client_of(member)
    url = f"/api/v1/chat/rooms/{room.pk}/messages/"
    target = sent[10].seq
    around = [m["seq"] for m in client.get(f"{url}?around={target}").json()]
    assert around == [m.seq for m in sent[:50]]  # 10 before it, it, and what follows
    around = [m["seq"] for m in client.get(f"{url}?around={sent[60].seq}").json()]
    assert around == [m.seq for m in sent[35:80]]  # 25 before, then up to the last
    after = [m["seq"] for m in client.get(f"{url}?after={sent[70].seq}").json()]
    assert after == [m.seq for m in sent[71:]]
    assert client.get(f"{url}?around=x").json() == {"around": "Give a whole number."}
    outsider = client_of(UserFactory(organisation=room.organisation))
    assert outsider.get(f"{url}?around={target}").status_code == 404
