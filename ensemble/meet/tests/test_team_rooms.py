"""Teams' permanent meeting rooms: made on demand by a member, the same link and code every
time (after it ends too), for the team's members only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import TeamMembership
from ensemble.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from ensemble.chat.tests.test_roles import at_once, concurrent
from ensemble.meet.models import (
    Access,
    Meeting,
    MeetRole,
    Participant,
    Recording,
    RecordingState,
)
from ensemble.meet.team_rooms import team_room
from ensemble.meet.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ROOMS = "/api/v1/meet/team-rooms/"
API = "/api/v1/meet/meetings/"


def member_of(team: Any, **fields: Any) -> Any:
    return MembershipFactory(team=team, **fields).user


def open_room(client: Client, team: Any) -> Any:
    return client.post(ROOMS, {"team": str(team.pk)}, "application/json")


def test_a_member_makes_the_room_once_and_every_member_gets_the_same_one(
    client_of: Any,
) -> None:
    team = TeamFactory(name="Cellule SI")
    first = open_room(client_of(member_of(team)), team)
    assert first.status_code == 201, first.content
    room = first.json()
    assert room["title"] == "Meeting room of Cellule SI"
    assert room["access"] == "team" and room["lobby"] is False
    assert room["link"].endswith(f"/meet/{room['code']}/") and room["dial_in"] is None
    again = open_room(client_of(member_of(team)), team)
    assert again.status_code == 200
    assert (again.json()["code"], again.json()["link"]) == (room["code"], room["link"])
    assert Meeting.objects.filter(team=team).count() == 1


@concurrent
@pytest.mark.django_db(transaction=True)
def test_members_opening_the_room_at_the_same_moment_get_one_room() -> None:
    team = TeamFactory()
    members = [member_of(team) for _ in range(4)]
    results = at_once(*[lambda person=person: team_room(person, team) for person in members])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert len({meeting.code for meeting, _created in results}) == 1
    assert [created for _meeting, created in results].count(True) == 1
    assert Meeting.objects.filter(team=team).count() == 1


@pytest.mark.parametrize("kind", ["colleague", "other organisation", "external"])
def test_who_is_not_in_the_team_does_not_find_its_room(client_of: Any, kind: str) -> None:
    team = TeamFactory()
    person = {
        "colleague": lambda: UserFactory(organisation=team.organisation),
        "other organisation": lambda: UserFactory(organisation=OrganisationFactory()),
        "external": lambda: UserFactory(organisation=None, is_external=True),
    }[kind]()
    answer = open_room(client_of(person), team)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "You are not a member of this team."
    assert not Meeting.objects.filter(team=team).exists()


def test_bad_requests_for_a_room(client_of: Any) -> None:
    client = client_of(UserFactory())
    assert client.post(ROOMS, {"team": "nope"}, "application/json").status_code == 400
    assert client.post(ROOMS, {}, "application/json").status_code == 400
    assert Client().post(ROOMS, {"team": "nope"}, "application/json").status_code == 401


def test_members_come_straight_in_and_others_are_refused(janus: Any, client_of: Any) -> None:
    team = TeamFactory()
    code = open_room(client_of(member_of(team)), team).json()["code"]
    member = client_of(member_of(team))
    joined = member.post(f"{API}{code}/join/", {}, "application/json")
    assert joined.status_code == 200 and joined.json()["state"] == "admitted"
    colleague = client_of(UserFactory(organisation=team.organisation))
    refused = colleague.post(f"{API}{code}/join/", {}, "application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This meeting is for the team's members only."
    guest = Client().post(f"{API}{code}/join/", {"name": "Paul"}, "application/json")
    assert guest.status_code == 403


def test_the_room_opens_again_with_the_same_code_after_it_ends(janus: Any, client_of: Any) -> None:
    team = TeamFactory()
    host = client_of(member_of(team))
    code = open_room(host, team).json()["code"]
    assert host.post(f"{API}{code}/join/", {}, "application/json").json()["state"] == "admitted"
    member = client_of(member_of(team))
    them = member.post(f"{API}{code}/join/", {}, "application/json").json()
    removed = host.post(f"{API}{code}/participants/{them['id']}/remove/")
    assert removed.status_code == 200
    assert host.post(f"{API}{code}/end/").status_code == 200
    assert host.get(f"{API}{code}/").json()["ended_at"] is not None
    # Next week: the same link; the meeting page opens it again, and the one removed last
    # time comes in like everyone else.
    page = member.get(f"/meet/{code}/")
    assert page.status_code == 200 and b"This meeting has ended." not in page.content
    again = open_room(member, team).json()
    assert again["code"] == code and again["ended_at"] is None
    back = member.post(f"{API}{code}/join/", {}, "application/json")
    assert back.status_code == 200 and back.json()["state"] == "admitted"


def test_only_a_team_room_is_for_a_team(client_of: Any) -> None:
    meeting = MeetingFactory()
    client = client_of(meeting.organiser)
    assert '<option value="team"' not in client.get(f"/meet/{meeting.code}/").content.decode()
    team = TeamFactory()
    member = client_of(member_of(team))
    room = open_room(member, team).json()["code"]
    page = member.get(f"/meet/{room}/").content.decode()
    assert '<option value="team" selected>Members of the team</option>' in page
    changed = client.patch(f"{API}{meeting.code}/", {"access": "team"}, "application/json")
    assert changed.status_code == 400
    assert changed.json()["detail"] == "Only a team's meeting room can be for the team's members."
    made = client.post(API, {"title": "x", "access": "team"}, "application/json")
    assert made.status_code == 400


def leaves_the_team(team: Any, person: Any) -> None:
    TeamMembership.objects.filter(team=team, user=person).delete()


@pytest.mark.parametrize("kind", ["left the team", "former host"])
def test_who_has_left_the_team_keeps_nothing_of_its_room(
    janus: Any, client_of: Any, kind: str
) -> None:
    """Someone who was in the room (a member still in it, or its host) and has left the team
    since: not back in (a reload either), no change to the room, none of its recordings;
    the others are as they were."""
    team = TeamFactory()
    host_person = member_of(team)
    host = client_of(host_person)
    code = open_room(host, team).json()["code"]
    assert host.post(f"{API}{code}/join/", {}, "application/json").status_code == 200
    stays = client_of(member_of(team))
    person = host_person if kind == "former host" else member_of(team)
    client = host if kind == "former host" else client_of(person)
    if kind == "left the team":
        assert client.post(f"{API}{code}/join/", {}, "application/json").status_code == 200
        stays = host
    else:  # the host, gone from the meeting too; one in the meeting stays there
        assert client.post(f"{API}{code}/leave/").status_code == 204
    recording = Recording.objects.create(
        meeting=Meeting.objects.get(code=code), state=RecordingState.READY
    )
    leaves_the_team(team, person)
    refused = client.post(f"{API}{code}/join/", {}, "application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This meeting is for the team's members only."
    changed = client.patch(f"{API}{code}/", {"access": "public"}, "application/json")
    assert changed.status_code in (403, 404)
    assert Meeting.objects.get(code=code).access == Access.TEAM
    assert client.get(f"/api/v1/meet/recordings/?meeting={code}").json()["results"] == []
    assert client.get(f"/api/v1/meet/recordings/{recording.pk}/download/").status_code == 404
    # the room's host, still in the team: as before
    if kind == "left the team":
        listed = stays.get(f"/api/v1/meet/recordings/?meeting={code}").json()["results"]
        assert [found["id"] for found in listed] == [str(recording.pk)]


def test_the_room_opened_again_is_for_the_team_and_a_former_host_is_a_participant(
    janus: Any, client_of: Any
) -> None:
    team = TeamFactory()
    host_person = member_of(team)
    host = client_of(host_person)
    code = open_room(host, team).json()["code"]
    assert host.post(f"{API}{code}/join/", {}, "application/json").status_code == 200
    opened = host.patch(f"{API}{code}/", {"access": "public"}, "application/json")
    assert opened.status_code == 200, opened.content
    assert host.post(f"{API}{code}/end/").status_code == 200
    leaves_the_team(team, host_person)
    member = client_of(member_of(team))
    again = open_room(member, team).json()
    assert again["ended_at"] is None and again["access"] == "team"
    former = Participant.objects.get(meeting__code=code, user=host_person)
    assert former.role == MeetRole.PARTICIPANT
    refused = host.post(f"{API}{code}/join/", {}, "application/json")
    assert refused.status_code == 403
    assert host.patch(f"{API}{code}/", {"access": "public"}, "application/json").status_code in (
        403,
        404,
    )
