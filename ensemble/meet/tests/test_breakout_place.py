"""Placing someone while breakout rooms are open, against a real Janus: a host or moderator
puts someone who came in late (or was left in the main room) into a room, or moves someone to
another room or back to the main room; the token follows (added to the new room's allowed
list, taken off the old one's, a moderator's kept everywhere), everyone is told, it is
audited; everyone else is refused, and so are impossible placements, with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.models import AuditEntry
from ensemble.meet import breakout
from ensemble.meet.janus import JanusServer
from ensemble.meet.models import Meeting, ParticipantState
from ensemble.meet.tests.conftest import AsBrowser
from ensemble.meet.tests.test_breakout import Party, events
from ensemble.meet.tests.test_janus_rooms import UNAUTHORIZED
from ensemble.meet.tests.test_room_api import API, JSON

pytestmark = pytest.mark.django_db


def place(party: Party, participant: str, room: str | None, client: Client | None = None) -> Any:
    body = {"participant": participant, "room": room}
    return (client or party.host).post(f"{party.url}place/", body, JSON)


def opens(janus: Any, media: dict[str, Any], room: int) -> bool:
    """Whether this token may join this Janus room (a refusal is 433, not in the list)."""
    answer = AsBrowser(janus, media["token"]).join_answer(media, room=room)
    if answer.get("videoroom") == "joined":
        return True
    assert answer["error_code"] == UNAUTHORIZED, answer
    return False


def joins_late(party: Party, client_of: Any) -> tuple[Client, dict[str, Any]]:
    client = client_of(UserFactory(organisation=party.home))
    return client, client.post(f"{API}{party.code}/join/", {}, JSON).json()


def test_a_late_arrival_is_placed_into_a_room_and_opens_it(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    first, second = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    late, me = joins_late(party, client_of)
    assert me["state"] == "admitted"
    media = me["media"]
    assert not opens(janus, media, first["janus_room"])  # in the main room until placed
    told = len(events(party.meeting, "meet.breakout.changed"))

    answer = place(party, me["id"], first["id"])

    assert answer.status_code == 200, answer.content
    state = answer.json()
    assert sorted(state["rooms"][0]["participants"]) == sorted([*party.ids(0), me["id"]])
    assert state["rooms"][1]["participants"] == party.ids(1)
    # Everyone is told (their page moves): the event says what a fresh read says.
    changed = events(party.meeting, "meet.breakout.changed")
    assert len(changed) == told + 1
    assert changed[-1] == late.get(party.url).json() == state
    # Janus: their token opens that room now, and not the other one.
    assert opens(janus, media, first["janus_room"])
    assert not opens(janus, media, second["janus_room"])
    entry = AuditEntry.objects.get(action="meet.breakout_placed")
    assert entry.actor == party.meeting.participants.get(pk=party.host_me["id"]).user
    assert entry.data == {"participant": me["id"], "from": None, "to": first["id"]}
    # The same place again changes nothing and tells nobody.
    assert place(party, me["id"], first["id"]).json() == state
    assert len(events(party.meeting, "meet.breakout.changed")) == told + 1
    assert AuditEntry.objects.filter(action="meet.breakout_placed").count() == 1


def test_a_move_takes_the_token_off_the_old_room(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    first, second = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    someone, media = party.ids(0)[0], party.agents[0][1]["media"]
    assert opens(janus, media, first["janus_room"])  # publishing in room 1 now

    state = place(party, someone, second["id"]).json()

    assert state["rooms"][0]["participants"] == []
    assert sorted(state["rooms"][1]["participants"]) == sorted([*party.ids(1), someone])
    assert opens(janus, media, second["janus_room"])
    assert not opens(janus, media, first["janus_room"])
    # A page that stays in its old room is taken out by the minute's sweep.
    server = JanusServer.pool()[0]
    assert [p["id"] for p in server.participants(first["janus_room"])] == [media["feed"]]
    assert breakout.sweep(party.meeting) >= 1
    assert server.participants(first["janus_room"]) == []

    # Back to the main room: placed nowhere, no room opens to them, the main room still does.
    state = place(party, someone, None).json()

    assert all(someone not in room["participants"] for room in state["rooms"])
    assert not opens(janus, media, first["janus_room"])
    assert not opens(janus, media, second["janus_room"])
    assert opens(janus, media, party.meeting.janus_room)
    moves = AuditEntry.objects.filter(action="meet.breakout_placed").order_by("pk")
    assert [(m.data["from"], m.data["to"]) for m in moves] == [
        (first["id"], second["id"]),
        (second["id"], None),
    ]


def test_someone_back_after_leaving_finds_their_room_open_to_their_new_token(
    janus: Any, client_of: Any
) -> None:
    """A reload (or a closed tab) during a breakout: back in the meeting with a new token,
    they go straight to the room they were placed in, which opens to it (and to no other)."""
    party = Party(client_of)
    first, second = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    client, someone = party.agents[0][0], party.ids(0)[0]
    client.post(f"{API}{party.code}/leave/", {}, JSON)
    media = client.post(f"{API}{party.code}/join/", {}, JSON).json()["media"]
    assert media["token"] != party.agents[0][1]["media"]["token"]
    assert opens(janus, media, first["janus_room"])
    assert not opens(janus, media, second["janus_room"])
    told = len(events(party.meeting, "meet.breakout.changed"))
    # Placed again where they were: nothing changes, nobody is told.
    assert place(party, someone, first["id"]).status_code == 200
    assert len(events(party.meeting, "meet.breakout.changed")) == told


def test_a_role_changed_during_a_breakout_changes_the_rooms_one_may_visit(
    janus: Any, client_of: Any
) -> None:
    party = Party(client_of)
    first, second = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    someone, media = party.ids(0)[0], party.agents[0][1]["media"]
    role = f"{API}{party.code}/participants/{someone}/role/"
    assert not opens(janus, media, second["janus_room"])
    assert party.host.post(role, {"role": "moderator"}, JSON).status_code == 200
    assert opens(janus, media, second["janus_room"])  # a moderator visits every room
    assert party.host.post(role, {"role": "participant"}, JSON).status_code == 200
    assert not opens(janus, media, second["janus_room"])  # no longer
    assert opens(janus, media, first["janus_room"])  # their own room stays open to them


def test_a_moderator_moved_may_still_visit_every_room(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    moderator = party.ids(1)[0]
    party.host.post(
        f"{API}{party.code}/participants/{moderator}/role/", {"role": "moderator"}, JSON
    )
    first, second = party.open({"rooms": [party.ids(0, 1), party.ids(2)]}).json()["rooms"]
    # A moderator may place people too.
    answer = place(party, moderator, second["id"], client=party.agents[1][0])
    assert answer.status_code == 200, answer.content
    media = party.agents[1][1]["media"]
    assert opens(janus, media, first["janus_room"])
    assert opens(janus, media, second["janus_room"])


def test_who_may_place_and_who_may_not(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    first, _second = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    someone = party.ids(2)[0]
    member = party.agents[0][0]
    non_participant = client_of(UserFactory(organisation=party.home))
    elsewhere = client_of(UserFactory(organisation=OrganisationFactory()))
    for client in (member, party.guest, non_participant, elsewhere, Client()):
        assert place(party, someone, first["id"], client).status_code == 403
    assert AuditEntry.objects.filter(action="meet.moderation_refused").count() == 5
    assert not party.meeting.breakouts.get().seats.filter(participant_id=someone).exists()
    # a participant may not place themselves either
    assert place(party, party.ids(0)[0], None, member).status_code == 403
    # The host may; so may a moderator (promoted after the rooms opened).
    assert place(party, someone, first["id"]).status_code == 200
    party.host.post(
        f"{API}{party.code}/participants/{party.ids(1)[0]}/role/", {"role": "moderator"}, JSON
    )
    moderator = party.agents[1][0]
    assert place(party, party.guest_me["id"], first["id"], moderator).status_code == 200
    seats = party.meeting.breakouts.get().seats.values_list("participant_id", flat=True)
    assert {str(s) for s in seats} == {*party.ids(0, 1, 2), party.guest_me["id"]}


def test_impossible_placements_are_refused_with_a_reason(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    someone = party.ids(0)[0]
    # No breakout open (none yet, or closed): 409.
    answer = place(party, someone, None)
    assert answer.status_code == 409
    assert answer.json()["detail"] == "No breakout rooms are open."
    stale = party.open({"count": 1}).json()["rooms"][0]
    party.host.post(f"{party.url}close/", {}, JSON)
    assert place(party, someone, stale["id"]).status_code == 409
    room = party.open({"count": 1}).json()["rooms"][0]
    # A room that is not one of the open breakout's (that of a closed one): 400.
    answer = place(party, someone, stale["id"])
    assert answer.status_code == 400
    assert answer.json()["detail"] == "There is no such breakout room."
    # Someone who is not in the meeting now: never joined, waiting, removed, left, elsewhere.
    Meeting.objects.filter(pk=party.meeting.pk).update(lobby=True)
    _client, waiting = joins_late(party, client_of)
    assert waiting["state"] == ParticipantState.WAITING
    removed = party.ids(1)[0]
    party.host.post(f"{API}{party.code}/participants/{removed}/remove/", {}, JSON)
    party.agents[2][0].post(f"{API}{party.code}/leave/", {}, JSON)
    other = Party(client_of)
    for nobody in (
        "00000000-0000-0000-0000-000000000000",
        waiting["id"],
        removed,
        party.ids(2)[0],
        other.ids(0)[0],
    ):
        answer = place(party, nobody, room["id"])
        assert answer.status_code == 400, (nobody, answer.content)
        assert answer.json()["detail"] == "Only people in the meeting can be placed in a room."
    # The body: both fields, as ids ("room": null for the main room).
    bodies: list[dict[str, Any]] = [
        {"participant": someone},
        {"room": None},
        {"participant": "x", "room": None},
    ]
    for body in bodies:
        assert party.host.post(f"{party.url}place/", body, JSON).status_code == 400
    assert not AuditEntry.objects.filter(action="meet.breakout_placed").exists()


def test_placement_refusals_are_in_the_readers_language(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    french = client_of(UserFactory(organisation=party.home, language="fr"))
    me = french.post(f"{API}{party.code}/join/", {}, JSON).json()
    party.host.post(f"{API}{party.code}/participants/{me['id']}/role/", {"role": "moderator"}, JSON)
    answer = place(party, party.ids(0)[0], None, french)
    assert answer.json()["detail"] == "Aucune salle de sous-groupe n\u2019est ouverte."
    party.open({"count": 1})
    answer = place(party, party.ids(0)[0], "00000000-0000-0000-0000-000000000000", french)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Cette salle de sous-groupe n'existe pas."
    answer = place(party, "00000000-0000-0000-0000-000000000000", None, french)
    assert answer.json()["detail"] == (
        "Seules les personnes présentes dans la réunion peuvent être placées dans une salle."
    )
