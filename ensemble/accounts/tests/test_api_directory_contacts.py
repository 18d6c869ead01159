"""The people picker's search: by organisation and team too, recent contacts first, and the
people one shares a room with even when they are guests or from elsewhere (marked external)."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.models import TeamMembership
from ensemble.accounts.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from ensemble.chat.actions.rooms import direct_room
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def test_contacts_first_then_colleagues(client_of: Any) -> None:
    lyon = OrganisationFactory(name="Mairie de Lyon")
    me = UserFactory(organisation=lyon, full_name="Amel")
    old_friend = UserFactory(organisation=lyon, full_name="Martin Ancien")
    new_friend = UserFactory(organisation=lyon, full_name="Martin Récent")
    UserFactory(organisation=lyon, full_name="Martin Aaa")  # a colleague, never talked to
    guest = UserFactory(is_external=True, organisation=None, full_name="Martin Invité")
    UserFactory(is_external=True, organisation=None, full_name="Martin Inconnu")  # no contact
    old = RoomFactory(organisation=lyon, kind=RoomKind.EXTERNAL)
    for person in (me, old_friend, guest):
        RoomMemberFactory(room=old, user=person)
    send_message(me, old, "t1", "Bonjour")
    fresh, _created = direct_room(me, new_friend)
    send_message(new_friend, fresh, "t2", "Salut")
    found = client_of(me).get("/api/v1/directory/?q=martin&kind=people").json()
    assert [(p["name"], p["recent"], p["external"]) for p in found] == [
        ("Martin Récent", True, False),
        ("Martin Ancien", True, False),
        ("Martin Invité", True, True),
        ("Martin Aaa", False, False),
    ]
    assert found[2]["organisation"] == ""
    recent = client_of(me).get("/api/v1/directory/").json()  # no text: contacts only
    assert [p["name"] for p in recent] == ["Martin Récent", "Martin Ancien", "Martin Invité"]


def test_the_people_of_a_meeting_are_not_contacts(client_of: Any) -> None:
    """A meeting's room keeps everyone ever admitted: its attendees of elsewhere are not found
    (nor their addresses) through it; a colleague in it is found as a colleague, not recent."""
    lyon = OrganisationFactory()
    me = UserFactory(organisation=lyon, full_name="Amel")  # not a random name with "martin"
    attendee = UserFactory(is_external=True, organisation=None, full_name="Martin Visiteur")
    colleague = UserFactory(organisation=lyon, full_name="Martin Collègue")
    meeting = RoomFactory(organisation=lyon, kind=RoomKind.MEETING)
    for person in (me, attendee, colleague):
        RoomMemberFactory(room=meeting, user=person)
    send_message(attendee, meeting, "t1", "Bonjour")
    found = client_of(me).get("/api/v1/directory/?q=martin&kind=people").json()
    assert [(p["name"], p["recent"]) for p in found] == [("Martin Collègue", False)]
    assert client_of(me).get("/api/v1/directory/").json() == []


def test_found_by_organisation_and_by_team(client_of: Any) -> None:
    lyon = OrganisationFactory(name="Mairie de Lyon")
    me = UserFactory(organisation=lyon)
    colleague = UserFactory(organisation=lyon, full_name="Dina Morel")
    team = TeamFactory(organisation=lyon, name="Urbanisme")
    TeamMembership.objects.create(team=team, user=colleague)
    by_team = client_of(me).get("/api/v1/directory/?q=urbani").json()
    assert [(e["kind"], e["name"]) for e in by_team] == [
        ("person", "Dina Morel"),
        ("team", "Urbanisme"),
    ]
    elsewhere = UserFactory(organisation=OrganisationFactory(name="Préfecture"))
    by_org = client_of(me).get("/api/v1/directory/?q=Préfecture&kind=people").json()
    assert elsewhere.pk not in [e["id"] for e in by_org]  # strangers stay out of sight
    assert "Dina Morel" in [
        e["name"] for e in client_of(me).get("/api/v1/directory/?q=lyon").json()
    ]
